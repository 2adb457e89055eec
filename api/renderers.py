"""Renderers beside JSON: the report as CSV."""

from rest_framework.renderers import BaseRenderer

from programs import exports


class ReportCSVRenderer(BaseRenderer):
    """Passes through the CSV text the view made; errors become a small CSV of messages,
    neutralised like every file we write."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        rows = list(data.items()) if isinstance(data, dict) else [[data]]
        return exports.csv_text(["error", "detail"], rows).encode(self.charset)
