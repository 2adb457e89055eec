from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from programs.signals import report_counts

        from .report_counts import newsletter_counts

        report_counts.connect(newsletter_counts, dispatch_uid="newsletter-report-counts")
