"""Taxonomy mapping benchmark: the needs the shipped default mapping (codes, then the keyword
classifier on a service's own words) gives the hand-labelled services of
bench/taxonomy_eval.csv, as precision and recall per need. Not part of the tests (the bars
are held by tests/test_taxonomy_eval.py).

    .venv/bin/python bench/taxonomy.py [--misses]
"""

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
django.setup()

from providers.importers.classify import (  # noqa: E402
    evaluate,
    needs_for,
    read_evaluation_set,
)
from providers.importers.mapping import Mapper  # noqa: E402

BARS = "victim advocacy precision >= 0.90; every need's recall >= 0.85"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses", action="store_true", help="list services not labelled as expected"
    )
    args = parser.parse_args()
    rows, mapper = read_evaluation_set(), Mapper.from_defaults()
    inferred = sum(
        needs_for(mapper, name=r["name"], description=r["description"], terms=r["terms"]).inferred
        for r in rows
    )
    print(f"{len(rows)} services ({inferred} with needs inferred from their own words)")
    print(f"{'need':30} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for slug, score in evaluate(rows, mapper).items():
        print(
            f"{slug:30} {score.precision:9.2f} {score.recall:7.2f} {score.true_positive:4} "
            f"{score.false_positive:4} {score.false_negative:4}"
        )
    print(f"bars: {BARS}")
    if args.misses:
        for row in rows:
            needs = needs_for(mapper, name=row["name"], description=row["description"],
                              terms=row["terms"])  # fmt: skip
            found = {term_id.split("/", 1)[1] for term_id in needs.term_ids}
            if found != row["needs"]:
                print(f"  {row['name']}: {sorted(found)} (expected {sorted(row['needs'])})")


if __name__ == "__main__":
    main()
