"""bulk_create's INSERT for an import's batches, without model instances or per-value SQL
compilation.

Profiling a 100,000-service import (bench/import_211.py) found more than a third of the time
in Django compiling bulk_create's INSERT (five generic calls per value, and SQLite's limit of
999 parameters cutting a batch into statements of 30 rows), then a sixth in building a model
instance for each row. Here a batch is a list of dicts of field values (attnames, as a model
takes them): the fields left out get their defaults, as a model instance would, and are
written back into the dicts (the history rows read them). One statement is prepared per
batch and run with executemany; values are converted a column at a time: plain values (text,
numbers, booleans) go to the driver as they are, UUIDs as the database wants them (their hex
on SQLite), everything else through the field's own conversion. History rows are the ones
simple_history's bulk_history_create writes. The same transaction, the same rows.
"""

import datetime
import uuid
from types import NoneType

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.constants import OnConflict
from django.utils import timezone

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
)
_PLAIN_VALUES = {str, int, float, bool, NoneType}
_TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField)
_UUID = uuid.UUID


def _is_uuid(field: models.Field) -> bool:
    target = field.target_field if field.is_relation else field
    return isinstance(target, models.UUIDField)


class _Column:
    """One field's values for a batch, converted for the database."""

    __slots__ = ("field", "attname", "default", "auto")

    def __init__(self, field: models.Field) -> None:
        self.field = field
        self.attname = field.attname
        self.default = field.get_default  # what a new instance holds
        self.auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)

    def fill(self, rows: list[dict], now) -> None:
        """What a new instance and pre_save would hold: the default when left out, the batch's
        time for an auto_now(_add) field."""
        name = self.attname
        if self.auto:
            value = now if isinstance(self.field, models.DateTimeField) else datetime.date.today()
            for row in rows:
                row[name] = value
            return
        for row in rows:
            if name not in row:
                row[name] = self.default()

    def values(self, rows: list[dict], db) -> list:
        name = self.attname
        return column_values(self.field, [row[name] for row in rows], db)


def column_values(field: models.Field, raw: list, db) -> list:
    """`raw` (one field's values) as the database takes them, and gives them back."""
    prep = field.get_db_prep_save
    if _is_uuid(field):
        if db.features.has_native_uuid_field:
            return [v if v is None or type(v) is _UUID else prep(v, db) for v in raw]
        return [v.hex if type(v) is _UUID else prep(v, db) for v in raw]
    if isinstance(field, _TIME_FIELDS):  # a batch's timestamps and times repeat
        seen: dict = {}
        out = []
        for v in raw:
            if v not in seen:
                seen[v] = prep(v, db)
            out.append(seen[v])
        return out
    if isinstance(field, models.JSONField):  # nearly all {} (no translations) or [] (no states)
        empty = {dict: prep({}, db), list: prep([], db)}
        return [empty[type(v)] if type(v) in empty and not v else prep(v, db) for v in raw]
    if isinstance(field, _PLAIN_FIELDS):
        plain = _PLAIN_VALUES
        return [v if type(v) in plain else prep(v, db) for v in raw]
    return [prep(v, db) for v in raw]


def _columns(model: type[models.Model], rows: list[dict]) -> list[_Column]:
    opts = model._meta
    with_pk = opts.pk.attname in rows[0] or not isinstance(opts.pk, models.AutoField)
    fields = [
        field
        for field in opts.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or field is not opts.pk)
    ]
    known = {field.attname for field in fields}
    unknown = set(rows[0]) - known
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)}")
    return [_Column(field) for field in fields]


def _sql(model, fields: list[models.Field], db, *, ignore_conflicts: bool) -> str:
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quote = db.ops.quote_name
    return "{} {} ({}) VALUES ({}) {}".format(
        db.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
        db.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or "",
    )


def insert_rows(
    model: type[models.Model], rows: list[dict], *, ignore_conflicts: bool = False
) -> None:
    """INSERT `rows` (dicts of field values by attname) in one executemany, as bulk_create
    would insert the instances they describe; the defaults are filled into the dicts."""
    if not rows:
        return
    # The connection itself, not django.db.connection's thread-local lookup for every value.
    db = connections[DEFAULT_DB_ALIAS]
    columns = _columns(model, rows)
    now = timezone.now()
    for column in columns:
        column.fill(rows, now)
    values = [column.values(rows, db) for column in columns]
    sql = _sql(model, [c.field for c in columns], db, ignore_conflicts=ignore_conflicts)
    with db.cursor() as cursor:
        cursor.executemany(sql, list(zip(*values, strict=True)))


def insert_history(
    model: type[models.Model],
    rows: list[dict],
    *,
    update: bool = False,
    user=None,
    reason: str = "",
) -> None:
    """The history rows simple_history's bulk_history_create writes for `rows` (dicts already
    inserted by insert_rows; one history row each, '+' created, '~' changed): the historical
    model's tracked fields have the same names, its own fields one value for the batch."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    history = model.history.model
    if user is None:
        user = history.get_default_history_user(model())  # the request's user, if any
    fixed = {
        "history_date": timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
        "history_type": "~" if update else "+",
    }
    tracked = {field.attname for field in history.tracked_fields}
    fields, values = [], []
    for field in history._meta.concrete_fields:
        if field.attname in tracked:
            fields.append(field)
            values.append(_Column(field).values(rows, db))
        elif field.attname in fixed:
            fields.append(field)
            values.append([field.get_db_prep_save(fixed[field.attname], db)] * len(rows))
        elif field is not history._meta.pk:
            raise ValueError(f"history field {field.attname} has no value")  # a new option
    sql = _sql(history, fields, db, ignore_conflicts=False)
    with db.cursor() as cursor:
        cursor.executemany(sql, list(zip(*values, strict=True)))
