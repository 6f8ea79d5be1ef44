"""Every language's catalogs translate every string a public page shows (issue 18).

The msgids come from `makemessages` itself, run on a copy of each app, so a string added to
a public template, form, view or vocabulary fails here until every catalog translates it.
"""

import shutil
from contextlib import chdir
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent
LOCALES = [to_locale(code) for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The referrals app is mostly the advocates' workspace; these files are what the public sees
# (a shared resource list, its printout and the page of a list no longer shared).
PUBLIC_REFERRALS = {
    "handout.py",
    "templates/referrals/_handout.html",
    "templates/referrals/list_print.html",
    "templates/referrals/shared_list.html",
    "templates/referrals/shared_list_gone.html",
}


@pytest.fixture(scope="module")
def public_msgids(tmp_path_factory) -> dict[str, set[tuple]]:
    """Each app's msgids (context, id) that public pages use, as makemessages finds them."""
    found = {}
    for app in ("directory", "referrals"):
        copy = tmp_path_factory.mktemp("messages") / app
        shutil.copytree(
            ROOT / app, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__")
        )
        (copy / "locale").mkdir()
        with chdir(copy):
            call_command("makemessages", locale=["en"], no_wrap=True, verbosity=0)
        catalog = polib.pofile(copy / "locale/en/LC_MESSAGES/django.po")
        found[app] = {
            (entry.msgctxt, entry.msgid)
            for entry in catalog
            if app == "directory"
            or any(path in PUBLIC_REFERRALS for path, _line in entry.occurrences)
        }
    return found


def translated(catalog: polib.POFile) -> set[tuple]:
    return {
        (entry.msgctxt, entry.msgid)
        for entry in catalog.translated_entries()  # neither empty nor fuzzy
        if all(entry.msgstr_plural.values()) or not entry.msgid_plural
    }


def test_the_public_msgids_include_templates_forms_and_vocabularies(public_msgids):
    assert (None, "Quick exit") in public_msgids["directory"]
    assert (None, "Legal Assistance") in public_msgids["directory"]  # fixtures/taxonomy.json
    assert (None, "24/7") in public_msgids["directory"]  # fixtures/hotlines.json
    assert (None, "How to get help") in public_msgids["referrals"]
    assert (None, "Close referral") not in public_msgids["referrals"]  # advocates only


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("app", ["directory", "referrals"])
def test_catalog_translates_every_public_string(public_msgids, app, locale):
    po_path = ROOT / app / "locale" / locale / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), f"no catalog {po_path.relative_to(ROOT)}: run make messages"
    catalog = polib.pofile(po_path)
    missing = sorted(msgid for _context, msgid in public_msgids[app] - translated(catalog))
    assert not missing, f"{len(missing)} untranslated or fuzzy in {po_path}: {missing[:5]}"
    # The site reads the compiled catalog: it must hold what the .po says.
    compiled = polib.mofile(po_path.with_suffix(".mo"))
    assert translated(compiled) >= translated(catalog), f"{po_path.with_suffix('.mo')} is stale"
