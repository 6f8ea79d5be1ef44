from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _grant_site_admins(sender, using="default", **kwargs):
    # After auth's own post_migrate handler (auth is earlier in INSTALLED_APPS) has created
    # this app's permissions.
    from referrals.roles import grant_site_admins

    grant_site_admins()


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        post_migrate.connect(_grant_site_admins, sender=self, dispatch_uid="referrals-roles")
