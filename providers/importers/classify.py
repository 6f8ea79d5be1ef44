"""Needs (our service types) for a service: from its taxonomy terms through the mapping, or,
when none of its terms is known to the mapping, inferred from its own name and description by the
mapping's keyword rules (English and Spanish: the same admin-editable rules), and marked as
inferred. `evaluate` measures this against a hand-labelled set (bench/taxonomy_eval.csv)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from providers.importers.mapping import SERVICE_KINDS, Mapper

NEED = "service_type"
EVALUATION_SET = Path(__file__).resolve().parent.parent.parent / "bench" / "taxonomy_eval.csv"


@dataclass(frozen=True)
class Needs:
    term_ids: frozenset
    inferred: bool  # from the service's own words, not from its taxonomy terms


def needs_for(
    mapper: Mapper, *, name: str, description: str = "", terms: Iterable[tuple[str, str, str]]
) -> Needs:
    """`terms`: the service's outside terms as (taxonomy, code, name)."""
    found: set = set()
    known = False
    for taxonomy, code, term_name in terms:
        resolved = mapper.resolve(name=term_name, code=code, taxonomy=taxonomy, kinds=SERVICE_KINDS)
        known = known or resolved.known
        found |= {t for t in resolved.term_ids if mapper.kinds_of.get(t) == NEED}
    if known:  # a mapped term says what it is (a population code, a need, or nothing we list)
        return Needs(frozenset(found), inferred=False)
    return Needs(infer_needs(mapper, name=name, description=description), inferred=True)


def infer_needs(mapper: Mapper, *, name: str, description: str = "") -> frozenset:
    """Needs from a service's own words by the mapping's keyword rules (not cached: every
    service's text is different)."""
    text = " ".join(part for part in (name, description) if part)
    resolved = mapper.resolve(name=text, kinds=(NEED,), cache=False)
    return frozenset(t for t in resolved.term_ids if mapper.kinds_of.get(t) == NEED)


class InferredNeeds:
    """For an import: needs inferred from each service's words, written at the end for the
    services none of whose terms the mapping knows, and marked inferred for an editor."""

    def __init__(self, mapper: Mapper) -> None:
        self.mapper = mapper
        self.candidates: dict = {}  # service pk -> term ids (only services with some)
        self.coded: set = set()  # service pks with a term the mapping knows

    def add(self, service_pk, *, name: str, description: str) -> None:
        found = infer_needs(self.mapper, name=name or "", description=description or "")
        if found:
            self.candidates[service_pk] = found

    def known_term(self, service_pk) -> None:
        self.coded.add(service_pk)

    def write(self, report) -> int:
        """Tag the services without a known term; returns how many got a new tag."""
        from providers.importers.writer import Inserter, chunks
        from providers.models import Service

        pending = {pk: ids for pk, ids in self.candidates.items() if pk not in self.coded}
        terms = Inserter(Service.terms.through, ignore_conflicts=True)
        inferred = Inserter(Service.inferred_terms.through, ignore_conflicts=True)
        tagged = 0
        for part in chunks(list(pending)):
            # A tag the service already has (one an editor confirmed) is not marked again.
            had = set(
                Service.terms.through.objects.filter(service_id__in=part).values_list(
                    "service_id", "term_id"
                )
            )
            # ... and one an editor removed is not inferred again (rejected_terms).
            had |= set(
                Service.rejected_terms.through.objects.filter(service_id__in=part).values_list(
                    "service_id", "term_id"
                )
            )
            for pk in part:
                new = [term_id for term_id in pending[pk] if (pk, term_id) not in had]
                for term_id in new:
                    terms.add(service_id=pk, term_id=term_id)
                    inferred.add(service_id=pk, term_id=term_id)
                tagged += bool(new)
        terms.flush()
        inferred.flush()
        if tagged:
            report.count("services", "needs inferred from their words", tagged)
        return tagged


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0


def read_evaluation_set(path: Path = EVALUATION_SET) -> list[dict]:
    """Rows of name, description, terms ('CODE=Name;...'), needs ('slug;...')."""
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        row["terms"] = [
            ("AIRS", *part.split("=", 1)) for part in row["terms"].split(";") if "=" in part
        ]
        row["needs"] = {slug for slug in row["needs"].split(";") if slug}
    return rows


def evaluate(rows: list[dict], mapper: Mapper | None = None) -> dict[str, Score]:
    """Precision and recall per need over the rows, with the shipped default mapping."""
    mapper = mapper or Mapper.from_defaults()
    scores: dict[str, Score] = {}
    for row in rows:
        needs = needs_for(mapper, name=row["name"], description=row["description"],
                          terms=row["terms"])  # fmt: skip
        found = {term_id.split("/", 1)[1] for term_id in needs.term_ids}
        for slug in found | row["needs"]:
            score = scores.setdefault(slug, Score())
            if slug in found and slug in row["needs"]:
                score.true_positive += 1
            elif slug in found:
                score.false_positive += 1
            else:
                score.false_negative += 1
    return dict(sorted(scores.items()))
