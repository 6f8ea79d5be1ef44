"""Values every public page needs (Quick Exit target, site name)."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"quick_exit_url": settings.QUICK_EXIT_URL, "site_name": settings.SITE_NAME}
