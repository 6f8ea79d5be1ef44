"""The search filters' choices, kept in the cache: the terms people filter by and the languages
some listed service speaks.

The search form shows them on every page. Read from the database on every request, the
languages in use cost PostgreSQL's results page 85-160 ms (bench/README.md). They are read
again after a change to what they show commits (the signals in `connect_signals`, and one call
at the end of an import, whose bulk writes send none), and at least every CACHE_SECONDS: the
backstop for raw SQL, a restore, or a local-memory cache that another process's change cannot
reach. Model rows are kept, not labels: each page names them in its own language.
"""

import contextlib
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from providers.models import Language, Organization, Service, ServiceAtLocation, Term

CACHE_SECONDS = 300
# Deleted when a change commits: the next reader reads the rows again under a new version, and a
# reader that read the old rows just before the commit keeps them under the old one, unread.
VERSION_KEY = "providers:filter-choices:version"
FILTER_KINDS = (Term.Kind.SERVICE_TYPE, Term.Kind.VICTIMIZATION, Term.Kind.POPULATION)


def languages_in_use():
    """Only languages some listed service speaks: a list of 45 would crowd a phone.

    Each language's links are read by language, and each link stops at the first listed
    row of its service (the search copy): joining service and organization status instead
    let SQLite scan every organization once per language (seconds at 100k listings).
    """
    listed = ServiceAtLocation.objects.filter(service_id=OuterRef("service_id"), search_listed=True)
    spoken = Service.languages.through.objects.filter(language_id=OuterRef("code")).filter(
        Exists(listed)
    )
    return Language.objects.filter(Exists(spoken)).order_by("name")


def _read() -> tuple[list[Term], list[Language]]:
    # From the primary: a replica a moment behind would keep the old choices for CACHE_SECONDS.
    terms = Term.objects.using(DEFAULT_DB_ALIAS).filter(kind__in=FILTER_KINDS)
    return list(terms), list(languages_in_use().using(DEFAULT_DB_ALIAS))


def filter_choices() -> tuple[list[Term], list[Language]]:
    """(terms, languages): the filter terms in their order and the languages in use by name."""
    try:
        version = cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None)
        key = f"providers:filter-choices:{version}"
        choices = cache.get(key)
    except Exception:  # the shared cache is down: the form is shown all the same
        return _read()
    if choices is None:
        choices = _read()
        with contextlib.suppress(Exception):  # the shared cache went down meanwhile
            cache.set(key, choices, CACHE_SECONDS)
    return choices


def forget_filter_choices() -> None:
    try:
        cache.delete(VERSION_KEY)
    except Exception:  # the shared cache is down: nothing in it to go stale
        pass


def filter_choices_changed(*, using: str | None = None) -> None:
    """Something the choices show was written: read them again once the transaction commits
    (a reader between the write and the commit would keep the old ones)."""
    transaction.on_commit(forget_filter_choices, using=using)


# -- signals -------------------------------------------------------------------------------
# What decides a listing is listed (ServiceAtLocation.search_listed, providers/search_index.py):
# its service's status and organization, the organization's status, and the row itself.
_LISTING_FIELDS = {Service: ("status", "organization"), Organization: ("status",)}


def _before_listing_save(sender, instance, using, update_fields=None, **kwargs) -> None:
    """Note whether this save changes what is listed, read before it writes: an editor saving
    a description must not send every results page back to the database."""
    fields = _LISTING_FIELDS[sender]
    instance.lists_differently = False
    if update_fields is not None:
        written = {name.removesuffix("_id") for name in update_fields}  # "organization_id" too
        if not written & set(fields):
            return  # a save of other fields only: no query
    stored = sender.objects.using(using).filter(pk=instance.pk).values_list(*fields).first()
    # A new service or organization has no listing yet: its ServiceAtLocation will say so.
    # serializable_value gives a foreign key's id, as values_list reads it.
    saving = tuple(instance.serializable_value(name) for name in fields)
    instance.lists_differently = stored is not None and stored != saving


def _after_listing_save(sender, instance, using, **kwargs) -> None:
    if getattr(instance, "lists_differently", False):
        filter_choices_changed(using=using)


def _changed(sender, using, **kwargs) -> None:
    filter_choices_changed(using=using)


def _languages_changed(sender, action, using, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        filter_choices_changed(using=using)


def connect_signals() -> None:
    uid = "providers-filter-choices"
    for model in (Term, Language, ServiceAtLocation):
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        # Deleting an organization, service or location deletes its ServiceAtLocation rows
        # one by one (they keep history), so this hears those too.
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    for model in _LISTING_FIELDS:
        pre_save.connect(_before_listing_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_listing_save, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_languages_changed, sender=Service.languages.through, dispatch_uid=uid)
