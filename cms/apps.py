from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self):
        from programs.signals import program_ready

        from . import pagecache

        program_ready.connect(_create_section, dispatch_uid="cms-program-section")
        pagecache.connect_receivers()


def _create_section(sender, program, **kwargs):
    from .sections import ensure_program_section

    return ensure_program_section(program)
