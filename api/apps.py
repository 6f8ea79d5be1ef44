from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from api import provider_rows

        # Rows a write marked are built when it commits (providers/stored_rows.py).
        provider_rows.connect_signals()
        # After the providers' own post_migrate handlers (their app comes first).
        post_migrate.connect(
            provider_rows.check_format,
            sender=apps.get_app_config("providers"),
            dispatch_uid="api-stored-row-format",
        )
