from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Directory listings"
    default = True


class DirectoryAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site as the default `admin.site` (see admin_site.py)."""

    default = False
    default_site = "providers.admin_site.DirectorySite"
