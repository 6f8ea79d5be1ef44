"""People: which provider staff belong to which organization (site admins only)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from providers.models import StaffMembership
from providers.permissions import is_site_admin

User = get_user_model()


class SiteAdminsOnly:
    """User management is for site admins, whatever model permissions say."""

    def has_module_permission(self, request):
        return is_site_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_site_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_site_admin(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_site_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_site_admin(request.user) and super().has_delete_permission(request, obj)


class StaffMembershipInline(SiteAdminsOnly, admin.TabularInline):
    model = StaffMembership
    fields = ["organization"]
    autocomplete_fields = ["organization"]
    extra = 0


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class DirectoryUserAdmin(SiteAdminsOnly, UserAdmin):
    inlines = [*UserAdmin.inlines, StaffMembershipInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(SiteAdminsOnly, admin.ModelAdmin):
    list_display = ["user", "organization", "created_at"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]
