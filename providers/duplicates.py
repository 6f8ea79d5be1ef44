"""Finding listings that are probably one provider.

Two organizations (from two sources, or twice in one) are compared only when they share a
phone number, a website's domain or a street address: those are the blocks, so the work
grows with the directory, not with its square. A number, domain or address that more than
SHARED_AT organizations carry (a 211's main line, an office building, a county website) says
nothing about any one of them and is left out.

A pair is proposed to an editor when the names are at least NAME_ALIKE alike and one of
phone, website and address is the same, or when two of them are the same whatever the
names. One shared line or building with different names is not proposed. Nothing is merged
without an editor (providers/merge.py), and a pair an editor kept apart is never proposed
again.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from providers.models import (
    DuplicatePair,
    Location,
    LocationKind,
    Organization,
    Phone,
    Service,
    Status,
)

NAME_ALIKE = 0.8
SHARED_AT = 8  # a key carried by more organizations than this is a shared line or building

# Hosts that serve many organizations' pages: the same host is not the same provider.
SHARED_HOSTS = {
    "facebook.com", "m.facebook.com", "instagram.com", "twitter.com", "x.com",
    "linkedin.com", "google.com", "sites.google.com", "docs.google.com", "youtube.com",
    "yelp.com", "linktr.ee", "eventbrite.com", "wixsite.com", "wordpress.com",
    "blogspot.com", "squarespace.com", "weebly.com", "godaddysites.com", "bit.ly",
}  # fmt: skip
_NAME_NOISE = {"the", "inc", "incorporated", "llc", "ltd", "corp", "corporation", "co"}
_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "place": "pl", "court": "ct",
    "parkway": "pkwy", "highway": "hwy", "square": "sq", "terrace": "ter", "circle": "cir",
    "north": "n", "south": "s", "east": "e", "west": "w", "first": "1st", "second": "2nd",
    "third": "3rd", "fourth": "4th", "fifth": "5th",
}  # fmt: skip
# What follows the street line proper: a suite, a floor or a room is the same building.
_NOT_DIGIT = re.compile(r"\D")
_UNIT = re.compile(r"\s(?:suite|ste|apt|unit|floor|fl|room|rm|#|no)\b.*$")


# -- normalising ---------------------------------------------------------------------------
def _plain(text: str) -> str:
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ").replace("#", " # ")
    return re.sub(r"[^a-z0-9#]+", " ", text).strip()


def phone_key(number: str) -> str | None:
    """The ten digits of a US number in any format, or None (short codes such as 211)."""
    digits = _NOT_DIGIT.sub("", number or "")
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return digits if len(digits) == 10 and digits[0] not in "01" else None


def show_phone(key: str) -> str:
    return f"({key[:3]}) {key[3:6]}-{key[6:]}"


def domain_key(url: str) -> str | None:
    """A website's host without `www.`, or None for hosts many organizations share."""
    url = (url or "").strip().lower()
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = host.removeprefix("www.")
    if "." not in host or host in SHARED_HOSTS:
        return None
    return host


def name_key(name: str) -> str:
    return " ".join(w for w in _plain(name).split() if w not in _NAME_NOISE)


def names_alike(a: str, b: str) -> float:
    """0 to 1: how alike two normalised names are, as written or with their words sorted."""
    if not a or not b:
        return 0.0
    as_written = SequenceMatcher(None, a, b).ratio()
    by_words = SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split())))
    return max(as_written, by_words.ratio())


def address_key(*, street: str, city: str, state: str, postcode: str) -> str | None:
    """A street line in one spelling (`100 N. Main Street, Suite 4` = `100 n main st`) with
    its ZIP (else city and state), or None without a street."""
    line = _UNIT.sub("", f" {_plain(street)}").strip()
    words = [_STREET_WORDS.get(w, w) for w in line.split()]
    if not words:
        return None
    zip5 = "".join(ch for ch in postcode or "" if ch.isdigit())[:5]
    place = zip5 if len(zip5) == 5 else f"{_plain(city)} {state.lower()}".strip()
    return f"{' '.join(words)}|{place}" if place else None


# -- what each organization carries ---------------------------------------------------------
@dataclass
class Signals:
    name: str
    phones: set = field(default_factory=set)
    domains: set = field(default_factory=set)
    addresses: dict = field(default_factory=dict)  # key -> shown ("" when confidential)


def _signals() -> dict:
    """Name, phones, website domains and addresses of every organization not retired."""
    orgs: dict = {}
    for pk, name, website in (
        Organization.objects.exclude(status=Status.RETIRED)
        .values_list("pk", "name", "website")
        .iterator()
    ):
        orgs[pk] = Signals(name=name_key(name))
        if domain := domain_key(website):
            orgs[pk].domains.add(domain)
    for org, website in (
        Service.objects.exclude(website="")
        .exclude(status=Status.RETIRED)
        .values_list("organization_id", "website")
        .iterator()
    ):
        if org in orgs and (domain := domain_key(website)):
            orgs[org].domains.add(domain)
    phones = Phone.objects.exclude(kind=Phone.Kind.FAX).values_list(
        "organization_id", "service__organization_id", "location__organization_id", "number"
    )
    for *owners, number in phones.iterator():
        org = next((o for o in owners if o is not None), None)
        if org in orgs and (key := phone_key(number)):
            orgs[org].phones.add(key)
    places = (
        Location.objects.filter(kind=LocationKind.PHYSICAL)
        .exclude(address_1="")
        .values_list(
            "organization_id", "address_1", "city", "state", "postcode", "address_confidential"
        )
    )
    for org, street, city, state, postcode, confidential in places.iterator():
        key = address_key(street=street, city=city, state=state, postcode=postcode)
        if org in orgs and key:
            shown = "" if confidential else f"{street}, {postcode or city}"
            # One confidential copy keeps the address out of the reasons.
            orgs[org].addresses[key] = "" if "" == orgs[org].addresses.get(key) else shown
    return orgs


# -- comparing -----------------------------------------------------------------------------
@dataclass
class Match:
    score: int
    reasons: list[str]


def compare(a: Signals, b: Signals, *, shared: set) -> Match | None:
    """The score and reasons for a pair, or None when it is not worth an editor's time."""
    reasons = []
    phones = sorted((a.phones & b.phones) - shared)
    if phones:
        reasons.append("same phone " + ", ".join(show_phone(p) for p in phones[:3]))
    domains = sorted((a.domains & b.domains) - shared)
    if domains:
        reasons.append("same website " + ", ".join(domains[:3]))
    addresses = sorted(set(a.addresses) & set(b.addresses) - shared)
    if addresses:
        shown = [a.addresses[k] and b.addresses[k] for k in addresses[:3]]
        reasons.append("same address " + "; ".join(s or "(confidential)" for s in shown))
    contacts = len(reasons)
    alike = names_alike(a.name, b.name)
    if not (contacts >= 2 or (contacts == 1 and alike >= NAME_ALIKE)):
        return None
    reasons.append(f"names {round(alike * 100)}% alike")
    return Match(score=min(100, round(alike * 50) + 20 * contacts), reasons=reasons)


def candidate_pairs(orgs: dict) -> tuple[set, set]:
    """Pairs of organizations sharing a phone, domain or address (ordered by id), and the
    keys too common to mean anything."""
    blocks: dict = defaultdict(set)
    for pk, signals in orgs.items():
        for key in (*signals.phones, *signals.domains, *signals.addresses):
            blocks[key].add(pk)
    shared = {key for key, members in blocks.items() if len(members) > SHARED_AT}
    pairs = set()
    for key, members in blocks.items():
        if key not in shared and len(members) > 1:
            pairs.update(combinations(sorted(members, key=str), 2))
    return pairs, shared


def find_duplicates(*, organizations=None) -> int:
    """Propose (or refresh) pairs among organizations not retired; with `organizations`,
    only pairs involving one of them. Returns how many pairs of that scope are open."""
    scope = None if organizations is None else set(organizations)
    orgs = _signals()
    pairs, shared = candidate_pairs(orgs)
    if scope is not None:
        pairs = {p for p in pairs if p[0] in scope or p[1] in scope}
    existing, decided = {}, set()  # open pairs of the scope; every pair an editor decided
    for pair in DuplicatePair.objects.only("left", "right", "decision", "score", "reasons"):
        key = (pair.left_id, pair.right_id)
        if pair.decision != DuplicatePair.Decision.OPEN:
            decided.add(key)
        elif scope is None or key[0] in scope or key[1] in scope:
            existing[key] = pair
    found = {}
    for left, right in pairs:
        if (left, right) in decided:
            continue
        match = compare(orgs[left], orgs[right], shared=shared)
        if match is not None:
            found[(left, right)] = match
    # Inside an import this is part of its transaction; from the command, its own.
    with transaction.atomic(savepoint=False):
        gone = [p.pk for key, p in existing.items() if key not in found]
        if gone:
            DuplicatePair.objects.filter(pk__in=gone).delete()
        changed, new = [], []
        for key, match in found.items():
            pair = existing.get(key)
            if pair is None:
                new.append(
                    DuplicatePair(
                        left_id=key[0], right_id=key[1], score=match.score, reasons=match.reasons
                    )
                )
            elif (pair.score, pair.reasons) != (match.score, match.reasons):
                pair.score, pair.reasons = match.score, match.reasons
                changed.append(pair)
        DuplicatePair.objects.bulk_create(new, batch_size=500)
        DuplicatePair.objects.bulk_update(changed, ["score", "reasons"], batch_size=500)
    return len(found)


def keep_apart(pair: DuplicatePair, *, user) -> None:
    """Remember that these two are different providers: never proposed again."""
    pair.decision = DuplicatePair.Decision.KEPT_APART
    pair.decided_by, pair.decided_at = user, timezone.now()
    pair.save(update_fields=["decision", "decided_by", "decided_at"])
