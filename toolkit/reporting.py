"""Error reports that never carry who made the request."""

from django.views.debug import SafeExceptionReporterFilter

REDACTED_META = {
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_COOKIE",
    "HTTP_CF_CONNECTING_IP",
}


class PrivacyExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {
            key: (self.cleansed_substitute if key in REDACTED_META else value)
            for key, value in meta.items()
        }

    def get_post_parameters(self, request):
        # Nothing typed into a form is ever put in an error report.
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}
