"""Merging two records of one provider keeps the provider text's translations: the kept
record keeps its own and gains the merged one's for a field and language it has none in,
where the merged one's text is what the kept record now says (a translation of another
text is not a translation of this one). The merge's history shows what it gained."""

import pytest
from conftest import create_provider

from providers.merge import merge_organizations
from providers.models import Location, Organization, Service

pytestmark = pytest.mark.django_db

STREET = "5 Oak St"


@pytest.fixture
def pair():
    kept = create_provider(
        name="Harbor House", street=STREET, service_name="Legal help",
        description="Free legal advice.", cost_note="Free",
        translations={"es": {"description": "Asesoría legal gratuita."}},
    )  # fmt: skip
    other = create_provider(
        name="Harbor House Inc", street=STREET, service_name="Legal help",
        description="Free legal advice.", eligibility="Adults", cost_note="Sliding scale",
        translations={
            "es": {"description": "Otra descripción", "eligibility": "Adultos",
                   "cost_note": "Escala móvil"},
            "vi": {"description": "Tư vấn pháp lý miễn phí."},
        },
    )  # fmt: skip
    Organization.objects.filter(pk=other.service.organization_id).update(
        description="Shelter and advocacy.",
        translations={"fr": {"description": "Refuge et accompagnement."}},
    )
    Location.objects.filter(pk=other.location_id).update(
        hours_note="Walk-ins on Mondays", translations={"es": {"hours_note": "Sin cita los lunes"}}
    )
    return kept, other


def test_the_kept_records_gain_the_merged_ones_translations(pair):
    kept, other = pair
    counts = merge_organizations(keep=kept.service.organization, other=other.service.organization)

    service = Service.objects.get(pk=kept.service_id)
    assert service.eligibility == "Adults"  # filled from the merged one, as before
    assert service.translations == {
        "es": {"description": "Asesoría legal gratuita.", "eligibility": "Adultos"},
        "vi": {"description": "Tư vấn pháp lý miễn phí."},
    }  # its own Spanish kept; "Escala móvil" translates a cost note it does not have
    organization = Organization.objects.get(pk=kept.service.organization_id)
    assert organization.description == "Shelter and advocacy."
    assert organization.translations == {"fr": {"description": "Refuge et accompagnement."}}
    location = Location.objects.get(pk=kept.location_id)
    assert location.translations == {"es": {"hours_note": "Sin cita los lunes"}}
    assert counts["translations added"] == 4
    assert counts["translations of another text left out"] == 1


def test_the_merge_history_shows_the_translations_gained(pair):
    kept, other = pair
    merge_organizations(keep=kept.service.organization, other=other.service.organization)

    record = Service.objects.get(pk=kept.service_id).history.first()
    assert record.history_change_reason.startswith("Merged Harbor House Inc")
    changed = {c.field: c.new for c in record.diff_against(record.prev_record).changes}
    assert changed["translations"]["vi"] == {"description": "Tư vấn pháp lý miễn phí."}
    org_record = Organization.objects.get(pk=kept.service.organization_id).history.first()
    org_changes = org_record.diff_against(org_record.prev_record).changed_fields
    assert "translations" in org_changes
