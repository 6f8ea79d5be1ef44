"""Know your options: the needs in plain words, and links into the search that keep the place.

Nothing here remembers anything: the place of an earlier search travels in the URL only
(there is no cookie and no session for a visitor), and the self-check's answers are the
needs themselves, so a search from it sends no more than any other search.
"""

import math
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory.forms import PLACE_MAX_LENGTH

# One plain question per need, in the self-check ("Is this happening to me?").
QUESTIONS = {
    "food-shelter-housing": _("Do you need a safe place to sleep tonight, or food?"),
    "medical-dental-care": _(
        "Are you hurt or unwell, or is there a health worry you have put off?"
    ),
    "victim-advocacy": _(
        "Would you like someone on your side to explain your choices and go with you to the "
        "police, a hospital or court?"
    ),
    "legal-assistance": _(
        "Do you have a legal worry: a debt you were made to take on, a record, a court case, "
        "your children, or a protection order?"
    ),
    "immigration-services": _("Are you worried about your immigration status or your papers?"),
    "counseling-support-groups": _(
        "Would it help to talk to someone about what happened, or to meet others who have been "
        "through something similar?"
    ),
    "financial-assistance": _("Do you need money for rent, bills or things you lost?"),
    "case-management": _(
        "Are there many things to sort out at once, and would one person helping you with all "
        "of them make it easier?"
    ),
    "employment-training": _("Would you like help finding safe work or learning new skills?"),
    "interpretation-translation": _(
        "Would it be easier to get help in a language other than English?"
    ),
    "substance-abuse-treatment": _(
        "Are alcohol or drugs something you would like help with, without judgment?"
    ),
}

# What to expect from each kind of help: on the needs page and, folded, on its results.
NOTES = {
    "victim-advocacy": _(
        "A victim advocate works for you, not for the police or the court. They listen, explain "
        "your rights and choices, help you plan for safety, and can go with you to appointments. "
        "You decide what to share and what to do next."
    ),
    "legal-assistance": _(
        "A lawyer or legal advocate can explain the law in plain words and help with protection "
        "orders, debts, records, custody, housing and a criminal case. What you tell a lawyer "
        "is confidential, and asking a question does not start a case."
    ),
    "financial-assistance": _(
        "Every state has a crime victim compensation program that can help pay for medical "
        "bills, counseling, lost wages or a move, and some places have emergency funds. Most ask "
        "that the crime was reported; a provider can explain the rules and help with the forms."
    ),
    "food-shelter-housing": _(
        "A shelter gives you a safe place to stay, often the same day, and its address is kept "
        "private. Staff can help with food, clothing and longer-term housing. You can leave when "
        "you want to."
    ),
    "medical-dental-care": _(
        "Clinics can treat injuries and health needs. After a sexual assault, an adult can have "
        "a forensic exam without reporting to the police, and you can ask for an advocate to be "
        "with you."
    ),
    "counseling-support-groups": _(
        "A counselor or a support group gives you space to talk at your own pace. Feeling numb, "
        "afraid or angry after what happened is common, and help with it is available."
    ),
    "substance-abuse-treatment": _(
        "Some people were given drugs or alcohol to keep them under control, or use them to cope. "
        "Treatment programs help without judging you, and what you tell them is confidential."
    ),
    "case-management": _(
        "A case manager helps you make a plan and connects you with the services you need, so "
        "you do not have to tell your story again at every new place."
    ),
    "immigration-services": _(
        "There is immigration relief for victims of trafficking and other crimes, such as the "
        "T visa and the U visa. An immigration lawyer or accredited representative can tell you "
        "what fits your situation before you decide anything."
    ),
    "interpretation-translation": _(
        "You have the right to an interpreter in many places, including hospitals, courts and "
        "police stations. Many services also speak your language themselves."
    ),
    "employment-training": _(
        "Job programs help you find safe work with fair pay, build skills, and get documents you "
        "may need, at your own pace."
    ),
}


def searched_place(query: QueryDict) -> dict[str, str]:
    """The place of an earlier search, read from the URL: {"near": ...}, {"lat", "lng"} or {}."""
    near = query.get("near", "").strip()
    if near:
        return {"near": near} if len(near) <= PLACE_MAX_LENGTH else {}
    try:
        lat, lng = float(query.get("lat", "")), float(query.get("lng", ""))
    except ValueError:
        return {}
    if math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180:
        return {"lat": f"{lat:.3f}", "lng": f"{lng:.3f}"}
    return {}


def search_url(*, place: dict[str, str], services=(), populations=()) -> str:
    """A search with these needs chosen: the results if a place is known, else where to look."""
    params = [*place.items(), *(("service", s) for s in services)]
    params += [("population", p) for p in populations]
    name = "directory:home" if place else "directory:options-find"
    landing = "#results" if place else ""  # the results page opens at the results
    return f"{reverse(name)}?{urlencode(params)}{landing}" if params else reverse(name)


def page_url(name: str, *, place: dict[str, str]) -> str:
    """A page of the section, keeping the place (if any) for its links into the search."""
    url = reverse(f"directory:{name}")
    return f"{url}?{urlencode(place)}" if place else url
