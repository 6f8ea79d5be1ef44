"""Writing an import in batches, matched on (source, source_id), inside one transaction.

Memory stays small: only source id → primary key dicts are kept for the whole run; rows are
written 500 at a time. Primary keys are UUIDs made in Python, so a child row can point at a
parent that is still waiting in its batch (parents are always flushed first).
"""

import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, models, reset_queries, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from providers.importers.inserts import insert_history, insert_objects
from providers.importers.report import ImportFailed, Report
from providers.models.duplicates import MergedRecord

BATCH_SIZE = 500


class _Rollback(Exception):
    pass


def run_atomic(report: Report, work: Callable[[], None], *, dry_run: bool) -> Report:
    """Run `work` in one transaction; keep it only for a real run without invalid rows."""
    started = time.monotonic()
    report.dry_run = dry_run
    try:
        with transaction.atomic():
            work()
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        report.applied = False
    else:
        report.applied = True
    report.seconds = time.monotonic() - started
    if not report.ok and not dry_run:
        raise ImportFailed(report)
    return report


def forget_queries() -> None:
    """With DEBUG on, Django keeps the last 9000 SQL statements; bulk inserts make that
    hundreds of megabytes. Drop them (unless a test is counting queries)."""
    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


def chunks(items: list, size: int = BATCH_SIZE) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Upserter:
    """Creates or updates one model's rows by (source, source_id), counting what changed."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        source: str,
        report: Report,
        table: str,
        file: str,
        fields: Iterable[str],
        on_existing: Callable[[list], None] | None = None,
        parents: Iterable["Upserter"] = (),
        history_user=None,
    ) -> None:
        self.model = model
        self.source = source
        self.report = report
        self.table = table
        self.file = file
        self.parents = list(parents)  # flushed first, so foreign keys point at written rows
        # Audited models get one history entry per record created or changed by the import.
        self.history = hasattr(model, "history")
        self.history_options = {
            "default_user": history_user,
            "default_change_reason": f"Import from {source}"[:100],
        }
        self.fields = list(fields)
        self.on_existing = on_existing  # e.g. delete the phones of records being refreshed
        self.existing: dict[str, object] = dict(
            model.objects.filter(source=source).values_list("source_id", "pk").iterator()
        )
        # Records an editor merged into another (providers/merge.py): their ids lead to the
        # kept record, which only its own source rewrites, so the two sources do not take
        # turns overwriting it and the merged-away record is not created again.
        self.merged: dict[str, object] = dict(
            MergedRecord.objects.filter(kind=model._meta.model_name, source=source)
            .values_list("source_id", "kept_id")
            .iterator()
        )
        self.merged_pks: set = set()  # kept records reached through a merged id
        self.rewritten: set = set()  # records this run rewrites from their own rows
        self.ids: dict[str, object] = {}  # source id -> pk, for every row kept in this run
        self.rows: dict[str, int] = {}  # source id -> row number (to name duplicates)
        self.pending: list[tuple[str, dict, dict]] = []

    def holds(self, pk) -> bool:
        """A kept record reached only through a merged id: its phones and hours are its own
        source's, not this one's."""
        return pk in self.merged_pks and pk not in self.rewritten

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.ids

    def get(self, source_id: str):
        return self.ids.get(source_id)

    def add(self, source_id: str, values: dict, *, row: int, on_create: dict | None = None):
        """Queue one record; returns its primary key (None for a duplicate id)."""
        if source_id in self.rows:
            self.report.bad_row(
                self.file,
                row,
                f"id {source_id!r} appears again (first at row {self.rows[source_id]})",
                "id",
            )
            return None
        self.rows[source_id] = row
        if source_id in self.merged:
            pk = self.ids[source_id] = self.merged[source_id]
            self.merged_pks.add(pk)
            self.report.count(self.table, "merged into another record")
            return pk
        pk = self.existing.get(source_id)
        if pk is None:
            pk = self.model._meta.pk.get_default()
        self.ids[source_id] = pk
        self.rewritten.add(pk)
        self.pending.append((source_id, values, on_create or {}))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()
        return pk

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        old_ids = [self.existing[sid] for sid, _, _ in pending if sid in self.existing]
        current = {
            obj.pk: obj
            for obj in self.model.objects.filter(pk__in=old_ids).only("pk", *self.fields)
        }
        now = timezone.now()
        to_create, to_update = [], []
        for sid, values, on_create in pending:
            obj = current.get(self.ids[sid])
            if obj is None:
                obj = self.model(
                    pk=self.ids[sid], source=self.source, source_id=sid, **values, **on_create
                )
                to_create.append(obj)
                self.report.count(self.table, "created")
                continue
            changed = False
            for name, value in values.items():
                if name == "address_confidential" and obj.address_confidential:
                    continue  # once hidden (by an editor or a merge), an import never shows it
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
                    changed = True
            if changed:
                obj.updated_at = now
                to_update.append(obj)
                self.report.count(self.table, "updated")
            else:
                self.report.count(self.table, "unchanged")
        fields = [*self.fields, "updated_at"]
        insert_objects(self.model, to_create)
        if self.history:
            insert_history(
                self.model,
                to_create,
                user=self.history_options["default_user"],
                reason=self.history_options["default_change_reason"],
            )
            if to_update:
                bulk_update_with_history(
                    to_update, self.model, fields, batch_size=BATCH_SIZE, **self.history_options
                )
        elif to_update:
            self.model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
        if old_ids and self.on_existing:
            self.on_existing(old_ids)
        forget_queries()

    def missing_ids(self) -> list:
        """Primary keys of this source's records that the package no longer contains."""
        return [pk for sid, pk in self.existing.items() if sid not in self.ids]


class Inserter:
    """Buffers plain rows (phones, hours, many-to-many links) and inserts them in batches."""

    def __init__(
        self, model, *, ignore_conflicts: bool = False, before=(), held: dict | None = None
    ) -> None:
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        self.before = list(before)  # upserters to flush first, so parents exist
        # field -> upserter: rows for a record it `holds` (merged, kept by another source)
        # are left out, or each re-import would add its numbers and hours again.
        self.held = held or {}
        self.pending: list = []
        self.written = 0

    def add(self, **values) -> None:
        if any(up.holds(values.get(name)) for name, up in self.held.items()):
            return
        self.pending.append(self.model(**values))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        for parent in self.before:
            parent.flush()
        if self.pending:
            insert_objects(self.model, self.pending, ignore_conflicts=self.ignore_conflicts)
            self.written += len(self.pending)
            self.pending = []
            forget_queries()


def delete_in_chunks(queryset_for: Callable[[list], models.QuerySet], pks: list) -> int:
    """Delete rows whose owner is in `pks`, a few hundred ids per statement.

    Used for the phones and hours an import replaces: a plain DELETE, without Django's
    per-object signals (which would write one history row per phone, one at a time, on a
    100,000-record refresh). Nothing points at these rows; the import run is their record.
    """
    deleted = 0
    for part in chunks(pks):
        queryset = queryset_for(part)
        deleted += queryset._raw_delete(queryset.db)
    return deleted


def children_deleter(*pairs: tuple[type[models.Model], str]) -> Callable[[list], int]:
    """A hook for Upserter(on_existing=...): delete e.g. the phones and hours of records being
    refreshed, before the package's own are inserted."""

    def delete(pks: list) -> int:
        return sum(
            delete_in_chunks(
                lambda part, m=model, f=field: m.objects.filter(**{f"{f}__in": part}), pks
            )
            for model, field in pairs
        )

    return delete
