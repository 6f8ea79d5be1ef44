"""Admin forms: who may publish, tags as checkboxes, and placing an address offline."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers import placing
from providers.admin.translations import TranslationsFormMixin, translations_form
from providers.models import Location, LocationKind, Organization, Service, Status, Term
from providers.permissions import can_publish, publishes
from providers.translations import LOCATION_FIELDS, ORGANIZATION_FIELDS, SERVICE_FIELDS

REVIEW_NEEDED = _(
    "An editor must review this before it is published. Save it as a draft; an editor "
    "will publish it."
)


def formfield(db_field, **kwargs):
    """Model form fields, with https assumed for a web address typed without a scheme."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def with_user(form_class, user):
    """A subclass of form_class that knows who is editing (for the publishing rule)."""
    return type(form_class.__name__, (form_class,), {"user": user})


class PublishGuard:
    """clean_status(): refuse to make something public for a user who may not publish."""

    user = None

    def organization_for_status(self) -> Organization | None:
        raise NotImplementedError

    def clean_status(self):
        new_status = self.cleaned_data["status"]
        # From the database (None for a new record): a history revert form's instance
        # carries the old version's status, not the current one.
        old_status = (
            type(self.instance)
            .objects.filter(pk=self.instance.pk)
            .values_list("status", flat=True)
            .first()
        )
        if publishes(old_status, new_status) and not can_publish(
            self.user, self.organization_for_status()
        ):
            raise ValidationError(REVIEW_NEEDED, code="review_needed")
        return new_status

    def start_as_draft(self) -> None:
        if self.instance._state.adding and not can_publish(
            self.user, self.organization_for_status()
        ):
            self.initial["status"] = Status.DRAFT
            self.fields["status"].initial = Status.DRAFT


class OrganizationForm(
    PublishGuard,
    TranslationsFormMixin,
    translations_form(Organization, ORGANIZATION_FIELDS),
    forms.ModelForm,
):
    class Meta:
        model = Organization
        formfield_callback = formfield
        fields = [
            "name",
            "alternate_name",
            "status",
            "description",
            "website",
            "email",
            "is_sample",
        ]

    def organization_for_status(self):
        return None if self.instance._state.adding else self.instance


def _terms_field(kind: str, label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Term.objects.filter(kind=kind),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ServiceForm(
    PublishGuard, TranslationsFormMixin, translations_form(Service, SERVICE_FIELDS), forms.ModelForm
):
    """A service with its terms split by kind, each a group of checkboxes."""

    TERM_FIELDS = {
        "service_types": Term.Kind.SERVICE_TYPE,
        "victimization_types": Term.Kind.VICTIMIZATION,
        "populations": Term.Kind.POPULATION,
    }
    service_types = _terms_field(Term.Kind.SERVICE_TYPE, _("service types"))
    victimization_types = _terms_field(Term.Kind.VICTIMIZATION, _("victimization types"))
    populations = _terms_field(Term.Kind.POPULATION, _("populations served"))

    class Meta:
        model = Service
        formfield_callback = formfield
        fields = [
            "organization",
            "name",
            "status",
            "description",
            "service_types",
            "victimization_types",
            "populations",
            "website",
            "email",
            "languages",
            "cost",
            "cost_note",
            "eligibility",
            "how_to_get_help",
            "service_area",
            "service_area_states",
            "service_area_lat",
            "service_area_lng",
            "service_area_radius_mi",
        ]
        widgets = {"languages": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared fields are always on a form; drop those an admin does not show, or saving
        # would read them as "no terms" and clear them.
        for name in self.TERM_FIELDS:
            if name not in (self._meta.fields or ()):
                del self.fields[name]
        if not self.instance._state.adding:
            chosen = list(self.instance.terms.all())
            for name, kind in self.TERM_FIELDS.items():
                self.initial[name] = [term.pk for term in chosen if term.kind == kind]
        if "status" in self.fields:
            self.start_as_draft()

    def organization_for_status(self):
        chosen = getattr(self, "cleaned_data", {}).get("organization")
        if chosen is not None:
            return chosen
        try:
            return self.instance.organization
        except Organization.DoesNotExist:  # a new service not yet attached
            return None

    def _save_m2m(self):
        super()._save_m2m()
        names = [name for name in self.TERM_FIELDS if name in self.fields]
        if not names:
            return
        # Terms of kinds this form does not show (e.g. future ones) are kept.
        shown = [self.TERM_FIELDS[name] for name in names]
        kept = [t for t in self.instance.terms.all() if t.kind not in shown]
        chosen = [term for name in names for term in self.cleaned_data[name]]
        self.instance.terms.set(kept + chosen)
        # An inferred need the editor unticked is no longer waiting for review.
        unticked = list(self.instance.inferred_terms.exclude(pk__in=[t.pk for t in kept + chosen]))
        self.instance.inferred_terms.remove(*unticked)
        # ... and is not inferred again by a re-import, unless ticked again (rejected_terms).
        self.instance.rejected_terms.add(*unticked)
        self.instance.rejected_terms.remove(*chosen)


ADDRESS_FIELDS = ("address_1", "city", "state", "postcode")


class LocationForm(
    TranslationsFormMixin, translations_form(Location, LOCATION_FIELDS), forms.ModelForm
):
    """Coordinates are filled from the address on save, unless the editor keeps their own.

    They are (re)placed when missing, or when the address changed and neither new
    coordinates were typed nor "keep these coordinates" ticked.
    """

    keep_coordinates = forms.BooleanField(
        label=_("Keep these coordinates"),
        required=False,
        help_text=_("Tick to keep the latitude and longitude as typed when the address changes."),
    )

    class Meta:
        model = Location
        fields = [
            "organization",
            "name",
            "kind",
            "address_1",
            "address_2",
            "city",
            "state",
            "postcode",
            "address_confidential",
            "latitude",
            "longitude",
            "coordinates_approximate",
            "timezone",
            "open_24_7",
            "hours_note",
            "accessibility",
        ]
        widgets = {"accessibility": forms.CheckboxSelectMultiple}

    def clean_state(self):
        return (self.cleaned_data.get("state") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != LocationKind.PHYSICAL or self.errors:
            return cleaned
        missing = cleaned.get("latitude") is None or cleaned.get("longitude") is None
        moved = any(name in self.changed_data for name in ADDRESS_FIELDS)
        typed = "latitude" in self.changed_data or "longitude" in self.changed_data
        keep = cleaned.get("keep_coordinates") or (typed and not missing)
        if not (missing or (moved and not keep)):
            return cleaned
        place = placing.place_address(
            street=cleaned.get("address_1", ""),
            city=cleaned.get("city", ""),
            state=cleaned.get("state", ""),
            postcode=cleaned.get("postcode", ""),
        )
        if place is None:
            raise ValidationError(
                _(
                    "This address could not be placed on the map offline. Check the ZIP code, "
                    "city and state, or type the latitude and longitude and tick "
                    "“Keep these coordinates”."
                ),
                code="not_placed",
            )
        cleaned["latitude"], cleaned["longitude"] = place.lat, place.lng
        cleaned["coordinates_approximate"] = bool(place.approximate)
        if "timezone" not in self.changed_data or not cleaned.get("timezone"):
            cleaned["timezone"] = getattr(place, "timezone", "") or placing.timezone_at(
                lat=place.lat, lng=place.lng
            )
        return cleaned
