"""On saving a provider, its service or location: link the obvious, name what is missing."""

from django.contrib import messages
from django.utils.translation import gettext as _

from providers.readiness import link_lone_location, missing_steps


class ListingStepsAdmin:
    """Admin mixin: after a save, say which steps still keep the listing out of search."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        organization = self.organization_of(form.instance)
        linked = link_lone_location(organization)
        if linked:
            self.message_user(
                request,
                _("Offered at the organization's only location: %(services)s.")
                % {"services": ", ".join(linked)},
                messages.INFO,
            )
        steps = missing_steps(organization)
        if steps:
            self.message_user(
                request,
                _("“%(name)s” is not in search yet. Still to do: %(steps)s.")
                % {"name": organization, "steps": "; ".join(steps)},
                messages.WARNING,
            )
