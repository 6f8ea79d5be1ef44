"""Load our taxonomies, languages and national hotlines from fixtures/ (idempotent)."""

import json
from pathlib import Path

from django.apps import apps as global_apps

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _read(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_reference_data(apps=global_apps) -> dict[str, int]:
    """Create or update every term, language and hotline; returns counts by kind."""
    Term = apps.get_model("providers", "Term")
    Language = apps.get_model("providers", "Language")
    Hotline = apps.get_model("providers", "Hotline")
    counts: dict[str, int] = {}
    for kind, terms in _read("taxonomy.json").items():
        for position, term in enumerate(terms):
            Term.objects.update_or_create(
                kind=kind,
                slug=term["slug"],
                defaults={
                    "name": term["name"],
                    "name_es": term.get("name_es", ""),
                    "description": term.get("description", ""),
                    "description_es": term.get("description_es", ""),
                    "position": position,
                },
            )
        counts[kind] = len(terms)
    languages = _read("languages.json")
    for code, name, name_es, native in languages:
        Language.objects.update_or_create(
            code=code, defaults={"name": name, "name_es": name_es, "native_name": native}
        )
    counts["languages"] = len(languages)
    hotlines = _read("hotlines.json")
    for position, hotline in enumerate(hotlines):
        fields = {k: v for k, v in hotline.items() if k != "slug"}
        Hotline.objects.update_or_create(
            slug=hotline["slug"], defaults={**fields, "position": position}
        )
    counts["hotlines"] = len(hotlines)
    return counts


def vocabulary_msgids() -> list[str]:
    """The English texts of our vocabularies, which the catalogs translate (docs/languages.md).

    Term names and descriptions, language names and hotline names, descriptions and hours,
    in fixture order, each once.
    """
    texts = []
    for terms in _read("taxonomy.json").values():
        for term in terms:
            texts += [term["name"], term.get("description", "")]
    texts += [name for _code, name, _name_es, _native in _read("languages.json")]
    for hotline in _read("hotlines.json"):
        texts += [hotline["name"], hotline.get("description", ""), hotline.get("hours", "")]
    return list(dict.fromkeys(text for text in texts if text))
