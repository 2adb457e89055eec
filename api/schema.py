def only_public_api(endpoints):
    """Document our API only, not the Wagtail admin's internal endpoints."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
