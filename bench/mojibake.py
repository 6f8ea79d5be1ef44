"""Mojibake repair over every cell of the import benchmark's 211-shaped package, side by
side: plain ftfy.fix_text on each whole cell (as the importer did) against the importer's
repair_characters (ftfy on the part of each line around its non-ASCII characters, cached),
as the importer's text() calls them. Checks both give the same text; prints CPU s. Not a test.

    .venv/bin/python bench/mojibake.py [--services 100000]
"""

import argparse
import csv
import sys
import time
import unicodedata
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_211 import ROOT, generate  # noqa: E402

sys.path.insert(0, str(ROOT))
from providers.importers import normalise  # noqa: E402


def plain(value: str) -> str:
    if value.isascii():
        return value
    out = normalise._CP437_MOJIBAKE.sub(normalise._undo_cp437, value)
    return ftfy.fix_text(out, uncurl_quotes=False, unescape_html=False, fix_line_breaks=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100000)
    n = parser.parse_args().services
    folder = ROOT / "var" / f"bench-211-{n}"
    if not (folder / "eligibility.csv").exists():
        generate(folder, n)
    cells = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    # As the importer's text() hands them over: NFC, no-break spaces made plain spaces.
    cells = [unicodedata.normalize("NFC", c).replace("\xa0", " ") for c in cells]
    garbled = sum(not c.isascii() for c in cells)
    print(f"Package: {n:,} services; {len(cells):,} cells, {garbled:,} not plain ASCII")
    results = {}
    for label, repair in (
        ("plain ftfy", plain),
        ("repair_characters", normalise.repair_characters),
    ):
        start = time.process_time()
        results[label] = [repair(cell) for cell in cells]
        print(f"{label:<18} {time.process_time() - start:6.2f} CPU s")
    same = results["plain ftfy"] == [text for text, _ in results["repair_characters"]]
    print("same text:", same)


if __name__ == "__main__":
    main()
