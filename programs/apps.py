from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Peer support programs"

    def ready(self):
        from . import security  # noqa: F401  (connects the sign-in receivers)
