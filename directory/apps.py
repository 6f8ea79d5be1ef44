from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _hotline_changed(sender, **kwargs) -> None:
    from directory.context_processors import hotlines_changed

    # On commit: a reader between the save and the commit would keep the old hotlines.
    transaction.on_commit(hotlines_changed, using=kwargs.get("using"))


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public site"

    def ready(self) -> None:
        from providers.models import Hotline

        post_save.connect(_hotline_changed, sender=Hotline, dispatch_uid="directory-hotlines")
        post_delete.connect(_hotline_changed, sender=Hotline, dispatch_uid="directory-hotlines")
