"""Reading a folder or a .zip of CSV files as streams of rows, tolerant of real exports:
a byte-order mark, Windows-1252 text, headers in any case with stray spaces, blank rows,
files inside one sub-folder of the zip. Nothing is extracted to disk.
"""

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from providers.importers import hsds_json
from providers.importers.report import Report

csv.field_size_limit(16 * 1024 * 1024)
MB = 1024 * 1024
# A zip of up to this size may always unpack to it, whatever the ratio: small files compress
# unevenly, and 10 MB is no danger.
UNPACKED_FLOOR_BYTES = 10 * MB


class PackageError(Exception):
    """The package as a whole cannot be read (not a folder or zip, no CSV files, ...)."""


def _refuse_a_zip_bomb(path: Path, unpacked: int) -> None:
    """Refuse a zip whose tables unpack to much more than the zip weighs, or to too much.

    The sizes are the ones the zip declares; zipfile never unpacks a member past its declared
    size (a zip that lies fails its checksum), so nothing larger is ever read.
    """
    ratio, cap_mb = settings.IMPORT_MAX_UNPACK_RATIO, settings.IMPORT_MAX_UNPACKED_MB
    if unpacked > cap_mb * MB:
        raise PackageError(
            f"The zip unpacks to more than {cap_mb} MB (IMPORT_MAX_UNPACKED_MB); "
            "refusing to read it."
        )
    if unpacked > max(ratio * path.stat().st_size, UNPACKED_FLOOR_BYTES):
        raise PackageError(
            f"The zip unpacks to {unpacked // MB} MB, more than {ratio} times its own size "
            f"({max(path.stat().st_size // 1024, 1)} KB): refusing to read it (it may be a "
            f"zip bomb). A zip may unpack to at most {ratio} times its size "
            "(IMPORT_MAX_UNPACK_RATIO)."
        )


def normalise_header(name: str | None) -> str:
    name = (name or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", name)


class Package:
    """A folder or zip of CSV tables, looked up by file name in any letter case."""

    def __init__(self, path: str | Path, report: Report) -> None:
        self.path = Path(path)
        self.report = report
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str | Path] = {}
        self._encodings: dict[str, str] = {}
        self._metadata: dict | None = None
        self._virtual: dict[str, bytes] = {}  # tables read from HSDS JSON, as CSV
        self.json_name = ""  # the HSDS JSON file read as tables, if any
        self._nul_rows: set[tuple[str, int]] = set()  # reported once, though read again
        self.read: set[str] = set()  # the tables whose rows were asked for
        if self.path.is_dir():
            # Tables at the top or in sub-folders (data/services.csv): the shallowest of each
            # name, as in a zip.
            children = [
                child
                for depth in ("*", "*/*", "*/*/*")
                for child in sorted(self.path.glob(depth))
                if child.is_file() and child.suffix.lower() in {".csv", ".json"}
            ]
            for child in children:
                self._members.setdefault(child.name.lower(), child)
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            infos = [
                info
                for info in self._zip.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX")
                and info.filename.lower().endswith((".csv", ".json"))
            ]
            _refuse_a_zip_bomb(self.path, sum(info.file_size for info in infos))
            # Tables may sit at the top or inside one folder: take the shallowest of each name.
            for info in sorted(infos, key=lambda i: i.filename.count("/")):
                self._members.setdefault(info.filename.rsplit("/", 1)[-1].lower(), info.filename)
        elif self.path.exists():
            raise PackageError(f"{self.path.name} is neither a folder nor a .zip file.")
        else:
            raise PackageError(f"{self.path} does not exist.")
        self._read_resources()
        if not any(name.endswith(".csv") for name in self._members):
            self._read_json()
        if not any(name.endswith(".csv") for name in self._members):
            raise PackageError(f"No CSV files found in {self.path.name}.")

    def _read_json(self) -> None:
        """HSDS 3.x JSON (a list of services with everything nested): read as its tables."""
        for name in sorted(self._members):
            if not name.endswith(".json") or name == "datapackage.json":
                continue
            try:
                with self._open_bytes(name) as stream:
                    data = json.loads(stream.read().decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError) as error:
                raise PackageError(f"{name} is not valid JSON ({error}).") from None
            except RecursionError:  # arrays or objects nested thousands deep
                raise PackageError(f"{name} is not valid JSON (nested too deep).") from None
            services = hsds_json.services_in(data)
            if services is None:
                raise PackageError(
                    f"{name} is not HSDS JSON: expected a list of services, each with its "
                    "organization and locations nested."
                )
            try:
                self._virtual = hsds_json.flatten(services)
            except hsds_json.ShapeError as error:
                raise PackageError(f"{name} is not HSDS JSON ({error}).") from None
            self._members.update({table: table for table in self._virtual})
            self.json_name = name
            return

    def _read_resources(self) -> None:
        """datapackage.json's resources name their tables' paths (`data/services.csv`, or a
        file named otherwise): each is read as its resource's table."""
        resources = self.metadata().get("resources") if self.has("datapackage.json") else None
        if not isinstance(resources, list):
            return
        base = self._members["datapackage.json"]
        for resource in resources:
            if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                continue
            path = resource["path"].replace("\\", "/").strip()
            if not path.lower().endswith(".csv") or path.startswith("/") or ".." in path:
                continue
            table = path.rsplit("/", 1)[-1].lower()
            if self._zip is not None:
                folder = str(base).rsplit("/", 1)[0] + "/" if "/" in str(base) else ""
                member = folder + path
                if member in self._zip.namelist():
                    self._members[table] = member
                    continue
            else:
                member = Path(base).parent / path
                if member.is_file():
                    self._members[table] = member
                    continue
            self.report.warn(
                "datapackage.json", None, f"resource {table} names {path!r}, which is not there"
            )

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- files -----------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name.lower() in self._members

    def files(self) -> list[str]:
        return sorted(self._members)

    def unread(self) -> list[str]:
        """The CSV tables with rows that no one asked for (not a Mac's "._" shadow file)."""
        return [
            name
            for name in self.files()
            if name.endswith(".csv")
            and name not in self.read
            and not name.startswith("._")
            and self.count_rows(name) > 0  # a header alone loses nothing
        ]

    def _open_bytes(self, name: str):
        if name.lower() in self._virtual:
            return io.BytesIO(self._virtual[name.lower()])
        member = self._members[name.lower()]
        if self._zip is not None:
            return self._zip.open(member)
        return open(member, "rb")  # noqa: SIM115 - closed by the caller

    def metadata(self) -> dict:
        """datapackage.json if present and readable (the HSDS example ships a broken one)."""
        if not self.has("datapackage.json"):
            return {}
        if self._metadata is None:
            try:
                with self._open_bytes("datapackage.json") as stream:
                    data = json.loads(stream.read().decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError):
                self.report.warn("datapackage.json", None, "not valid JSON; ignored")
                data = {}
            self._metadata = data if isinstance(data, dict) else {}
        return self._metadata

    def metadata_name(self) -> str:
        """The package's own name in datapackage.json, or ""."""
        return str(self.metadata().get("name") or "").strip()

    def _encoding(self, name: str) -> str:
        """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1252."""
        if name not in self._encodings:
            decoder = codecs.getincrementaldecoder("utf-8")()
            encoding = "utf-8-sig"
            with self._open_bytes(name) as stream:
                try:
                    while chunk := stream.read(1 << 20):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    encoding = "cp1252"
            if encoding == "cp1252":
                self.report.fixed(name, None, "", "not UTF-8: read as Windows-1252")
            self._encodings[name] = encoding
        return self._encodings[name]

    def count_rows(self, name: str) -> int:
        """Roughly the number of records (line breaks), for a progress bar."""
        if not self.has(name):
            return 0
        lines = 0
        with self._open_bytes(name) as stream:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)

    def rows(self, name: str) -> Iterator[tuple[int, dict]]:
        """(row number, {normalised header: raw value}) for each non-blank record."""
        if not self.has(name):
            return
        self.read.add(name.lower())
        encoding = self._encoding(name)
        with self._open_bytes(name) as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            reader = csv.reader(stream)
            try:
                header = [normalise_header(h) for h in next(reader)]
            except StopIteration:
                return
            except csv.Error as error:
                self.report.bad_row(name, 1, f"cannot read the header: {error}")
                return
            if len(set(header)) != len(header):
                dupes = sorted({h for h in header if header.count(h) > 1})
                self.report.warn(name, 1, f"repeated columns {dupes}: the last one is used")
            row_number = 1
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    row_number += 1
                    self.report.bad_row(name, row_number, f"cannot read the row: {error}")
                    continue
                row_number += 1
                # The row's cells run together answer both questions (blank, a NUL) at once.
                joined = "".join(values)
                if not joined.strip():
                    continue
                if "\x00" in joined:
                    nul = next(i for i, value in enumerate(values) if "\x00" in value)
                    # No database text field can hold NUL (PostgreSQL refuses it outright).
                    if (name, row_number) not in self._nul_rows:
                        self._nul_rows.add((name, row_number))
                        column = header[nul] if nul < len(header) else ""
                        message = "contains a NUL character (\\x00)"
                        self.report.bad_row(name, row_number, message, column)
                    continue
                if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                    self.report.warn(
                        name,
                        row_number,
                        f"{len(values) - len(header)} more values than columns; extra ignored",
                    )
                self.report.row_read()  # a job's progress
                yield row_number, dict(zip(header, values, strict=False))

    def headers(self, name: str) -> list[str]:
        if not self.has(name):
            return []
        with self._open_bytes(name) as raw:
            stream = io.TextIOWrapper(
                raw, encoding=self._encoding(name), errors="replace", newline=""
            )
            try:
                return [normalise_header(h) for h in next(csv.reader(stream))]
            except (StopIteration, csv.Error):
                return []
