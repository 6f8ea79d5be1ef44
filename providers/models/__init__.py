"""The directory's data, shaped after HSDS 3.0, one module a topic.

organization -> service -> service_at_location <- location, with phones, opening hours,
languages and taxonomy terms (our needs list, victimization types, populations and
accessibility features) around them. Public ids are UUIDs; integer keys stay internal.
A service at a location is what a search returns: a *listing*.

- common: publication status, the English/Spanish base, where an import came from
- vocabulary: taxonomy terms, languages, national hotlines
- organizations, services, locations (with listings), contact (phones, opening hours)
- duplicates: listings that look like one provider, and the ids of records merged away
"""

# Staff memberships, public suggestions, taxonomy mappings and import runs live with the
# code that uses them; importing them here registers them with the app.
from providers.importers.models import ImportRun, TaxonomyMapping  # noqa: E402
from providers.models.common import Bilingual, Sourced, Status, translated
from providers.models.contact import OpeningHours, Phone, Weekday
from providers.models.duplicates import DuplicatePair, MergedRecord
from providers.models.locations import (
    Location,
    LocationKind,
    ServiceAtLocation,
    ServiceAtLocationQuerySet,
    public_km,
    public_miles,
    random_bearing,
    random_offset_mi,
)
from providers.models.organizations import (
    OLDEST_VERIFIED_FIRST,
    Organization,
    OrganizationQuerySet,
)
from providers.models.services import Cost, Service, ServiceArea, ServiceQuerySet
from providers.models.vocabulary import Hotline, Language, Term, TermQuerySet
from providers.moderation import StaffMembership, Suggestion  # noqa: E402

__all__ = [
    "OLDEST_VERIFIED_FIRST",
    "Bilingual",
    "Cost",
    "DuplicatePair",
    "Hotline",
    "ImportRun",
    "Language",
    "Location",
    "LocationKind",
    "MergedRecord",
    "OpeningHours",
    "Organization",
    "OrganizationQuerySet",
    "Phone",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceAtLocationQuerySet",
    "ServiceQuerySet",
    "Sourced",
    "StaffMembership",
    "Status",
    "Suggestion",
    "TaxonomyMapping",
    "Term",
    "TermQuerySet",
    "Weekday",
    "public_km",
    "public_miles",
    "random_bearing",
    "random_offset_mi",
    "translated",
]
