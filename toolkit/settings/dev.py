"""Local development: debug on, console email, keys generated once into var/."""

from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import VAR_DIR, env


def _read_or_create(name: str, make) -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SECRET_KEY = env.str("SECRET_KEY", default="") or _read_or_create(
    "secret_key", get_random_secret_key
)
TOOLKIT_DATA_KEY = env.str("TOOLKIT_DATA_KEY", default="") or _read_or_create(
    "data_key", lambda: Fernet.generate_key().decode()
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No worker to run in the demo: tasks (notification emails) run in the request.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
