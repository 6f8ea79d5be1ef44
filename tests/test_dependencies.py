"""Every development and build dependency pyproject.toml declares is used: imported by a
module of this repository, or run by the Makefile. One nothing uses is only more to install,
pin and audit (requests and factory-boy were such)."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# How a dependency is used when not by its own import name (the name, "-" read as "_").
USED_AS = {
    "pytest-xdist": ("Makefile", "pytest -n "),
    "ruff": ("Makefile", "ruff check"),
}
FOLDERS = ("api", "bench", "directory", "fixtures", "providers", "referrals", "tests", "tools")


def _declared() -> list[str]:
    groups = PYPROJECT["dependency-groups"]
    return [re.split(r"[<>=\[; ]", spec, maxsplit=1)[0] for spec in groups["dev"] + groups["build"]]


def _python_sources() -> str:
    files = [ROOT / "manage.py"]
    for folder in FOLDERS:
        files += (ROOT / folder).rglob("*.py")
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.fixture(scope="module")
def sources() -> str:
    return _python_sources()


@pytest.mark.parametrize("name", _declared())
def test_a_declared_dependency_is_used(name, sources):
    if name in USED_AS:
        file, text = USED_AS[name]
        assert text in (ROOT / file).read_text(encoding="utf-8"), f"{name}: not in {file}"
        return
    module = name.lower().replace("-", "_")
    imported = re.search(rf"^\s*(import|from) {module}\b", sources, flags=re.M)
    assert imported, f"{name} is declared in pyproject.toml but nothing imports {module}"
