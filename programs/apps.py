from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Peer support programs"

    def ready(self):
        from . import security  # noqa: F401  (connects the sign-in receivers)


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users, with user forms that refuse an email another account has."""

    user_viewset = "programs.admin.users.StaffUserViewSet"
