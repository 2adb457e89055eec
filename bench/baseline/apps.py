from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """Bench-only views to compare the product against; installed only by bench.settings."""

    name = "bench.baseline"
    label = "bench_baseline"
    default_auto_field = "django.db.models.BigAutoField"
