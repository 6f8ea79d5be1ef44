from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate, pre_migrate


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Directory listings"
    default = True

    def ready(self) -> None:
        from providers import filter_choices, search_index

        filter_choices.connect_signals()

        # The radius search's triggers: dropped before and re-created after every migrate
        # (see search_index).
        pre_migrate.connect(
            search_index.on_pre_migrate, sender=self, dispatch_uid="providers-search-index-drop"
        )
        post_migrate.connect(
            search_index.on_post_migrate, sender=self, dispatch_uid="providers-search-index"
        )


class DirectoryAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site as the default `admin.site` (see admin_site.py)."""

    default = False
    default_site = "providers.admin_site.DirectorySite"
