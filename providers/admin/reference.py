"""Reference data editors maintain: taxonomy terms (service types and other tags), hotlines."""

from django.contrib import admin

from providers.admin.forms import URL_FIELD_OVERRIDES
from providers.models import Hotline, Term


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "kind", "slug", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "name_es", "slug"]
    fields = ["kind", "name", "name_es", "slug", "description", "description_es", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["name", "phone_display", "text_number", "is_emergency", "position"]
    fields = [
        "name",
        "name_es",
        "slug",
        "description",
        "description_es",
        "phone",
        "phone_display",
        "text_number",
        "text_keyword",
        "chat_url",
        "hours",
        "hours_es",
        "is_emergency",
        "position",
    ]
