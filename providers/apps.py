from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Directory listings"
    default = True

    def ready(self) -> None:
        from providers import directory_version, search_index, stored_rows

        # The radius search's triggers, re-created after every migrate (see search_index),
        # and those of the version token that cached provider rows are checked against.
        post_migrate.connect(
            search_index.on_post_migrate, sender=self, dispatch_uid="providers-search-index"
        )
        post_migrate.connect(
            directory_version.on_post_migrate,
            sender=self,
            dispatch_uid="providers-directory-version",
        )
        # Those that mark stored provider rows to be built (see stored_rows).
        post_migrate.connect(
            stored_rows.on_post_migrate, sender=self, dispatch_uid="providers-stored-rows"
        )


class DirectoryAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site as the default `admin.site` (see admin_site.py)."""

    default = False
    default_site = "providers.admin_site.DirectorySite"
