"""The safety plan form, for the person (with their code) and the assigned supporter.

It only shapes what was typed into the document services.plans checks; the limits and the
rules live there, so the API says the same. No field has a maxlength: an over-long entry
comes back with a clear message and everything that was typed, never cut short.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .services import plans

PRIVATE_TEXT = {"autocomplete": "off", "rows": 3}
STEP_FIELD = re.compile(r"^(?:[\w-]+-)?step_(\d+)_text$")

HELP = {
    "warning_signs": _("Thoughts, feelings or situations that tell you a crisis may be coming."),
    "coping": _("Things that take your mind off it, without anyone else."),
    "people_places": _("People to be with, and places to go, that help you feel better."),
    "people_to_ask": _(
        "Names or roles only, as you choose (for example “my sister” or “the night nurse”)."
    ),
    "services": _("From this program's list of crisis lines and services."),
    "environment": _("Ways to make the place you are in safer."),
    "reasons": _("What matters to you and keeps you going."),
    "goals": _("A few goals, in your own words."),
    "support_wanted": _("What you would like your peer supporter to help with."),
}


class PlanForm(forms.Form):
    """`articles` is given for the supporter, who may attach one of the program's articles to
    a step; the person keeps whatever is attached (a hidden field) and sees it as a link."""

    def __init__(self, *args, program, plan=None, articles=None, proposing=False, **kwargs):
        plan = plan or plans.empty_plan()
        super().__init__(*args, **kwargs)
        self.articles = articles
        for key, label in plans.SAFETY_PARTS.items():
            if key == "services":
                self.fields[key] = forms.TypedMultipleChoiceField(
                    label=label,
                    help_text=HELP[key],
                    required=False,
                    coerce=int,
                    choices=[
                        (r.pk, f"{r.name}{' · ' + r.phone if r.phone else ''}")
                        for r in selectors.help_resources(program=program)
                    ],
                    widget=forms.CheckboxSelectMultiple,
                    initial=plan[key],
                )
            else:
                self.fields[key] = self._text(label, HELP[key], plan[key])
        for key, label in plans.ROADMAP_PARTS.items():
            self.fields[key] = self._text(label, HELP[key], plan[key])
        rows = self._step_rows(len(plan["steps"]))
        for i in range(rows):
            step = plan["steps"][i] if i < len(plan["steps"]) else {}
            number = i + 1
            self.fields[f"step_{i}_text"] = forms.CharField(
                label=_("Step %(n)d") % {"n": number},
                required=False,
                initial=step.get("text", ""),
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"step_{i}_target"] = forms.CharField(
                label=_("Step %(n)d: target date (optional)") % {"n": number},
                required=False,
                initial=step.get("target", ""),
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            if articles is not None:
                self.fields[f"step_{i}_article"] = forms.ChoiceField(
                    label=_("Step %(n)d: an article to read (optional)") % {"n": number},
                    required=False,
                    initial=step.get("article") or "",
                    choices=[("", _("None"))] + [(str(p.pk), p.title) for p in articles],
                )
            else:
                self.fields[f"step_{i}_article"] = forms.CharField(
                    required=False,
                    initial=step.get("article") or "",
                    widget=forms.HiddenInput,
                )
        self.step_count = rows
        self.fields["new_checkin"] = self._text(
            _("Add a check-in (optional)"),
            _("How things are going with your goals and steps; it is kept with today's date."),
            "",
        )
        if proposing:
            self.fields["note"] = self._text(
                _("A word to go with your proposal (optional)"),
                _("The person reads it beside the proposal."),
                "",
            )

    @staticmethod
    def _text(label, help_text, initial):
        return forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            initial=initial,
            strip=False,
            widget=forms.Textarea(attrs=PRIVATE_TEXT),
        )

    def _step_rows(self, stored: int) -> int:
        """Room for the stored steps and two more; a posted form keeps every row it had."""
        rows = min(plans.MAX_STEPS, stored + 2)
        if self.is_bound:
            posted = [int(m.group(1)) + 1 for key in self.data if (m := STEP_FIELD.match(key))]
            rows = max([rows, *posted]) if posted else rows
        return min(rows, plans.MAX_STEPS + 5)

    def step_rows(self):
        return [
            (self[f"step_{i}_text"], self[f"step_{i}_target"], self[f"step_{i}_article"])
            for i in range(self.step_count)
        ]

    def plan_data_note(self) -> str:
        return self.cleaned_data.get("note", "") if hasattr(self, "cleaned_data") else ""

    def plan_data(self) -> dict:
        """What was typed, in the shape services.plans expects (also for an invalid form)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def value(name):
            if name in data:
                return data[name]
            return self.data.get(self.add_prefix(name), "")

        result = {key: value(key) for key in [*plans.TEXT_PARTS, *plans.ROADMAP_PARTS]}
        result["services"] = data.get("services", [])
        result["steps"] = [
            {
                "text": value(f"step_{i}_text"),
                "target": value(f"step_{i}_target"),
                "article": value(f"step_{i}_article") or None,
            }
            for i in range(self.step_count)
        ]
        result["new_checkin"] = value("new_checkin")
        return result
