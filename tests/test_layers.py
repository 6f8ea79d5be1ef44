"""The layers: the core (`providers`) imports none of the interfaces built on it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTERFACES = {"directory", "api", "referrals"}


def interface_imports(package: Path) -> list[str]:
    """Every `import x` / `from x import y` of an interface package in `package`'s modules,
    as "path:line module"."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in INTERFACES:
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {module}")
    return found


def test_providers_imports_no_interface():
    assert interface_imports(ROOT / "providers") == []


@pytest.mark.parametrize(
    "source",
    ["import api.views", "from directory.maps_adapter import results_map", "import referrals"],
)
def test_the_check_finds_an_import_of_an_interface(tmp_path, source):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "module.py").write_text(f"def f():\n    {source}\n")
    assert interface_imports(tmp_path / "core") == [f"core/module.py:2 {source.split()[1]}"]
