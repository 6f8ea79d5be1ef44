from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Directory listings"

    def ready(self) -> None:
        from providers.search_index import on_post_migrate

        # The radius search's triggers, re-created after every migrate (see search_index).
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="providers-search-index")
