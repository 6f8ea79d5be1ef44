from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import provider_rows

        # Rows a write marked are built when it commits (providers/stored_rows.py).
        provider_rows.connect_signals()
