"""Merging two organizations that are one provider, in one transaction.

Everything the merged-away organization had moves to the kept one: its services and
locations, its phones, the referrals and public suggestions about it, its staff. A service
with the same name as one the kept organization has is folded into that one (tags and
languages added, numbers it lacks added, blanks filled), and a location at the same address
(or both remote) into that one (hours if it has none, numbers it lacks, accessibility); each
kept record also gains the translations of its text that it lacks (`_gain_translations`):
their listings move onto the kept records, with every referral and resource-list entry
(`referrals` points at listings; found here through the models' own foreign keys, so the
providers app imports nothing of it). A location that was confidential keeps the kept one
confidential: a merge never shows an address either side hid.

Nothing is deleted: the merged-away organization and what was folded are retired (or left
with nothing offered there), each step is in the records' history ("Merged into ..."), and
MergedRecord remembers their source ids, so importing their source again updates nothing
twice and creates no duplicate (providers/importers/writer.py).
"""

from collections import Counter

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalChanges

from providers.duplicates import address_key, name_key, names_alike, phone_key
from providers.models import (
    DuplicatePair,
    Location,
    LocationKind,
    MergedRecord,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
)
from providers.translations import LOCATION_FIELDS, ORGANIZATION_FIELDS, SERVICE_FIELDS

SAME_SERVICE = 0.9  # names at least this alike are one service


class CannotMerge(Exception):
    pass


def _save(obj, *, user, reason: str, fields=None) -> None:
    obj._history_user = user
    obj._change_reason = reason[:100]
    obj.save(update_fields=fields)


def _references(target: type[models.Model], *, skip=()):
    """Every foreign key of another model that points at `target` (history aside)."""
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges) or model in skip:
            continue
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model is target:
                yield model, field


def _unique_sets(model: type[models.Model], name: str) -> list[list[str]]:
    """The other fields of each unique constraint of `model` that includes `name`."""
    sets = [list(fields) for fields in model._meta.unique_together]
    sets += [
        list(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    return [[f for f in fields if f != name] for fields in sets if name in fields]


def repoint(old, new, *, skip=(), counts: Counter) -> None:
    """Point every row that refers to `old` at `new`; a row that would repeat one already
    pointing at `new` (the same listing twice on one resource list) is removed instead."""
    for model, field in _references(type(old), skip=skip):
        uniques = _unique_sets(model, field.name)
        for row in model._default_manager.filter(**{field.name: old}):
            clash = any(
                model._default_manager.filter(
                    **{field.name: new}, **{f: getattr(row, f) for f in others}
                ).exists()
                for others in uniques
            )
            label = model._meta.verbose_name_plural
            if clash:
                row.delete()
                counts[f"{label} already there"] += 1
            else:
                model._default_manager.filter(pk=row.pk).update(**{field.name: new})
                counts[f"{label} moved"] += 1


def _phone_keys(phones) -> set:
    return {phone_key(p.number) or p.number for p in phones}


def _move_phones(source_phones, target_keys: set, *, owner: dict, user, reason, counts) -> None:
    for phone in source_phones:
        key = phone_key(phone.number) or phone.number
        if key in target_keys:
            continue
        target_keys.add(key)
        phone.organization_id = phone.service_id = phone.location_id = None
        for name, value in owner.items():
            setattr(phone, name, value)
        _save(phone, user=user, reason=reason)
        counts["phones moved"] += 1


def _fill_blanks(target, source, names) -> list[str]:
    filled = []
    for name in names:
        if getattr(target, name) in ("", None) and getattr(source, name) not in ("", None):
            setattr(target, name, getattr(source, name))
            filled.append(name)
    return filled


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _gain_translations(target, source, fields, *, counts) -> None:
    """The target keeps its own translations and gains the source's for each field and
    language it has none in, where the source translates what the target now says (its
    text, or a blank of the target's just filled from it): a translation of a different
    text would tell a reader in that language something the record does not say."""
    gained = {language: dict(texts) for language, texts in (target.translations or {}).items()}
    for language, texts in (source.translations or {}).items():
        if not isinstance(texts, dict):
            continue
        for field, text in texts.items():
            if field not in fields or not text or (gained.get(language) or {}).get(field):
                continue
            if _same_text(getattr(target, field), getattr(source, field)):
                gained.setdefault(language, {})[field] = text
                counts["translations added"] += 1
            else:
                counts["translations of another text left out"] += 1
    target.translations = gained


def _location_key(location: Location) -> str | None:
    if location.kind == LocationKind.REMOTE:
        return "remote"
    return address_key(
        street=location.address_1,
        city=location.city,
        state=location.state,
        postcode=location.postcode,
    )


def _fold_location(loc: Location, into: Location, *, user, reason, counts) -> None:
    if loc.address_confidential and not into.address_confidential:
        into.address_confidential = True  # never show what one side hid
        counts["locations made confidential"] += 1
    _move_phones(
        loc.phones.all(),
        _phone_keys(into.phones.all()),
        owner={"location": into},
        user=user,
        reason=reason,
        counts=counts,
    )
    if not into.open_24_7 and not into.hours.exists():
        into.open_24_7 = loc.open_24_7
        for period in loc.hours.all():
            period.location = into
            _save(period, user=user, reason=reason)
            counts["opening hours moved"] += 1
    _fill_blanks(into, loc, ["name", "address_2", "hours_note"])
    _gain_translations(into, loc, LOCATION_FIELDS, counts=counts)
    if into.latitude is None and loc.latitude is not None:
        into.latitude, into.longitude = loc.latitude, loc.longitude
        into.coordinates_approximate = loc.coordinates_approximate
        # The point keeps its offset: a confidential one's public point stays the one it had
        # (a second offset of the same point would give a second ring to cross with the first).
        into.offset_bearing, into.offset_mi = loc.offset_bearing, loc.offset_mi
    _save(into, user=user, reason=reason)
    into.accessibility.add(*loc.accessibility.all())
    counts["locations folded"] += 1


def _fold_service(svc: Service, into: Service, *, user, reason, counts) -> None:
    into.terms.add(*svc.terms.all())
    into.languages.add(*svc.languages.all())
    # Needs an editor removed from either service stay removed: a re-import infers none of them.
    into.rejected_terms.add(*svc.rejected_terms.all())
    into.inferred_terms.add(
        *svc.inferred_terms.exclude(pk__in=into.terms.all()).exclude(
            pk__in=into.rejected_terms.all()
        )
    )
    _move_phones(
        svc.phones.all(),
        _phone_keys(into.phones.all()),
        owner={"service": into},
        user=user,
        reason=reason,
        counts=counts,
    )
    fields = ["description", "website", "email", "cost", "cost_note", "eligibility"]
    _fill_blanks(into, svc, [*fields, "how_to_get_help"])
    _gain_translations(into, svc, SERVICE_FIELDS, counts=counts)
    _save(into, user=user, reason=reason)
    svc.status = Status.RETIRED
    _save(svc, user=user, reason=f"Merged into service {into.name} ({into.pk})")
    counts["services folded"] += 1


def _same_service(svc: Service, candidates: list[Service]) -> Service | None:
    best, best_alike = None, SAME_SERVICE
    for candidate in candidates:
        alike = names_alike(name_key(svc.name), name_key(candidate.name))
        if alike >= best_alike:
            best, best_alike = candidate, alike
    return best


def _remember(kind, record, kept_pk) -> None:
    """Lead the record's source id (and ids merged into it before) to the kept record."""
    MergedRecord.objects.filter(kind=kind, kept_id=record.pk).update(kept_id=kept_pk)
    if record.source and record.source_id:
        MergedRecord.objects.update_or_create(
            kind=kind,
            source=record.source,
            source_id=record.source_id,
            defaults={"merged_id": record.pk, "kept_id": kept_pk},
        )


def merge_organizations(*, keep: Organization, other: Organization, user=None) -> Counter:
    """Move everything of `other` to `keep` and retire `other`; returns what moved."""
    if keep.pk == other.pk:
        raise CannotMerge("An organization cannot be merged into itself.")
    if Status.RETIRED in (keep.status, other.status):
        raise CannotMerge("A retired organization cannot be merged; publish it first.")
    counts: Counter = Counter()
    reason = f"Merged {other.name} ({other.source or 'admin'}) into {keep.name}"
    with transaction.atomic():
        keep = Organization.objects.select_for_update().get(pk=keep.pk)
        other = Organization.objects.select_for_update().get(pk=other.pk)

        kept_locations = {}
        for location in keep.locations.all():
            kept_locations.setdefault(_location_key(location), location)
        kept_locations.pop(None, None)
        folded_locations: dict = {}
        for loc in list(other.locations.all()):
            into = kept_locations.get(_location_key(loc))
            if into is None:
                loc.organization = keep
                _save(loc, user=user, reason=reason)
                counts["locations moved"] += 1
            else:
                _fold_location(loc, into, user=user, reason=reason, counts=counts)
                folded_locations[loc.pk] = into

        kept_services = list(keep.services.exclude(status=Status.RETIRED))
        folded_services: dict = {}
        for svc in list(other.services.all()):
            into = None if svc.status == Status.RETIRED else _same_service(svc, kept_services)
            if into is None:
                svc.organization = keep
                _save(svc, user=user, reason=reason)
                counts["services moved"] += 1
            else:
                _fold_service(svc, into, user=user, reason=reason, counts=counts)
                folded_services[svc.pk] = into

        listings = ServiceAtLocation.objects.filter(
            Q(service_id__in=list(folded_services)) | Q(location_id__in=list(folded_locations))
        ).select_related("service", "location")
        for listing in list(listings):
            service = folded_services.get(listing.service_id, listing.service)
            location = folded_locations.get(listing.location_id, listing.location)
            same = ServiceAtLocation.objects.filter(service=service, location=location).first()
            if same is None:
                listing.service, listing.location = service, location
                _save(listing, user=user, reason=reason)
                counts["listings moved"] += 1
            else:  # referrals and list entries follow; the old pair stays with retired records
                repoint(listing, same, counts=counts)
                counts["listings folded"] += 1

        _move_phones(
            other.phones.all(),
            _phone_keys(keep.phones.all()),
            owner={"organization": keep},
            user=user,
            reason=reason,
            counts=counts,
        )
        repoint(other, keep, skip={Service, Location, Phone, DuplicatePair}, counts=counts)
        if not keep.alternate_name and name_key(other.name) != name_key(keep.name):
            keep.alternate_name = other.name
        _fill_blanks(keep, other, ["website", "email", "description"])
        _gain_translations(keep, other, ORGANIZATION_FIELDS, counts=counts)
        _save(keep, user=user, reason=reason)
        other.status = Status.RETIRED
        _save(other, user=user, reason=f"Merged into {keep.name} ({keep.pk})")

        _remember(MergedRecord.Kind.ORGANIZATION, other, keep.pk)
        for records, kind, model in (
            (folded_services, MergedRecord.Kind.SERVICE, Service),
            (folded_locations, MergedRecord.Kind.LOCATION, Location),
        ):
            for record in model.objects.filter(pk__in=list(records)):
                _remember(kind, record, records[record.pk].pk)
        _settle_pairs(keep, other, user=user)
    return counts


def _settle_pairs(keep: Organization, other: Organization, *, user) -> None:
    """This pair is merged; other open pairs of the merged-away organization go (the next
    search proposes them for the kept one); its keep-apart decisions pass to the kept one."""
    now = timezone.now()
    pairs = DuplicatePair.objects.filter(Q(left=other) | Q(right=other))
    for pair in pairs:
        partner_id = pair.right_id if pair.left_id == other.pk else pair.left_id
        if partner_id == keep.pk:
            pair.decision, pair.decided_by, pair.decided_at = (
                DuplicatePair.Decision.MERGED,
                user,
                now,
            )
            pair.save(update_fields=["decision", "decided_by", "decided_at"])
        elif pair.decision == DuplicatePair.Decision.KEPT_APART:
            left, right = sorted([keep.pk, partner_id], key=str)
            if not DuplicatePair.objects.filter(left_id=left, right_id=right).exists():
                pair.left_id, pair.right_id = left, right
                pair.save(update_fields=["left", "right"])
        elif pair.decision == DuplicatePair.Decision.OPEN:
            pair.delete()
