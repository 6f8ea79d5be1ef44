"""Issue 16, item 3 (part): victim advocacy only from victim-specific words and codes, AIRS
target-population codes to populations only, case/care management by its code subtree."""

import importlib

import pytest
from django.apps import apps

from providers.importers.mapping import SERVICE_KINDS, Mapper
from providers.models import TaxonomyMapping, Term


def slugs(resolved) -> set[str]:
    return set(Term.objects.filter(pk__in=resolved.term_ids).values_list("slug", flat=True))


@pytest.fixture
def mapper(db):
    return Mapper.from_database()


@pytest.mark.parametrize(
    "name, code",
    [
        ("Legislative Advocacy", "TD-1600.3100"),
        ("Transportation Advocacy", "TD-1600.8500"),
        ("Community Action Agencies/Advocacy Boards", "TD-1100.1400"),
        ("Housing Advocacy", ""),
    ],
)
def test_generic_advocacy_is_not_victim_advocacy(mapper, name, code):
    resolved = mapper.resolve(name=name, code=code, taxonomy="AIRS", kinds=SERVICE_KINDS)
    assert "victim-advocacy" not in slugs(resolved)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Domestic Violence Advocacy", {"victim-advocacy", "domestic-violence"}),
        ("Sexual Assault Advocacy", {"victim-advocacy", "sexual-assault"}),
        ("Rape Crisis Centers", {"victim-advocacy", "sexual-assault"}),
        ("Crime Victim Services", {"victim-advocacy", "other-crime"}),
    ],
)
def test_victim_specific_advocacy_is_victim_advocacy(mapper, name, expected):
    assert slugs(mapper.resolve(name=name, taxonomy="AIRS", kinds=SERVICE_KINDS)) == expected


def test_target_population_codes_give_populations_only(mapper):
    nurses = mapper.resolve(
        name="Licensed Vocational Nurses", code="YO-4500.4700", taxonomy="AIRS", kinds=SERVICE_KINDS
    )
    assert slugs(nurses) == set()
    teens = mapper.resolve(
        name="Teen Legal Clinic Clients", code="YB-9500", taxonomy="AIRS", kinds=SERVICE_KINDS
    )
    assert slugs(teens) == {"youth-minors"}


def test_case_care_management_maps_by_its_code_subtree(mapper):
    resolved = mapper.resolve(
        name="Case/Care Management", code="PH-1000.1800", taxonomy="AIRS", kinds=SERVICE_KINDS
    )
    assert slugs(resolved) == {"case-management"}


def test_the_migration_drops_the_shipped_generic_advocacy_rule_only(db):
    advocacy = Term.objects.get(kind="service_type", slug="victim-advocacy")
    shipped = TaxonomyMapping.objects.create(
        match="keyword", pattern="advocacy", term=advocacy, is_default=True
    )
    own = TaxonomyMapping.objects.create(
        match="keyword", pattern="advocacy", taxonomy="our county", term=advocacy
    )
    migration = importlib.import_module("providers.migrations.0015_victim_specific_advocacy")
    migration.victim_specific_advocacy(apps, None)
    remaining = set(TaxonomyMapping.objects.filter(pattern="advocacy").values_list("pk", flat=True))
    assert remaining == {own.pk}
    assert shipped.pk not in remaining
    assert TaxonomyMapping.objects.filter(pattern="PH-1000", is_default=True).exists()
