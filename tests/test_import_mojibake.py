"""The importer's mojibake repair runs ftfy only on the part of each line around its
non-ASCII characters (providers/importers/normalise.py, `_fix_line`); these tests hold that
it gives exactly what plain ftfy.fix_text gives on the whole text, over every text the
project's packages, fixtures and tests carry, the benchmark package, tricky strings, and
random mixtures of garbled and correct pieces with ASCII around them."""

import ast
import csv
import importlib.util
import json
import random
from pathlib import Path

import ftfy
import pytest
from messy211 import write_messy_211

from providers.importers import normalise

ROOT = Path(__file__).resolve().parent.parent


def plain_ftfy(value: str) -> str:
    """The way it was: ftfy on the whole text, with the importer's settings."""
    return ftfy.fix_text(value, uncurl_quotes=False, unescape_html=False, fix_line_breaks=False)


def fragment_ftfy(value: str) -> str:
    return "".join(normalise._fix_line(line) for line in normalise._LINE.findall(value))


def csv_cells(path: Path):
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            yield from row


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def project_strings():
    """Every string literal in the tests and every text in fixtures/."""
    texts = set()
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.add(node.value)
    for path in sorted((ROOT / "fixtures").iterdir()):
        if path.suffix == ".json":
            texts.update(json_strings(json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".csv":
            texts.update(csv_cells(path))
    return texts


TRICKY = [
    "voilÃ le travail",  # 'à' whose a0 byte became a space
    "Ã quele", "Ã s ", "Ã s", "daÃ", "Ã\n", "Â\n", "families.Â <p>Row 7", "Â ",
    "donâ€™t", "â€", "â€ end", "the â€œbestâ€\x9d", "â€œquotedâ€.", "(â€˜sicâ€™)",
    "AgencyGÇÖs office", "AttorneyΓÇÖs", "cafÃ© and café", "Ã©cole cafÃ© niño",
    "Español: ¿Dónde está la oficina? Sí, señora.", "Atención a víctimas — 24 horas",
    "mixed 日本語 and Ã©", "emoji 😀 and ðŸ˜€", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚ привет", "Ã¢â‚¬â„¢ twice",
    "&amp; &eacute; &lt;b&gt; Ã©", "&nbsp;Â", "red\x1b[31m text\x1b[0m Ã©", "nul\x00 Ã©",
    "c1 \x93quoted\x94 Â", "ﬁnancial ＡＢＣ aid", "e\u0301 combining", "\u0301 alone",
    "Â£5 fee", "Ã¼ber", "√± x", "×² y", "Œuvre œ1", "â? lossy Ã?", "Ã\x1a", "вЂ™ cp1251",
    "line one Ã©\nline two\r\nline three â€™\n\nÂ", "\ufeffBOM Ã©", "tab\tÃ©\tend",
    "a" * 50 + "Ã©" + "b" * 50, "Ã©" + " word" * 30 + " â€™",
]  # fmt: skip
PIECES = [
    "Ã ", "Ã", "â€™", "â€", "â€œ", "â€\x9d", "Â", "Ã©", "cafÃ©", "café", "niño", "¿Dónde?",
    "“quoted”", "’", "😀", "ðŸ˜€", "日本", "æ—¥æœ¬", "Ð¿Ñ€", "&eacute;", "\x1b[31m", "\x85",
    "\x93", "ﬁ", "ＡＢ", "quele", "s", "Â£5", "e\u0301", "?", "Ã?", "\x1a", "\t", "\n", ".",
    "ГўВЂВ", "Ã¢â‚¬â„¢", "Œ", "Ø", "\u2028", "word", "a",
]  # fmt: skip
GAPS = ["", " ", "  ", "a ", " que", " and the office ", "quele ", " s ", ". ", "Row 12 "]


def mixtures(count: int):
    rng = random.Random(16)
    for _ in range(count):
        yield "".join(rng.choice(PIECES) + rng.choice(GAPS) for _ in range(rng.randint(1, 8)))


def assert_same(texts):
    texts = [t for t in texts if not t.isascii()]
    assert texts
    differ = [(t, plain_ftfy(t), fragment_ftfy(t)) for t in texts]
    assert [d for d in differ if d[1] != d[2]] == []


def test_tricky_strings_and_mixtures():
    assert_same([*TRICKY, *mixtures(5000)])


def test_every_string_in_tests_and_fixtures():
    assert_same(project_strings())


def test_211_packages(tmp_path):
    """The tests' messy 211 package and the import benchmark's (3,000 services)."""
    write_messy_211(tmp_path / "messy")
    spec = importlib.util.spec_from_file_location("import_211", ROOT / "bench" / "import_211.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.generate(tmp_path / "bench", 3000)
    cells = [c for folder in ("messy", "bench") for p in sorted((tmp_path / folder).glob("*.csv"))
             for c in csv_cells(p)]  # fmt: skip
    assert_same(cells)


@pytest.mark.parametrize(
    "value, repaired",
    [
        ("The AgencyGÇÖs office ###MON### 12", "The Agency’s office ###MON### 12"),
        ("Help for families.Â <p>Row 5", "Help for families.\xa0<p>Row 5"),
        ("Servicios para víctimas", None),
    ],
)
def test_repair_characters(value, repaired):
    assert normalise.repair_characters(value)[0] == (repaired or value)
