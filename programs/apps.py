from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class ProgramsConfig(AppConfig):
    # Two configs live here; this one is the app's own (Django picks none by itself then).
    default = True
    name = "programs"
    verbose_name = "Peer support programs"

    def ready(self):
        from . import security  # noqa: F401  (connects the sign-in receivers)
        from .versions import connect

        connect()


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users, with user forms that refuse an email another account has."""

    user_viewset = "programs.admin.users.StaffUserViewSet"
