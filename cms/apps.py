from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from programs.signals import program_ready

        from . import pagecache

        program_ready.connect(_create_section, dispatch_uid="cms-program-section")
        # After Wagtail's own tables and permissions exist (wagtailcore migrates last).
        post_migrate.connect(
            _ensure_editorial,
            sender=apps.get_app_config("wagtailcore"),
            dispatch_uid="cms-editorial",
        )
        pagecache.connect_receivers()


def _create_section(sender, program, **kwargs):
    from .sections import ensure_program_section

    return ensure_program_section(program)


def _ensure_editorial(sender, **kwargs):
    from .editorial import editorial_ensure_all

    editorial_ensure_all()
