"""One history per listing: every change to an organization, its services, locations,
phones, opening hours and services-at-locations, newest first, field by field, and the
revert of one field (not the whole record) to what it was before a change.

django-simple-history keeps a copy of each record per save; this module reads the copies of
one organization's records (seven queries whatever their number), compares each with the
one before it, and names what changed. A revert sets one field on the live record and saves
only that field, so nothing else of the record (its status above all) goes back with it.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from providers.models import (
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)

# The records a listing is made of, by the name a revert form sends.
MODELS = {
    "organization": Organization,
    "service": Service,
    "location": Location,
    "phone": Phone,
    "openinghours": OpeningHours,
    "serviceatlocation": ServiceAtLocation,
}
# Kept by the machine, not the editor: never shown as a change, never reverted (reverting
# confirm_link_used_at would bring back a spent confirmation link, providers/confirmations.py).
SKIPPED = {"id", "created_at", "updated_at", "offset_bearing", "offset_mi", "confirm_link_used_at"}
LIMIT = 300  # changes shown on the page, newest first


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    revertible: bool


@dataclass
class Change:
    kind: str  # a key of MODELS
    history_id: int
    when: datetime
    who: str
    reason: str
    action: str  # "+" created, "~" changed, "-" deleted
    record: str  # what the record is, e.g. "Phone (212) 555-0100"
    fields: list[FieldChange] = field(default_factory=list)


def _tracked(model) -> list[models.Field]:
    kept = {f.name for f in model.history.model._meta.fields}
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED and f.name in kept]


class _Names:
    """What a relation's id names (a service, a location), read once per record."""

    def __init__(self) -> None:
        self.names: dict = {}

    def preload(self, model, pks) -> None:
        """Name these records in one query (a deleted one keeps its id)."""
        for record in model._default_manager.filter(pk__in=list(pks)):
            self.names[model, record.pk] = str(record)

    def __call__(self, model, pk) -> str:
        if (model, pk) not in self.names:
            found = model._default_manager.filter(pk=pk).first()
            self.names[model, pk] = str(found) if found is not None else str(pk)
        return self.names[model, pk]


def _shown(model_field: models.Field, value, names: _Names | None = None) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation and names is not None:
        return names(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def _histories(organization: Organization) -> dict[str, models.QuerySet]:
    """The history copies of every record that is or was part of `organization`; of a
    service or location that moved between organizations, only the copies made while it was
    this one's (a shelter's location moved away must not tell the old organization's staff
    where it goes next)."""
    org_id = organization.pk
    services = Service.history.filter(organization_id=org_id)
    locations = Location.history.filter(organization_id=org_id)
    service_ids = set(services.values_list("id", flat=True))
    location_ids = set(locations.values_list("id", flat=True))
    return {
        "organization": Organization.history.filter(id=org_id),
        "service": services,
        "location": locations,
        "phone": Phone.history.filter(
            models.Q(organization_id=org_id)
            | models.Q(service_id__in=service_ids)
            | models.Q(location_id__in=location_ids)
        ),
        "openinghours": OpeningHours.history.filter(location_id__in=location_ids),
        "serviceatlocation": ServiceAtLocation.history.filter(service_id__in=service_ids),
    }


def _label(kind: str, copy, names: "_Names") -> str:
    model = MODELS[kind]
    name = str(model._meta.verbose_name).capitalize()
    if model is ServiceAtLocation:  # named by its relations: one query each, once
        text = f"{names(Service, copy.service_id)} @ {names(Location, copy.location_id)}"
    else:
        # The model's own words, read off the copy's columns (`copy.instance` would read
        # a location's excluded offset columns back, a query per copy).
        text = model.__str__(copy)
    return f"{name}: {text}"


def listing_history(organization: Organization, *, limit: int = LIMIT) -> list[Change]:
    """The organization's listing history, newest first, each change with its fields."""
    changes: list[Change] = []
    histories = _histories(organization)
    names = _Names()
    names.names[Organization, organization.pk] = str(organization)
    names.preload(Service, histories["service"].values_list("id", flat=True).distinct())
    names.preload(Location, histories["location"].values_list("id", flat=True).distinct())
    for kind, copies in histories.items():
        model = MODELS[kind]
        fields = _tracked(model)
        previous: dict = {}
        ordered = copies.select_related("history_user").order_by("history_date", "history_id")
        for copy in ordered:
            before = previous.get(copy.id)
            previous[copy.id] = copy
            diffs = []
            if copy.history_type != "-":
                for model_field in fields:
                    new = getattr(copy, model_field.attname)
                    old = None if before is None else getattr(before, model_field.attname)
                    if before is not None and old == new:
                        continue
                    if before is None and new in (None, "", {}, []):
                        continue  # a new record's empty fields say nothing
                    diffs.append(
                        FieldChange(
                            name=model_field.name,
                            label=str(model_field.verbose_name),
                            old="" if before is None else _shown(model_field, old, names),
                            new=_shown(model_field, new, names),
                            # Relations move with the inlines, not one by one.
                            revertible=before is not None
                            and copy.history_type == "~"
                            and not model_field.is_relation,
                        )
                    )
                if copy.history_type == "~" and not diffs:
                    continue  # saved without a change (the tags may have changed)
            user = copy.history_user
            changes.append(
                Change(
                    kind=kind,
                    history_id=copy.history_id,
                    when=copy.history_date,
                    who=user.get_username() if user else "",
                    reason=copy.history_change_reason or "",
                    action=copy.history_type,
                    record=_label(kind, copy, names),
                    fields=diffs,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


class RevertError(Exception):
    """Why a field cannot be reverted (a message for the editor)."""


def revert_field(
    organization: Organization, *, kind: str, history_id: int, name: str, user
) -> models.Model:
    """Set field `name` of the record changed by history copy `history_id` back to its value
    before that change, and save that field alone. Raises RevertError."""
    from providers.permissions import can_publish, publishes

    model = MODELS.get(kind)
    if model is None:
        raise RevertError(_("Unknown record."))
    copies = _histories(organization)[kind]
    copy = copies.filter(history_id=history_id).first()
    if copy is None:
        raise RevertError(_("This change is not part of this listing."))
    model_field = next((f for f in _tracked(model) if f.name == name and not f.is_relation), None)
    if model_field is None:
        raise RevertError(_("This field cannot be reverted."))
    before = (
        copies.filter(id=copy.id, history_date__lt=copy.history_date)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if before is None or copy.history_type != "~":
        raise RevertError(_("There is no earlier value to go back to."))
    record = model.objects.filter(pk=copy.id).first()
    if record is None:
        raise RevertError(_("This record has been deleted since."))
    value = getattr(before, model_field.attname)
    if name == "status":
        owner = record if isinstance(record, Organization) else organization
        if publishes(record.status, value) and not can_publish(user, owner):
            raise RevertError(_("An editor must review this before it is published."))
    setattr(record, model_field.attname, value)
    try:
        record.clean_fields(exclude=[f.name for f in model._meta.fields if f.name != name])
    except ValidationError as error:
        raise RevertError("; ".join(error.messages)) from error
    record._change_reason = _("Reverted %(field)s to its value before %(date)s") % {
        "field": model_field.verbose_name,
        # The site's time, as the history page shows the change's date (not UTC).
        "date": localtime(copy.history_date).strftime("%Y-%m-%d %H:%M"),
    }
    record._history_user = user
    update = [model_field.attname]
    if any(f.name == "updated_at" for f in model._meta.fields):
        update.append("updated_at")
    record.save(update_fields=update)
    return record
