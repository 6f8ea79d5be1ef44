"""Outside taxonomy terms onto ours, through the admin-editable TaxonomyMapping rules.

Order of precedence, for one outside term (taxonomy, code, name):
1. a term of our own taxonomies (as we export them), matched by slug or name;
2. exact-name rules: if any matches, only they apply (how an admin corrects a keyword);
3. otherwise every matching code rule (the code or a longer code below it) and every
   matching keyword rule apply together.
Rules without a term say "known, no equivalent". Only terms of the kinds that fit where the
outside term is attached are kept (service: needs, victimization, populations; location:
accessibility), and an AIRS target-population code (Y...) gives populations only.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as global_apps

DEFAULTS = Path(__file__).resolve().parent.parent.parent / "fixtures" / "taxonomy_mapping.json"

# Our own taxonomies as the one HSDS mapping names them (providers/hsds.py): recognised on
# import by this prefix.
OUR_TAXONOMY_PREFIX = "Resource Map"

SERVICE_KINDS = ("service_type", "victimization", "population")
LOCATION_KINDS = ("accessibility",)


def load_default_mapping(apps=global_apps) -> int:
    """Create the shipped default rules that are missing; never touches edited rules."""
    Term = apps.get_model("providers", "Term")
    TaxonomyMapping = apps.get_model("providers", "TaxonomyMapping")
    terms = {f"{t.kind}/{t.slug}": t for t in Term.objects.all()}
    created = 0
    for rule in json.loads(DEFAULTS.read_text(encoding="utf-8"))["rules"]:
        targets = [terms[key] for key in rule["terms"]] if rule["terms"] else [None]
        for term in targets:
            _, made = TaxonomyMapping.objects.get_or_create(
                match=rule["match"],
                pattern=rule["pattern"],
                taxonomy=rule.get("taxonomy", ""),
                term=term,
                defaults={"note": rule.get("note", ""), "is_default": True},
            )
            created += made
    return created


def _keyword_regex(pattern: str) -> re.Pattern:
    words = []
    for word in pattern.lower().split():
        if word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"[\w'-]*")
        else:
            words.append(re.escape(word))
    return re.compile(r"(?<![\w])" + r"[\s/,&-]+".join(words) + r"(?![\w])", re.IGNORECASE)


@functools.cache
def _first_word(pattern: str) -> str:
    """The literal start of a keyword pattern, lower case (`Counsel* services` → counsel)."""
    words = pattern.lower().split()
    return words[0].rstrip("*") if words else ""


def _code_matches(code: str, pattern: str) -> bool:
    """FT matches FT and FT-3600.1500 but not FTX or a UUID that happens to start with FT."""
    code, pattern = code.upper(), pattern.upper()
    if code == pattern:
        return True
    return code.startswith(pattern) and not code[len(pattern)].isalnum()


_AIRS_CODE = re.compile(r"^[A-Z]{1,2}(-\d{4}(\.\d{4}(-\d{3}(\.\d{2})?)?)?)?\*?$", re.IGNORECASE)


@dataclass
class Resolved:
    """Which of our terms an outside term means; `known` is False when nothing matched."""

    term_ids: frozenset = frozenset()
    known: bool = False


@dataclass
class Mapper:
    """Resolves outside terms, caching each answer (a package repeats the same terms)."""

    rules: list = field(default_factory=list)  # (match, pattern, taxonomy, term_id, kind, re)
    own: dict = field(default_factory=dict)  # (kind, slug-or-lowered-name) -> term id
    kinds_of: dict = field(default_factory=dict)  # term id -> kind
    _cache: dict = field(default_factory=dict)
    _index: dict = field(default_factory=dict)  # rules by name and by kinds, built once

    @classmethod
    def from_database(cls) -> "Mapper":
        from providers.models import TaxonomyMapping, Term

        mapper = cls()
        for term in Term.objects.all():
            mapper.own[(term.kind, term.slug)] = term.id
            mapper.own[(term.kind, term.name.lower())] = term.id
            if term.name_es:
                mapper.own.setdefault((term.kind, term.name_es.lower()), term.id)
            mapper.kinds_of[term.id] = term.kind
        for rule in TaxonomyMapping.objects.select_related("term"):
            kind = rule.term.kind if rule.term_id else None
            regex = _keyword_regex(rule.pattern) if rule.match == "keyword" else None
            mapper.rules.append(
                (
                    rule.match,
                    rule.pattern.strip(),
                    rule.taxonomy.strip().lower(),
                    rule.term_id,
                    kind,
                    regex,
                )
            )
        return mapper

    @classmethod
    def from_defaults(cls) -> "Mapper":
        """The shipped default rules and our taxonomies, without a database: term ids are
        'kind/slug' (the evaluation in providers/importers/classify.py measures these)."""
        mapper = cls()
        taxonomy = json.loads((DEFAULTS.parent / "taxonomy.json").read_text(encoding="utf-8"))
        for kind, terms in taxonomy.items():
            for term in terms if isinstance(terms, list) else []:
                key = f"{kind}/{term['slug']}"
                mapper.own[(kind, term["slug"])] = key
                mapper.own[(kind, term["name"].lower())] = key
                if term.get("name_es"):
                    mapper.own.setdefault((kind, term["name_es"].lower()), key)
                mapper.kinds_of[key] = kind
        for rule in json.loads(DEFAULTS.read_text(encoding="utf-8"))["rules"]:
            regex = _keyword_regex(rule["pattern"]) if rule["match"] == "keyword" else None
            for key in rule["terms"] or [None]:
                kind = key.split("/")[0] if key else None
                taxonomy_name = rule.get("taxonomy", "").strip().lower()
                mapper.rules.append(
                    (rule["match"], rule["pattern"].strip(), taxonomy_name, key, kind, regex)
                )
        return mapper

    def own_term(self, kind: str, value: str):
        """One of our terms by slug or name (English or Spanish), or None."""
        return self.own.get((kind, value)) or self.own.get((kind, value.strip().lower()))

    def resolve(
        self,
        *,
        name: str,
        code: str = "",
        taxonomy: str = "",
        kinds: Iterable[str],
        cache: bool = True,
    ) -> Resolved:
        kinds = tuple(kinds)
        if not cache:
            return self._resolve(name=name, code=code, taxonomy=taxonomy, kinds=kinds)
        key = (name, code, taxonomy, kinds)
        if key not in self._cache:
            self._cache[key] = self._resolve(name=name, code=code, taxonomy=taxonomy, kinds=kinds)
        return self._cache[key]

    def _by_name(self) -> dict:
        """Exact-name rules by lowered name: (taxonomy, term id, kind)."""
        if "by_name" not in self._index:
            index = self._index["by_name"] = {}
            for match, pattern, rule_tax, term_id, kind, _ in self.rules:
                if match == "name":
                    index.setdefault(pattern.lower(), []).append((rule_tax, term_id, kind))
        return self._index["by_name"]

    def _rules_for(self, kinds: tuple) -> list:
        """Code and keyword rules that can give one of `kinds` (or mark a term known), each
        with its pattern's first word."""
        if kinds not in self._index:
            self._index[kinds] = [
                (*rule, _first_word(rule[1]))
                for rule in self.rules
                if rule[0] != "name" and rule[4] in (None, *kinds)
            ]
        return self._index[kinds]

    def _resolve(self, *, name: str, code: str, taxonomy: str, kinds: tuple) -> Resolved:
        name_l, taxonomy_l = name.strip().lower(), taxonomy.strip().lower()
        # Our own terms by name anywhere; by slug (as the code) in our taxonomies or a tag.
        ours = taxonomy_l.startswith(OUR_TAXONOMY_PREFIX.lower()) or not taxonomy_l
        own = [
            self.own_term(kind, name_l) or (ours and code and self.own_term(kind, code))
            for kind in kinds
        ]
        own = [term_id for term_id in own if term_id]
        if own:
            return Resolved(frozenset(own), True)

        exact = [
            (term_id, kind)
            for rule_tax, term_id, kind in self._by_name().get(name_l, ())
            if not rule_tax or rule_tax in taxonomy_l
        ]
        if exact:
            return Resolved(frozenset(t for t, k in exact if t and k in kinds), True)
        found: set = set()
        known = False
        code_ok = bool(code) and bool(_AIRS_CODE.match(code.strip()))
        if code_ok and code.strip().upper().startswith("Y"):
            # AIRS Y codes say who is served ("Licensed Vocational Nurses"), never what is
            # offered: their code and words map to populations only.
            kinds = tuple(kind for kind in kinds if kind == "population")
        for match, pattern, rule_tax, term_id, _kind, regex, first_word in self._rules_for(kinds):
            if rule_tax and rule_tax not in taxonomy_l:
                continue
            if match == "code" and code_ok and _code_matches(code.strip(), pattern):
                pass
            # A keyword's first word must be in the text before its pattern is tried: the
            # words of a 100,000-service import are read by 150 rules.
            elif not (match == "keyword" and name and first_word in name_l and regex.search(name)):
                continue
            known = True
            if term_id:
                found.add(term_id)
        return Resolved(frozenset(found), known)


# ISO 639-2/3 codes (and a few common spellings) for the languages we list by 639-1 code.
_LANGUAGE_ALIASES = {
    "eng": "en", "spa": "es", "zho": "zh", "chi": "zh", "vie": "vi", "tgl": "tl", "fil": "tl",
    "filipino": "tl", "kor": "ko", "ara": "ar", "fra": "fr", "fre": "fr", "hat": "ht",
    "creole": "ht", "haitian": "ht", "rus": "ru", "ukr": "uk", "por": "pt", "hin": "hi",
    "urd": "ur", "ben": "bn", "pan": "pa", "fas": "fa", "per": "fa", "farsi": "fa",
    "persian": "fa", "dari": "fa", "pus": "ps", "som": "so", "amh": "am", "tir": "ti",
    "swa": "sw", "tha": "th", "khm": "km", "cambodian": "km", "lao": "lo", "mya": "my",
    "bur": "my", "nep": "ne", "jpn": "ja", "pol": "pl", "ron": "ro", "rum": "ro", "sqi": "sq",
    "alb": "sq", "hye": "hy", "arm": "hy", "ell": "el", "gre": "el", "ita": "it", "deu": "de",
    "ger": "de", "heb": "he", "tur": "tr", "nav": "nv", "que": "qu", "asl": "ase",
    "sign language": "ase", "mandarin chinese": "cmn", "chinese (mandarin)": "cmn",
    "chinese - mandarin": "cmn", "chinese (cantonese)": "yue", "chinese - cantonese": "yue",
    "espanol": "es", "español": "es", "castellano": "es", "kiche": "quc", "k'iche": "quc",
}  # fmt: skip


@dataclass
class Languages:
    """Language names (English, Spanish, native) and ISO 639 codes onto our language codes."""

    by_key: dict = field(default_factory=dict)

    @classmethod
    def from_database(cls) -> "Languages":
        from providers.models import Language

        languages = cls()
        for language in Language.objects.all():
            for key in (language.code, language.name, language.name_es, language.native_name):
                if key:
                    languages.by_key.setdefault(key.strip().lower(), language.code)
        for alias, code in _LANGUAGE_ALIASES.items():
            if code in languages.by_key:
                languages.by_key.setdefault(alias, code)
        return languages

    def resolve(self, value: str) -> str | None:
        key = " ".join(str(value or "").strip().lower().split())
        if not key:
            return None
        if key in self.by_key:
            return self.by_key[key]
        base = re.split(r"[-_]", key)[0]  # en-US, es_MX, zh-Hant
        if base in self.by_key:
            return self.by_key[base]
        key = re.sub(r"\s*\(.*\)\s*$", "", key)  # "Spanish (Mexico)"
        return self.by_key.get(key)
