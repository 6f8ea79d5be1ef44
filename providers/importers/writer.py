"""Writing an import in batches, matched on (source, source_id), inside one transaction.

Memory stays small: only source id → primary key dicts are kept for the whole run; rows are
written 500 at a time. Primary keys are UUIDs made in Python, so a child row can point at a
parent that is still waiting in its batch (parents are always flushed first).
"""

import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, reset_queries, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from providers.filter_choices import filter_choices_changed
from providers.importers.inserts import column_values, insert_history, insert_rows
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
            filter_choices_changed()  # the bulk writes sent no signals
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
        self.refreshed: set = set()  # of those, the ones stored before this run
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
        self.refreshed.update(old_ids)
        # The stored values as tuples (no model instance for a record that has not changed).
        index = {name: i for i, name in enumerate(self.fields)}
        current = {
            pk: values
            for pk, *values in self.model.objects.filter(pk__in=old_ids)
            .values_list("pk", *self.fields)
            .iterator()
        }
        pk_name = self.model._meta.pk.attname
        to_create, changes = [], {}
        for sid, values, on_create in pending:
            pk = self.ids[sid]
            stored = current.get(pk)
            if stored is None:
                row = {pk_name: pk, "source": self.source, "source_id": sid, **values}
                to_create.append(row | on_create)
                self.report.count(self.table, "created")
                continue
            changed = {}
            for name, value in values.items():
                if name == "address_confidential" and stored[index[name]]:
                    continue  # once hidden (by an editor or a merge), an import never shows it
                if stored[index[name]] != value:
                    changed[name] = value
            if changed:
                changes[pk] = changed
                self.report.count(self.table, "updated")
            else:
                self.report.count(self.table, "unchanged")
        insert_rows(self.model, to_create)
        if self.history:
            insert_history(
                self.model,
                to_create,
                user=self.history_options["default_user"],
                reason=self.history_options["default_change_reason"],
            )
        if changes:
            self._update(changes)
        forget_queries()

    def _update(self, changes: dict) -> None:
        """Save the changed values of stored records (and their history)."""
        now = timezone.now()
        fields = [*self.fields, "updated_at"]
        to_update = list(self.model.objects.filter(pk__in=list(changes)).only("pk", *self.fields))
        for obj in to_update:
            for name, value in changes[obj.pk].items():
                setattr(obj, name, value)
            obj.updated_at = now
        if self.history:
            bulk_update_with_history(
                to_update, self.model, fields, batch_size=BATCH_SIZE, **self.history_options
            )
        else:
            self.model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)

    def missing_ids(self) -> list:
        """Primary keys of this source's records that the package no longer contains."""
        return [pk for sid, pk in self.existing.items() if sid not in self.ids]


class Inserter:
    """Buffers plain rows (phones, hours, many-to-many links) and inserts them in batches.

    With `replaces` (field -> upserter), the rows are the package's whole list for their
    owner: for a record stored before this run, a row it already has is kept as it is, the
    others are inserted, and at finish() its stored rows the package no longer has are
    deleted. `written`, `unchanged` and `removed` count what was really done; with
    `describe` (queryset, limit -> (owner, value) pairs), the first rows removed are named
    in the report too, so a vanished hotline number can be checked."""

    def __init__(
        self,
        model,
        *,
        ignore_conflicts: bool = False,
        before=(),
        held: dict | None = None,
        replaces: dict | None = None,
        compare: tuple = (),
        describe: Callable[[models.QuerySet, int], list[tuple[str, str]]] | None = None,
    ) -> None:
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        self.before = list(before)  # upserters to flush first, so parents exist
        # field -> upserter: rows for a record it `holds` (merged, kept by another source)
        # are left out, or each re-import would add its numbers and hours again.
        self.held = held or {}
        self.replaces = replaces or {}
        # The columns that make two rows the same (the owners and the values imported).
        self.compare = [model._meta.get_field(name) for name in compare]
        self.stored: dict[tuple, list] = {}  # compared values -> stored rows not matched yet
        self.loaded: set = set()  # (field, owner pk) whose stored rows were read
        self.pending: list[dict] = []
        self.written = self.unchanged = self.removed = 0
        self.describe = describe
        self.removed_rows: list[tuple[str, str, str]] = []  # (owner, value, reference)

    def add(self, **values) -> None:
        for name, upserter in self.held.items():
            if upserter.holds(values.get(name)):
                return
        self.pending.append(values)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        for parent in self.before:
            parent.flush()
        if self.pending:
            rows, self.pending = self.pending, []
            if self.replaces:
                rows = self._new_rows(rows)
            insert_rows(self.model, rows, ignore_conflicts=self.ignore_conflicts)
            self.written += len(rows)
            forget_queries()

    def _new_rows(self, rows: list[dict]) -> list[dict]:
        """The rows not already stored for their (refreshed) owner."""
        db = connections[DEFAULT_DB_ALIAS]
        for name, upserter in self.replaces.items():
            owners = {row.get(name) for row in rows} & upserter.refreshed
            owners = [pk for pk in owners if (name, pk) not in self.loaded]
            self.loaded.update((name, pk) for pk in owners)
            for part in chunks(owners):
                self._read_stored(name, part, db)
        if not self.stored:
            return rows
        columns = [
            column_values(field, [r.get(field.attname) for r in rows], db) for field in self.compare
        ]
        keys = zip(*columns, strict=True)
        new = []
        for row, key in zip(rows, keys, strict=True):
            pks = self.stored.get(key)
            if pks:
                pks.pop()
                if not pks:
                    del self.stored[key]
                self.unchanged += 1
            else:
                new.append(row)
        return new

    def _read_stored(self, name: str, owners: list, db) -> None:
        field = self.model._meta.get_field(name)
        quote = db.ops.quote_name
        sql = "SELECT {}, {} FROM {} WHERE {} IN ({})".format(
            quote(self.model._meta.pk.column),
            ", ".join(quote(f.column) for f in self.compare),
            quote(self.model._meta.db_table),
            quote(field.column),
            ", ".join(["%s"] * len(owners)),
        )
        with db.cursor() as cursor:
            cursor.execute(sql, column_values(field, owners, db))
            found = cursor.fetchall()
        if not found:
            return
        # As the new rows are compared: in the form the database takes (a driver may hand
        # back a time for a time stored as text).
        pks, *columns = zip(*found, strict=True)
        columns = [
            column_values(f, list(c), db) for f, c in zip(self.compare, columns, strict=True)
        ]
        for pk, key in zip(pks, zip(*columns, strict=True), strict=True):
            self.stored.setdefault(key, []).append(pk)

    def finish(self) -> None:
        """Flush, then delete the stored rows of refreshed records the package no longer has."""
        self.flush()
        stale = list({pk for pks in self.stored.values() for pk in pks})
        self.stored.clear()
        self._remove(lambda part: self.model.objects.filter(pk__in=part), stale)
        for name, upserter in self.replaces.items():  # records with no row in the package
            owners = [pk for pk in upserter.refreshed if (name, pk) not in self.loaded]
            self._remove(
                lambda part, n=name: self.model.objects.filter(**{f"{n}__in": part}), owners
            )

    def _remove(self, queryset_for: Callable[[list], models.QuerySet], pks: list) -> None:
        """Delete the rows `queryset_for` selects for `pks`, describing the first of them
        (before they go) for the report."""
        room = Report.REMOVED_SHOWN - len(self.removed_rows)
        if self.describe is not None and room > 0 and pks:
            self.removed_rows += self.describe(queryset_for(pks[:room]), room)
        self.removed += delete_in_chunks(queryset_for, pks)

    def count(self, report: Report, table: str) -> None:
        for owner, value, reference in self.removed_rows:
            report.removed_row(table, owner=owner, value=value, reference=reference)
        for outcome, n in (
            ("written", self.written),
            ("unchanged", self.unchanged),
            ("removed", self.removed),
        ):
            if n:
                report.count(table, outcome, n)


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
