"""Error reports that never carry who made the request or what they wrote.

Django's SafeExceptionReporterFilter hides only settings and headers whose names look
secret; the client address, user agent and referrer would go out in every 500 report.
This filter hides those on every page, everything typed into any form, every cookie, and
on the anonymous requester pages every local variable in the traceback as well.
It applies even with DEBUG on, so a developer's debug page is safe to screenshot.
"""

from django.views.debug import SafeExceptionReporterFilter

REDACTED_META = {
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "REMOTE_PORT",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_COOKIE",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
    "QUERY_STRING",
}


def _anonymous(request) -> bool:
    return bool(request is not None and getattr(request, "anonymous_requester", False))


class PrivacyExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        return True

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {
            key: (self.cleansed_substitute if key in REDACTED_META else value)
            for key, value in meta.items()
        }

    def get_safe_cookies(self, request):
        if request is None or not hasattr(request, "COOKIES"):
            return {}
        return dict.fromkeys(request.COOKIES, self.cleansed_substitute)

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        if _anonymous(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
