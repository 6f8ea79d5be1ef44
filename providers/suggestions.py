"""Public suggestions: what can be proposed, how it is stored, and how an editor applies it.

Every change goes through ordinary model saves with the editor as `_history_user`, so the
history shows who accepted what and any change can be reverted from the admin.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers import placing
from providers.importers import normalise
from providers.models import (
    Location,
    LocationKind,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
    Suggestion,
    Term,
)
from providers.phones import ordered_phones

# The fields a person may propose, in the order forms and the review page show them.
FIELDS: dict[str, str] = {
    "name": _("Name"),
    "phone_voice": _("Phone (voice calls)"),
    "phone_hotline": _("Hotline"),
    "phone_text": _("Text (SMS) number"),
    "phone_tty": _("TTY number"),
    "website": _("Website"),
    "address_1": _("Street address"),
    "city": _("City"),
    "state": _("State"),
    "postcode": _("ZIP code"),
    "hours_note": _("Hours"),
    "services": _("Services"),
    "description": _("Description"),
}
ADDRESS = ("address_1", "city", "state", "postcode")
# Each phone field names the kind of number it changes, so an accepted value lands on it.
PHONE_FIELDS: dict[str, str] = {
    "phone_voice": Phone.Kind.VOICE,
    "phone_hotline": Phone.Kind.HOTLINE,
    "phone_text": Phone.Kind.TEXT,
    "phone_tty": Phone.Kind.TTY,
}
# Suggestions sent before phones were named by kind proposed one "phone": the number the
# person saw (`shown`) says which phone they meant.
LEGACY_PHONE = "phone"
REVIEWED_FIELDS: dict[str, str] = {
    **FIELDS,
    LEGACY_PHONE: _("Phone (kind not recorded: applied to the number they saw)"),
}


class CannotApply(ValueError):
    """The accepted fields cannot be applied (e.g. a new provider without its name)."""


@dataclass
class Outcome:
    suggestion: Suggestion
    organization: Organization | None
    notes: list[str]


def phones_by_kind(listing: ServiceAtLocation) -> dict[str, Phone]:
    """The listing's first phone of each kind, in the order pages show them."""
    service, location = listing.service, listing.location
    phones = ordered_phones(
        service.phones.all(), location.phones.all(), service.organization.phones.all()
    )
    first: dict[str, Phone] = {}
    for phone in phones:
        first.setdefault(phone.kind, phone)
    return first


def current_values(listing: ServiceAtLocation, *, public: bool) -> dict:
    """The listing's values per field; `public` hides a confidential street and ZIP."""
    service, location = listing.service, listing.location
    organization = service.organization
    phones = phones_by_kind(listing)
    return {
        "name": organization.name,
        **{name: getattr(phones.get(kind), "number", "") for name, kind in PHONE_FIELDS.items()},
        "website": service.website or organization.website,
        "address_1": location.public_street if public else location.address_1,
        "city": location.city,
        "state": location.state,
        "postcode": location.public_postcode if public else location.postcode,
        "hours_note": location.hours_note,
        "services": sorted(service.terms.service_types().values_list("slug", flat=True)),
        "description": service.description,
    }


def submit_correction(listing: ServiceAtLocation, changes: dict, message: str) -> Suggestion:
    """Store a correction: only the fields that differ from what the person was shown."""
    shown = current_values(listing, public=True)
    proposed = {name: value for name, value in changes.items() if name in FIELDS}
    return Suggestion.objects.create(
        kind=Suggestion.Kind.CORRECTION,
        service_at_location=listing,
        organization=listing.service.organization,
        proposed=proposed,
        shown={name: shown[name] for name in proposed},
        message=message,
    )


def submit_new_provider(values: dict, message: str) -> Suggestion:
    proposed = {name: value for name, value in values.items() if name in FIELDS and value}
    return Suggestion.objects.create(
        kind=Suggestion.Kind.NEW_PROVIDER, proposed=proposed, message=message
    )


def display(name: str, value) -> str:
    if name == "services":
        labels = dict(Term.objects.service_types().values_list("slug", "name"))
        return ", ".join(labels.get(slug, slug) for slug in value or [])
    return "" if value is None else str(value)


def _place(location: Location, notes: list[str]) -> None:
    """Re-place a moved address offline; keep the old position if it cannot be placed."""
    place = placing.place_address(
        street=location.address_1,
        city=location.city,
        state=location.state,
        postcode=location.postcode,
    )
    if place is None:
        notes.append(str(_("The new address could not be placed: check the coordinates.")))
        return
    location.latitude, location.longitude = place.lat, place.lng
    location.coordinates_approximate = bool(place.approximate)
    if getattr(place, "timezone", ""):
        location.timezone = place.timezone


def _tag(objects: Iterable, user, suggestion: Suggestion) -> None:
    for obj in objects:
        obj._history_user = user
        obj._change_reason = f"Public suggestion {suggestion.pk}"


def _set_services(service: Service, slugs: list[str]) -> None:
    kept = [t for t in service.terms.all() if t.kind != Term.Kind.SERVICE_TYPE]
    service.terms.set(kept + list(Term.objects.service_types().filter(slug__in=slugs)))


def _legacy_phone(listing: ServiceAtLocation, shown: str) -> Phone:
    """The phone an old kind-less suggestion was about: the one with the number they saw."""
    phones = phones_by_kind(listing)
    for phone in phones.values():
        if phone.number == shown:
            return phone
    if not shown and Phone.Kind.VOICE not in phones:
        return Phone(service=listing.service, kind=Phone.Kind.VOICE)
    raise CannotApply(
        _("The number they saw (%(shown)s) has changed since: edit the phone by hand.")
        % {"shown": shown or "—"}
    )


def _apply_phones(suggestion: Suggestion, values: dict, user) -> None:
    if not any(name in values for name in (*PHONE_FIELDS, LEGACY_PHONE)):
        return
    listing = suggestion.service_at_location
    phones = phones_by_kind(listing)
    targets = []
    for name, kind in PHONE_FIELDS.items():
        if name in values:
            phone = phones.get(kind) or Phone(service=listing.service, kind=kind)
            targets.append((phone, values[name]))
    if LEGACY_PHONE in values:
        phone = _legacy_phone(listing, suggestion.shown.get(LEGACY_PHONE, ""))
        targets.append((phone, values[LEGACY_PHONE]))
    for phone, number in targets:
        _tag([phone], user, suggestion)
        if number:
            phone.number, extension = _as_stored(number)
            if extension:
                phone.extension = extension
            phone.save()
        elif phone.pk:
            phone.delete()  # an emptied field proposes removing that number


def _as_stored(number: str) -> tuple[str, str]:
    """A proposed number as imports store one, and its extension if it gave one (E.164:
    "212-555-0199 x12" → ("+12125550199", "12")), so it sorts and matches with the listing's
    other numbers; as typed, without an extension, if it is not a number the phone library
    knows (the editor saw it in the review and chose it)."""
    try:
        stored, extension, _note = normalise.phone(number)
    except normalise.Unusable:
        return number.strip(), ""
    return stored, extension


def _apply_correction(suggestion: Suggestion, values: dict, user, notes: list[str]):
    listing = suggestion.service_at_location
    if listing is None:
        raise CannotApply(_("The listing this correction was about no longer exists."))
    service, location = listing.service, listing.location
    organization = service.organization
    _tag([organization, service, location], user, suggestion)
    changed = set()
    if "name" in values:
        organization.name = values["name"]
        changed.add(organization)
    if "website" in values:
        owner = service if service.website else organization
        owner.website = values["website"]
        changed.add(owner)
    if "description" in values:
        service.description = values["description"]
        changed.add(service)
    for name in (*ADDRESS, "hours_note"):
        if name in values:
            setattr(location, name, values[name])
            changed.add(location)
    if any(name in values for name in ADDRESS) and location.kind == LocationKind.PHYSICAL:
        _place(location, notes)
    for obj in changed:
        try:
            obj.full_clean()
        except ValidationError as error:
            raise CannotApply("; ".join(error.messages)) from error
        obj.save()
    _apply_phones(suggestion, values, user)
    if "services" in values:
        _set_services(service, values["services"])
    return organization


def _apply_new_provider(suggestion: Suggestion, values: dict, user, notes: list[str]):
    if not values.get("name"):
        raise CannotApply(_("Accept the name to create the new provider."))
    organization = Organization(
        name=values["name"],
        website=values.get("website", ""),
        description=values.get("description", ""),
        status=Status.DRAFT,
    )
    service = Service(organization=organization, name=values["name"], status=Status.PUBLISHED)
    service.description = values.get("description", "")
    location = Location(organization=organization, name=values["name"])
    for name in (*ADDRESS, "hours_note"):
        setattr(location, name, values.get(name, ""))
    location.state = location.state.upper()
    _tag([organization, service, location], user, suggestion)
    if any(values.get(name) for name in ADDRESS):
        _place(location, notes)
    else:
        location.kind = LocationKind.REMOTE
    organization.save()
    service.save()
    location.save()
    ServiceAtLocation.objects.create(service=service, location=location)
    for position, (name, kind) in enumerate(PHONE_FIELDS.items()):
        number = values.get(name) or (values.get(LEGACY_PHONE) if kind == Phone.Kind.VOICE else "")
        if number:
            stored, extension = _as_stored(number)
            phone = Phone(
                service=service, number=stored, extension=extension, kind=kind, position=position
            )
            _tag([phone], user, suggestion)
            phone.save()
    if values.get("services"):
        _set_services(service, values["services"])
    notes.append(str(_("A draft listing was created: complete it, then publish it.")))
    return organization


@transaction.atomic
def apply_suggestion(suggestion: Suggestion, accepted: Iterable[str], *, user) -> Outcome:
    """Apply the accepted fields; the others are rejected. Raises CannotApply."""
    if suggestion.status != Suggestion.Status.PENDING:
        raise CannotApply(_("This suggestion has already been reviewed."))
    accepted = [
        name for name in REVIEWED_FIELDS if name in set(accepted) and name in suggestion.proposed
    ]
    values = {name: suggestion.proposed[name] for name in accepted}
    notes: list[str] = []
    organization = None
    if values:
        if suggestion.kind == Suggestion.Kind.NEW_PROVIDER:
            organization = _apply_new_provider(suggestion, values, user, notes)
            suggestion.organization = organization
        else:
            organization = _apply_correction(suggestion, values, user, notes)
    suggestion.decisions = {
        name: ("accepted" if name in values else "rejected") for name in suggestion.proposed
    }
    if not values:
        suggestion.status = Suggestion.Status.REJECTED
    elif len(values) == len(suggestion.proposed):
        suggestion.status = Suggestion.Status.ACCEPTED
    else:
        suggestion.status = Suggestion.Status.PARTIALLY_ACCEPTED
    suggestion.reviewed_at = timezone.now()
    suggestion.reviewed_by = user
    suggestion.save()
    return Outcome(suggestion=suggestion, organization=organization, notes=notes)
