"""What an import did or would do: counts, and the rows fixed, skipped or invalid.

Row numbers are spreadsheet rows: the header is row 1, the first record row 2. The report
stays small whatever the file: each cause (file, severity, column, message) is counted, and
only its first ROWS_PER_CAUSE rows are kept (MAX_ISSUES rows at most in all).
"""

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    INVALID = "invalid"  # the row cannot be imported: the whole import fails (no --skip-invalid)
    SKIPPED = "skipped"  # the row was left out (--skip-invalid, or its parent was left out)
    FIXED = "fixed"  # a value was cleaned up or completed; the row was imported
    WARNING = "warning"  # something the admin should know; nothing was changed


class ImportFailed(Exception):
    """Raised after the rollback when invalid rows made the import refuse to change anything."""

    def __init__(self, report: "Report") -> None:
        super().__init__(report.headline())
        self.report = report


@dataclass(slots=True)
class Issue:
    file: str
    row: int | None
    severity: Severity
    message: str
    field: str = ""

    def as_text(self) -> str:
        where = f"{self.file} row {self.row}" if self.row else self.file
        column = f" [{self.field}]" if self.field else ""
        return f"{where}: {self.severity}{column}: {self.message}"


@dataclass
class Report:
    ROWS_PER_CAUSE = 100
    MAX_ISSUES = 10_000
    MAX_CAUSES = 2_000  # further causes are counted in the severity totals only
    PROGRESS_EVERY = 500
    REMOVED_SHOWN = 50  # removed rows listed by name, a table at a time; the rest are counted
    REMOVED_TABLES = {
        "phones": "Phones",
        "opening_hours": "Opening hours",
        "service_at_location": "Service-at-location links",
    }

    source: str = ""
    kind: str = ""  # "HSDS 3.0", "HSDS 1.x/2.0", "flat CSV"
    dry_run: bool = False
    skip_invalid: bool = False
    applied: bool = False
    issues: list[Issue] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    unmapped: Counter = field(default_factory=Counter)  # (taxonomy, code, name) -> rows
    not_in_package: dict = field(default_factory=dict)  # table -> records of the source absent
    seconds: float = 0.0
    # Progress for a job's page: rows read so far, told to on_rows every PROGRESS_EVERY rows.
    rows_read: int = 0
    on_rows: Callable[[int], None] | None = field(default=None, repr=False, compare=False)
    causes: Counter = field(default_factory=Counter)  # (file, severity, field, message) -> n
    totals: Counter = field(default_factory=Counter)  # severity -> issues, kept or not
    invalid_rows: int = 0
    _last_invalid: tuple | None = None
    # Rows left out, by root cause: a row dropped because its parent was dropped counts under
    # the parent's cause, so the summary names one cause, not its hundreds of symptoms.
    dropped: dict = field(default_factory=dict)  # (file, row) -> root cause key
    root_rows: dict = field(default_factory=lambda: defaultdict(Counter))  # root -> file -> n
    missing_ids: dict = field(default_factory=lambda: defaultdict(dict))  # root -> ids (ordered)
    duplicates: int | None = None  # open possible duplicates among its organizations
    # The first REMOVED_SHOWN rows of each table a re-import deleted (phones, opening hours,
    # service-at-location links): table -> [(owner, value, reference)].
    removed: dict = field(default_factory=lambda: defaultdict(list))

    # -- recording -------------------------------------------------------------------------
    def add(self, file: str, row: int | None, severity: Severity, message: str, field_: str = ""):
        severity = Severity(severity)
        self.totals[severity] += 1
        if severity == Severity.INVALID and (file, row) != self._last_invalid:
            self.invalid_rows += 1  # a row's issues are reported together
            self._last_invalid = (file, row)
        cause = (file, severity, field_, message)
        if (
            cause not in self.causes
            and len(self.causes) >= self.MAX_CAUSES
            and severity != Severity.INVALID  # what stopped the import is always named
        ):
            return
        self.causes[cause] += 1
        if self.causes[cause] <= self.ROWS_PER_CAUSE and len(self.issues) < self.MAX_ISSUES:
            self.issues.append(Issue(file, row, severity, message, field_))

    def row_read(self) -> None:
        self.rows_read += 1
        if self.on_rows is not None and self.rows_read % self.PROGRESS_EVERY == 0:
            self.on_rows(self.rows_read)

    def fixed(self, file: str, row: int | None, field_: str, message: str) -> None:
        self.add(file, row, Severity.FIXED, message, field_)

    def warn(self, file: str, row: int | None, message: str, field_: str = "") -> None:
        self.add(file, row, Severity.WARNING, message, field_)

    def bad_row(
        self, file: str, row: int | None, message: str, field_: str = "", *, root=None
    ) -> None:
        """A row that cannot be imported: invalid (fatal) unless invalid rows are skipped."""
        severity = Severity.SKIPPED if self.skip_invalid else Severity.INVALID
        self.add(file, row, severity, message, field_)
        self._drop(file, row, root or ("row", file, field_, message))

    def missing_parent(
        self, file: str, row: int | None, column: str, sid: str, table: str, message: str = ""
    ) -> None:
        """A row pointing at an id its parent table does not have (a root cause)."""
        root = ("missing", file, column, table)
        self.missing_ids[root][sid] = None
        message = message or f"{column} {sid!r} is not in {table}"
        self.bad_row(file, row, message, column, root=root)

    def skipped(
        self, file: str, row: int | None, message: str, *, because: tuple | None = None
    ) -> None:
        """A row left out because a row it depends on was left out (not a fault of its own);
        `because`: that row's (file, row), whose cause this drop is counted under."""
        self.add(file, row, Severity.SKIPPED, message)
        self._drop(file, row, self.dropped.get(because) or ("row", file, "", message))

    def _drop(self, file: str, row: int | None, root: tuple) -> None:
        if row is None or (file, row) not in self.dropped:
            if row is not None:
                self.dropped[(file, row)] = root
            self.root_rows[root][file] += 1

    def count(self, table: str, outcome: str, n: int = 1) -> None:
        self.counts[table][outcome] += n

    def removed_row(self, table: str, *, owner: str, value: str, reference: str) -> None:
        """A stored phone, opening period or service-at-location link the package no longer
        has, deleted by this run (its count is the table's "removed"): kept by name for the
        first REMOVED_SHOWN, with its owner's `reference` ("location:<id>") for a link in
        the admin."""
        if len(self.removed[table]) < self.REMOVED_SHOWN:
            self.removed[table].append((owner, value, reference))

    def unmapped_term(self, *, taxonomy: str, code: str, name: str) -> None:
        self.unmapped[(taxonomy, code, name)] += 1

    # -- reading ---------------------------------------------------------------------------
    def by_severity(self) -> Counter:
        """Issues of each severity, all of them (not only the rows kept)."""
        return +self.totals

    @property
    def invalid(self) -> list[Issue]:
        """The invalid rows kept (the first of each cause)."""
        return [issue for issue in self.issues if issue.severity == Severity.INVALID]

    @property
    def ok(self) -> bool:
        return not self.totals[Severity.INVALID]

    def kept_by_cause(self) -> Counter:
        return Counter((i.file, i.severity, i.field, i.message) for i in self.issues)

    def cut_causes(self) -> list[tuple[tuple, int, int]]:
        """(cause, rows, rows kept) of the causes with rows left out, most frequent first."""
        kept = self.kept_by_cause()
        return [(c, n, kept[c]) for c, n in self.causes.most_common() if n > kept[c]]

    def headline(self) -> str:
        if not self.ok:
            n = self.invalid_rows
            prefix = "Dry run: " if self.dry_run else ""
            return (
                f"{prefix}{n} invalid row{'s' if n != 1 else ''}: nothing was changed. Fix them, "
                "or import with --skip-invalid to leave them out."
            )
        if self.dry_run:
            if self.counts and not self.changes():
                return "Dry run: the import would succeed and change nothing."
            return "Dry run: the import would succeed; nothing was changed."
        if not self.applied:
            return "Nothing was imported."
        if self.counts and not self.changes():
            if any(self.not_in_package.values()):  # records it no longer has, left as they are
                return "Import applied: nothing changed."
            return "Import applied: nothing changed (the package matches what is stored)."
        return "Import applied."

    UNCHANGED = frozenset({"unchanged", "merged into another record"})

    def changes(self) -> int:
        """Rows written, updated or removed (counted by what was really done)."""
        return sum(
            n
            for outcomes in self.counts.values()
            for outcome, n in outcomes.items()
            if outcome not in self.UNCHANGED
        )

    @staticmethod
    def tally(counts: dict) -> Counter:
        """What a run's counts (table -> outcome -> n, as stored) add up to: records added,
        changed and retired, and the other rows (phones, hours, links, tags) written or
        removed; all zero when the run changed nothing. A detail is "written", new or
        changed: the writers replace an owner's rows without telling which were there."""
        tally = Counter()
        for table, outcomes in counts.items():
            for outcome, n in outcomes.items():
                if outcome in Report.UNCHANGED:
                    continue
                if table in Report.RECORD_TABLES and outcome in Report.RECORD_OUTCOMES:
                    tally[Report.RECORD_OUTCOMES[outcome]] += n
                elif outcome == "removed":
                    tally["removed"] += n
                else:
                    tally["written"] += n
        return +tally

    RECORD_TABLES = frozenset({"organizations", "services", "locations"})
    RECORD_OUTCOMES = {"created": "added", "updated": "changed", "retired": "retired"}

    @classmethod
    def removed_named(cls, counts: dict, removed: dict) -> list[tuple[str, list, int]]:
        """(table, the rows named, how many were removed in all) for each table with removed
        rows named, from a report's counts and removed rows (this one's, or as stored)."""
        named = []
        for table in cls.REMOVED_TABLES:
            shown = (removed or {}).get(table) or []
            if shown:
                total = max((counts or {}).get(table, {}).get("removed", 0), len(shown))
                named.append((table, shown, total))
        return named

    def removed_dicts(self) -> dict[str, list[dict]]:
        """The removed rows named, by table, as stored with a run."""
        return {
            table: [
                {"owner": owner, "value": value, "reference": reference}
                for owner, value, reference in rows
            ]
            for table, rows in self.removed.items()
            if rows
        }

    def removed_lines(self) -> list[str]:
        """The phones, hours and links this run removed (would remove), each with whose it was."""
        lines = []
        verb = "that would be removed" if self.dry_run or not self.ok else "removed"
        for table, shown, total in self.removed_named(self.counts, self.removed_dicts()):
            lines.append(f"{self.REMOVED_TABLES[table]} {verb} ({total}):")
            lines += [f"  {row['owner']}: {row['value']}" for row in shown]
            if total > len(shown):
                lines.append(f"  ... and {total - len(shown)} more")
        return lines

    def cause_lines(self) -> list[str]:
        """Rows left out by root cause, most rows first, with what they took with them."""
        lines = []
        ranked = sorted(self.root_rows.items(), key=lambda item: -item[1].total())
        for root, by_file in ranked:
            own_file = root[1]
            n = by_file[own_file]
            if root[0] == "missing":
                _, _, column, table = root
                ids = list(self.missing_ids[root])
                shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
                line = (
                    f"{n} {own_file} rows point at {len(ids)} {column.removesuffix('_id')} "
                    f"id{'s' if len(ids) != 1 else ''} missing from {table}: {shown}"
                )
            else:
                _, _, field_, message = root
                column = f" [{field_}]" if field_ else ""
                line = f"{n} {own_file} row{'s' if n != 1 else ''}{column}: {message}"
            others = [f"{k} {f}" for f, k in by_file.most_common() if f != own_file]
            if others:
                line += "; left out as a consequence: " + ", ".join(others) + " rows"
            lines.append("  " + line)
        return ["Rows left out, by cause:", *lines] if lines else []

    def fix_lines(self) -> list[str]:
        """Values cleaned up, counted by file and column (the rows are listed below)."""
        fixed: Counter = Counter()
        for (file, severity, field_, _), n in self.causes.items():
            if severity == Severity.FIXED:
                fixed[(file, field_)] += n
        if not fixed:
            return []
        parts = [f"{n} {field_ or 'value'} in {file}" for (file, field_), n in fixed.most_common()]
        return ["Fixed on the way: " + ", ".join(parts)]

    def summary_lines(self) -> list[str]:
        lines = [self.headline(), f"Source: {self.source} ({self.kind})"]
        lines += self.cause_lines()
        lines += self.fix_lines()
        if self.counts:
            lines.append(
                "What a real run would do:" if self.dry_run or not self.ok else "What was done:"
            )
        main = ("organizations", "services", "locations", "service_at_location")
        for table in [
            *[t for t in main if t in self.counts],
            *sorted(set(self.counts) - set(main)),
        ]:
            parts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts[table].items()))
            lines.append(f"  {table}: {parts}")
        severities = self.by_severity()
        if severities:
            lines.append(
                "Report: " + ", ".join(f"{severities[s]} {s}" for s in Severity if severities[s])
            )
        for table, n in sorted(self.not_in_package.items()):
            if n:
                if self.counts.get(table, {}).get("retired"):
                    done = "retired"
                elif table == "locations":  # never retired: their services are
                    done = "left unchanged"
                else:
                    done = "left unchanged; --retire-missing retires them"
                lines.append(
                    f"  {n} {table} of source {self.source!r} are not in this package ({done})"
                )
        if self.duplicates:
            lines.append(
                f"{self.duplicates} possible duplicate{'s' * (self.duplicates > 1)} to review "
                "(Admin → Possible duplicates; manage.py find_duplicates)"
            )
        if self.unmapped:
            lines.append(f"Unmapped taxonomy terms: {len(self.unmapped)} (see below)")
        if self.seconds:
            lines.append(f"Time: {self.seconds:.1f} s")
        return lines

    def as_text(self, *, limit: int | None = None) -> str:
        lines = self.summary_lines()
        removed = self.removed_lines()
        if removed:
            lines += ["", *removed]
        ordered = sorted(
            self.issues, key=lambda i: (list(Severity).index(i.severity), i.file, i.row or 0)
        )
        if ordered:
            lines.append("")
        for issue in ordered[:limit]:
            lines.append(issue.as_text())
        if limit is not None and len(ordered) > limit:
            lines.append(f"... and {len(ordered) - limit} more (write them with --report)")
        for (file, severity, field_, message), n, kept in self.cut_causes()[:limit]:
            column = f" [{field_}]" if field_ else ""
            lines.append(
                f"{file}: {severity}{column}: {message}: {n} rows, the first {kept} listed"
            )
        if self.unmapped:
            lines.append("")
            lines.append("Unmapped taxonomy terms (add rules under Taxonomy mappings):")
            for (taxonomy, code, name), n in self.unmapped.most_common(limit):
                label = " ".join(p for p in (code, name) if p)
                lines.append(f"  {label} [{taxonomy or 'no taxonomy'}]: {n} row(s)")
        return "\n".join(lines)

    def write_csv(self, stream: io.TextIOBase) -> None:
        writer = csv.writer(stream)
        writer.writerow(["file", "row", "severity", "field", "message"])
        for issue in self.issues:
            writer.writerow(
                [issue.file, issue.row or "", issue.severity, issue.field, issue.message]
            )
        for (file, severity, field_, message), n, kept in self.cut_causes():
            more = f"{message} ({n - kept} more rows in {file})"
            writer.writerow(["", "", severity, field_, more])
        for (taxonomy, code, name), n in self.unmapped.most_common():
            writer.writerow(["", "", "unmapped", taxonomy, f"{code} {name} ({n} rows)".strip()])

    def to_dict(self, *, limit: int = 2000) -> dict:
        """For storing with an ImportRun (the issue list is capped)."""
        kept = self.kept_by_cause()
        return {
            "source": self.source,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "applied": self.applied,
            "summary": self.summary_lines(),
            "severities": dict(self.by_severity()),
            "counts": {table: dict(outcomes) for table, outcomes in self.counts.items()},
            "removed": self.removed_dicts(),
            "issues": [
                {
                    "file": i.file,
                    "row": i.row,
                    "severity": str(i.severity),
                    "field": i.field,
                    "message": i.message,
                }
                for i in sorted(
                    self.issues,
                    key=lambda i: (list(Severity).index(i.severity), i.file, i.row or 0),
                )[:limit]
            ],
            "issues_total": self.totals.total(),
            "causes": [
                {
                    "file": file,
                    "severity": str(severity),
                    "field": field_,
                    "message": message,
                    "count": n,
                    "shown": kept[(file, severity, field_, message)],
                }
                for (file, severity, field_, message), n in sorted(
                    self.causes.items(),
                    key=lambda item: (list(Severity).index(item[0][1]), -item[1]),
                )[:limit]
            ],
            "unmapped": [
                {"taxonomy": t, "code": c, "name": n, "rows": count}
                for (t, c, n), count in self.unmapped.most_common(limit)
            ],
        }
