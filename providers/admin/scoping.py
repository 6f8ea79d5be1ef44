"""Object-level rules in the admin: provider staff see and touch only their organizations.

Model permissions (from the role groups) decide what kind of thing a user may change;
these mixins decide which ones. Anything outside a user's organizations is absent from
their changelists and its change page answers "not found".
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from providers.admin.forms import URL_FIELD_OVERRIDES, with_user
from providers.models import Location, Organization, Service
from providers.permissions import can_edit_organization, is_editor, organizations_for


class ScopedAdmin(SimpleHistoryAdmin):
    """A model admin whose rows belong to an organization through `organization_path`."""

    organization_path = "organization"
    formfield_overrides = URL_FIELD_OVERRIDES

    def organization_of(self, obj) -> Organization:
        return obj.organization

    def history_view(self, request, object_id, extra_context=None):
        """One history per listing: a record's History link opens its organization's listing
        history, where a change is reverted field by field."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        organization = self.organization_of(obj)
        url = reverse("admin:providers_organization_listing_history", args=[organization.pk])
        return HttpResponseRedirect(url)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An old version of the record, to read only: reverting the whole record would take
        its status (a published listing back to draft) and every other field back with it
        (SIMPLE_HISTORY_REVERT_DISABLED hides the button; this refuses the form)."""
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_editor(request.user):
            return queryset
        lookup = f"{self.organization_path}__in" if self.organization_path else "pk__in"
        return queryset.filter(**{lookup: organizations_for(request.user).values("pk")})

    def _may_touch(self, request, obj) -> bool:
        return obj is None or can_edit_organization(request.user, self.organization_of(obj))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may_touch(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_user(super().get_form(request, obj, change=change, **kwargs), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organization:
            kwargs["queryset"] = organizations_for(request.user)
        elif db_field.related_model is Service:
            kwargs["queryset"] = Service.objects.filter(
                organization__in=organizations_for(request.user).values("pk")
            )
        elif db_field.related_model is Location:
            kwargs["queryset"] = Location.objects.filter(
                organization__in=organizations_for(request.user).values("pk")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class UserFormInline:
    """Inline mixin: the inline's forms know the user (for the publishing rule)."""

    formfield_overrides = URL_FIELD_OVERRIDES

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_user(formset.form, request.user)
        return formset


class SameOrganizationInline(admin.TabularInline):
    """Inline with a service or location choice limited to the parent's organization."""

    choice_field = ""
    prefix = ""  # ServiceAtLocation's keys have no reverse name to derive one from

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        prefix = self.prefix
        formset.get_default_prefix = classmethod(lambda cls: prefix)
        field = formset.form.base_fields[self.choice_field]
        organization_id = getattr(obj, "organization_id", None)
        field.queryset = field.queryset.model.objects.filter(organization_id=organization_id)
        return formset
