"""The listing history page: one timeline for an organization and everything it is made
of, with a revert button per changed field (providers/listing_history.py)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from providers import listing_history


def listing_history_view(model_admin, request, object_id):
    organization = model_admin.get_object(request, object_id)  # scoped to the user's
    if organization is None or not model_admin.has_view_permission(request, organization):
        raise Http404
    may_revert = model_admin.has_change_permission(request, organization)
    url = reverse("admin:providers_organization_listing_history", args=[organization.pk])
    if request.method == "POST":
        if not may_revert:
            raise Http404
        try:
            history_id = int(request.POST.get("history_id", ""))
        except ValueError:
            history_id = 0
        try:
            listing_history.revert_field(
                organization,
                kind=request.POST.get("kind", ""),
                history_id=history_id,
                name=request.POST.get("field", ""),
                user=request.user,
            )
        except listing_history.RevertError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Reverted: only this field changed."))
        return HttpResponseRedirect(url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("History of %(name)s") % {"name": organization},
        "opts": model_admin.model._meta,
        "original": organization,
        "changes": listing_history.listing_history(organization),
        "may_revert": may_revert,
    }
    return TemplateResponse(request, "admin/providers/organization/listing_history.html", context)
