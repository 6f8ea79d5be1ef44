"""Top-level URLs: public pages (language-prefixed), admin and API."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from directory.health import healthz

urlpatterns = [
    # For load balancers: database, cache and migrations (docs/deploy.md). No language prefix.
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Referrals API (kept in referrals/); before any other api/v1/ include.
    path("api/v1/", include("referrals.api_urls")),
    path("l/", include("referrals.share_urls")),
    # The API stays outside i18n_patterns: its URLs never carry a language prefix.
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("referrals/", include("referrals.urls")),
    path("", include("directory.pages_urls")),
    prefix_default_language=False,
)
