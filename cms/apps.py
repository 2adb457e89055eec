from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from programs.signals import daily_purge, program_ready, report_counts

        from . import pagecache

        program_ready.connect(_create_section, dispatch_uid="cms-program-section")
        # After Wagtail's own tables and permissions exist (wagtailcore migrates last).
        post_migrate.connect(
            _ensure_editorial,
            sender=apps.get_app_config("wagtailcore"),
            dispatch_uid="cms-editorial",
        )
        post_migrate.connect(
            _ensure_event_indexes,
            sender=apps.get_app_config("wagtailcore"),
            dispatch_uid="cms-event-indexes",
        )
        daily_purge.connect(_purge_event_signups, dispatch_uid="cms-event-signups")
        pagecache.connect_receivers()
        from .report_counts import signup_counts

        report_counts.connect(signup_counts, dispatch_uid="cms-report-signups")


def _create_section(sender, program, **kwargs):
    from .sections import ensure_program_section

    return ensure_program_section(program)


def _ensure_editorial(sender, **kwargs):
    from .editorial import editorial_ensure_all

    editorial_ensure_all()


def _ensure_event_indexes(sender, **kwargs):
    from .events import event_index_ensure_all

    event_index_ensure_all()


def _purge_event_signups(sender, **kwargs):
    from .events import signups_purge_past

    purged = signups_purge_past()
    if not purged:
        return ""  # like the rate-limit counts: a line only when something went
    noun = "sign-up" if purged == 1 else "sign-ups"
    return f"Deleted {purged} event {noun} (aliases and reminder emails) of past sessions."
