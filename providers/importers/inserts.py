"""bulk_create's INSERT for an import's batches, without its per-value SQL compilation.

Profiling a 100,000-service import (bench/import_211.py) found more than a third of the time
in Django compiling bulk_create's INSERT: every value of every row passes through five
generic calls (pre_save, get_db_prep_save, ...) to build one placeholder, and SQLite's limit of
999 parameters cuts a batch into statements of 30 rows. Here one statement is prepared per
batch and run with executemany; plain values (text, numbers, booleans) go to the driver as
they are, everything else (UUIDs, dates, times, JSON) through the field's own conversion, and
history rows are written as simple_history's bulk_history_create writes them. The same
transaction, the same rows.
"""

from collections.abc import Iterable
from types import NoneType

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.constants import OnConflict
from django.utils import timezone

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
)
_PLAIN_VALUES = (str, int, float, bool, NoneType)
_TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField)


class _Column:
    __slots__ = ("field", "attname", "auto_time", "auto_date", "plain", "seen")

    def __init__(self, field: models.Field) -> None:
        self.field = field
        self.attname = field.attname
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        self.auto_time = auto and isinstance(field, models.DateTimeField)
        self.auto_date = auto and not self.auto_time
        self.plain = isinstance(field, _PLAIN_FIELDS)
        # A batch's timestamps (and opening times) repeat: each is converted once.
        self.seen = {} if isinstance(field, _TIME_FIELDS) else None

    def value(self, obj: models.Model, now, connection):
        if self.auto_time:  # what pre_save does, with one time for the batch
            setattr(obj, self.attname, now)
        value = self.field.pre_save(obj, True) if self.auto_date else getattr(obj, self.attname)
        if self.plain and type(value) in _PLAIN_VALUES:
            return value
        if self.seen is None:
            return self.field.get_db_prep_save(value, connection)
        if value not in self.seen:
            self.seen[value] = self.field.get_db_prep_save(value, connection)
        return self.seen[value]


class _Fixed:
    """A column with one value for every row (a history row's date, user, reason, type)."""

    __slots__ = ("field", "prepared")

    def __init__(self, field: models.Field, value) -> None:
        self.field = field
        self.prepared = field.get_db_prep_save(value, connection)

    def value(self, obj, now, connection):
        return self.prepared


def _insert(model, columns: list, objs: list, *, ignore_conflicts: bool = False) -> None:
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quote = connection.ops.quote_name
    sql = "{} {} ({}) VALUES ({}) {}".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(column.field.column) for column in columns),
        ", ".join(["%s"] * len(columns)),
        connection.ops.on_conflict_suffix_sql(
            [column.field for column in columns], on_conflict, None, None
        )
        or "",
    )
    now = timezone.now()
    # The connection itself, not django.db.connection's thread-local lookup for every value.
    db = connections[DEFAULT_DB_ALIAS]
    rows = [[column.value(obj, now, db) for column in columns] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_objects(
    model: type[models.Model], objs: list, *, ignore_conflicts: bool = False
) -> None:
    """INSERT `objs` (unsaved instances) in one executemany, as bulk_create would."""
    if not objs:
        return
    opts = model._meta
    with_pk = objs[0].pk is not None  # UUIDs made in Python, or an AutoField left to the db
    columns = [
        _Column(field)
        for field in opts.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or field is not opts.pk)
    ]
    _insert(model, columns, objs, ignore_conflicts=ignore_conflicts)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def insert_history(
    model: type[models.Model],
    objs: Iterable,
    *,
    update: bool = False,
    user=None,
    reason: str = "",
) -> None:
    """The history rows simple_history's bulk_history_create writes for `objs` (one per
    object: '+' created, '~' changed), read straight from the objects: the historical
    model's tracked fields have the same names, its own fields one value for the batch."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    objs = list(objs)
    if not objs:
        return
    history = model.history.model
    user = user or history.get_default_history_user(objs[0])
    fixed = {
        "history_date": timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
        "history_type": "~" if update else "+",
    }
    tracked = {field.attname for field in history.tracked_fields}
    columns = []
    for field in history._meta.concrete_fields:
        if field.attname in tracked:
            columns.append(_Column(field))
        elif field.attname in fixed:
            columns.append(_Fixed(field, fixed[field.attname]))
        elif field is not history._meta.pk:
            raise ValueError(f"history field {field.attname} has no value")  # a new option
    _insert(history, columns, objs)
