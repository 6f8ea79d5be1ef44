"""The source an import writes: the name that, with each record's id, finds a record again
on re-import. It must name the publisher's directory, not a template or a download, so that
two packages never share one and overwrite each other's records (docs/import.md)."""

import re
from pathlib import Path

from providers.importers.package import PackageError

# Words that name a template, a format or a download, not a directory. A name made only of
# these, numbers and versions ('hsds-template', 'HSDS 3.0 example', '211-export', 'data (2)')
# does not say whose directory it is.
GENERIC_WORDS = {
    "archive", "copy", "csv", "data", "datapackage", "default", "download",
    "downloads", "example", "examples", "export", "exports", "file", "files", "folder", "hsds",
    "human", "latest", "main", "master", "my", "new", "open", "openreferral", "package",
    "referral", "resources", "sample", "samples", "service", "services", "tabular", "template",
    "templates", "test", "untitled", "zip",
}  # fmt: skip
_VERSIONISH = re.compile(r"v?\d+[a-z]?")
# What copying and downloading add to a file or folder name: 'x (1)', 'x copy', 'Copy of x',
# 'x-2024-05-01'. The same package under another path keeps its source.
_COPY_MARKS = re.compile(
    r"^copy of\s+|\s*\(\d+\)$|[\s_-]+copy(\s*\d+)?$|[\s_-]+\d{4}-?\d{2}-?\d{2}(t\d+)?$",
    re.IGNORECASE,
)


class SourceNameNeeded(PackageError):
    """The package's own name cannot tell its records apart from another package's."""


def is_generic(name: str) -> bool:
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    return all(w in GENERIC_WORDS or _VERSIONISH.fullmatch(w) for w in words)


def stem_name(path: Path) -> str:
    """A folder or file name without what copies and downloads add to it."""
    name, previous = path.stem if path.is_file() else path.name, None
    while name != previous:
        previous, name = name, _COPY_MARKS.sub("", name).strip()
    return name


def source_name(given: str | None, *, package_name: str, path: Path) -> str:
    """The source: the name given, else the package's own name (datapackage.json), else the
    folder or file name. Raises SourceNameNeeded when that name is a generic one."""
    if given and given.strip():
        return given.strip()[:100]
    name = package_name.strip() or stem_name(path)
    if is_generic(name):
        raise SourceNameNeeded(
            f"The package is named {name!r}, a template or download name that another "
            "package may carry too: its records could overwrite that package's. Name the "
            "source: --source NAME on the command line (the Source name field in the admin), "
            "e.g. --source harbor-county-211. Use the same name every time you import this "
            "directory; nothing was changed."
        )
    return name[:100]
