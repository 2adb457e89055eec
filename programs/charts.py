"""Report charts as plain SVG drawn by Django templates: no JavaScript, no third-party
request, nothing inline that the site's Content Security Policy would block.

This module only works out geometry (in SVG user units); the templates in
templates/programs/charts/ draw it, with a <title>, a <desc> and the numbers as a table
beside each chart. Hidden counts are drawn as an outlined bar up to k labelled "fewer than
k" (or "hidden"), never as zero.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 240
LEFT = 48  # room for the axis labels
BOTTOM = 40
TOP = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str  # the value as words: "12", "fewer than 5", "hidden"
    hidden: bool
    text_x: float
    text_y: float


def _hidden_text(cell, k: int) -> str:
    if cell.count is None and cell.suppressed:
        return _("fewer than %(k)s or hidden") % {"k": k}
    return str(cell.count)


def _scale(values, k) -> int:
    top = max([*values, k, 1])
    # A round axis top: 5, 10, 20, 50, 100, ...
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step:
            return step
    return top


def column_chart(cells, k: int) -> dict:
    """Vertical bars, one per cell (months). A hidden cell is drawn up to k, outlined."""
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    top = _scale([c.count or 0 for c in cells], k)
    slot = plot_w / max(len(cells), 1)
    bars = []
    for i, cell in enumerate(cells):
        value = k if cell.suppressed else cell.count or 0
        height = plot_h * value / top
        x = LEFT + i * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + plot_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=cell.label,
                text=_("fewer than %(k)s") % {"k": k} if cell.suppressed else str(cell.count),
                hidden=cell.suppressed,
                text_x=round(x + slot * 0.35, 1),
                text_y=round(TOP + plot_h - height - 4, 1),
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "axis_y": TOP + plot_h,
        "axis_top": top,
        "label_y": HEIGHT - BOTTOM + 16,
        "left": LEFT,
        "right": WIDTH - 8,
        "top_y": TOP,
        "k_y": round(TOP + plot_h - plot_h * k / top, 1),
    }


def row_chart(cells, k: int) -> dict:
    """Horizontal bars, one per cell (topics)."""
    label_w, row_h = 200, 26
    plot_w = WIDTH - label_w - 72
    top = _scale([c.count or 0 for c in cells], k)
    bars = []
    for i, cell in enumerate(cells):
        value = k if cell.suppressed else cell.count or 0
        width = plot_w * value / top
        y = TOP + i * row_h
        bars.append(
            Bar(
                x=label_w,
                y=y,
                width=round(width, 1),
                height=row_h - 8,
                label=cell.label,
                text=_("fewer than %(k)s") % {"k": k} if cell.suppressed else str(cell.count),
                hidden=cell.suppressed,
                text_x=round(label_w + width + 6, 1),
                text_y=y + row_h - 13,
            )
        )
    return {
        "width": WIDTH,
        "height": TOP + len(cells) * row_h + 8,
        "bars": bars,
        "label_x": label_w - 8,
    }


def wait_chart(waits, bounds) -> dict:
    """Per month, a bar to the median's bound and a tick at the 90th percentile's, on a
    scale of the buckets (1 hour to two weeks, then "longer or not yet")."""
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    steps = len(bounds) + 1  # the last step: longer, or not yet contacted
    slot = plot_w / max(len(waits), 1)

    def level(hours):
        index = bounds.index(hours) + 1 if hours is not None else steps
        return round(TOP + plot_h - plot_h * index / steps, 1)

    months = []
    for i, wait in enumerate(waits):
        x = LEFT + i * slot + slot * 0.2
        median_y = level(wait.median) if wait.shown else None
        months.append(
            {
                "wait": wait,
                "x": round(x, 1),
                "width": round(slot * 0.6, 1),
                "median_y": median_y,
                "median_h": round(TOP + plot_h - median_y, 1) if wait.shown else None,
                "x2": round(x + slot * 0.6, 1),
                "p90_y": level(wait.p90) if wait.shown else None,
                "text_x": round(x + slot * 0.3, 1),
            }
        )
    gridlines = [{"y": level(h), "label": _hours_label(h)} for h in (1, 4, 24, 72, 168, 336)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "months": months,
        "axis_y": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - 8,
        "gridlines": gridlines,
        "label_y": HEIGHT - BOTTOM + 16,
        "hidden_y": TOP + plot_h - 6,
    }


def _hours_label(hours: int) -> str:
    if hours < 24:
        return _("%(n)sh") % {"n": hours}
    return _("%(n)sd") % {"n": hours // 24}
