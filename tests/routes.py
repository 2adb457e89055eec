"""Every URL the site answers, from the resolver and from the API's OpenAPI schema.

The access matrix (tests/api/test_access.py) and the tenancy guard
(tests/programs/test_tenancy.py) both enumerate routes from here, so a new route shows up
in both and fails them until it is classified.
"""

from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

OUR_MODULES = ("programs.", "api.", "cms.", "toolkit.", "newsletter.")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    path: str  # the joined pattern, e.g. "api/v1/programs/<slug:slug>/roster/"
    name: str  # the pattern's own name ("" if unnamed)
    qualified_name: str  # with namespaces, e.g. "api:roster"
    module: str  # where the view is defined

    @property
    def is_ours(self) -> bool:
        """Defined in this project (or a view set of ours), not in Wagtail or Django."""
        return self.module.startswith(OUR_MODULES)


def _module(callback) -> str:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return getattr(view, "__module__", "") or ""


def all_routes() -> list[Route]:
    """Every URL pattern, walked through every include (Wagtail's admin too)."""
    routes: list[Route] = []

    def walk(patterns, prefix="", namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern.url_patterns, prefix + str(pattern.pattern), spaces)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or ""
                routes.append(
                    Route(
                        path=prefix + str(pattern.pattern),
                        name=name,
                        qualified_name=":".join((*namespaces, name)),
                        module=_module(pattern.callback),
                    )
                )

    walk(get_resolver().url_patterns)
    return routes


def api_operations() -> list[tuple[str, str, str]]:
    """(method, path template, operationId) of every operation in the served schema."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    return [
        (method, path, operation["operationId"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
