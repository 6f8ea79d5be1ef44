"""A transactional test (live_server, browser) ends with every table flushed; the hook in
tests/conftest.py puts back what the migrations loaded, so any test that runs later in the
same worker (whatever the order or the xdist split) still has the reference data and roles.
"""

import pytest
from django.contrib.auth.models import Group, Permission

from providers.models import Hotline, Language, Term
from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transactional_test_may_empty_the_reference_tables():
    Term.objects.all().delete()
    Group.objects.all().delete()
    Permission.objects.all().delete()
    assert not Term.objects.exists()
    # ...and the flush at its end empties every other table too.


def test_the_next_test_finds_the_migrated_data_again():
    assert Term.objects.service_types().filter(slug="legal-assistance").exists()
    assert Language.objects.filter(code="es").exists()
    assert Hotline.objects.exists()
    assert {SITE_ADMINS, EDITORS, PROVIDER_STAFF} <= set(
        Group.objects.values_list("name", flat=True)
    )
    admins = Group.objects.get(name=SITE_ADMINS)
    assert admins.permissions.filter(codename="see_all_referrals").exists()
    assert admins.permissions.filter(codename="change_organization").exists()
