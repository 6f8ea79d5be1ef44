"""A made-up package shaped like a real 211 export in the older HSDS 1.x/2.0 layout, with
the mess such exports carry: fees columns left empty, mojibake ('AttorneyGÇÖs'), vendor
markers ('###MON###'), stray markup, '9:00'-'5:00' hours, phone menus ('x OPT2'), short
codes, eligibility keyed by location or service-at-location, 'Handicap accessible', and a
generic template name in datapackage.json. Every name, number and address is invented
(phones in the 555-01xx range)."""

import json
from pathlib import Path

from hsds_support import write_csv

TEMPLATE_NAME = "hsds-template"

FILES = {
    "organizations.csv": (
        ["id", "name", "alternate_name", "description", "email", "url"],
        [
            ["1001", "Harbor County District Attorney", "",
             "The District AttorneyGÇÖs Victim Witness Unit ###MON### court support "
             "###END### <p>Walk-ins welcome", "", "www.harbor-da.example"],
            ["1002", "Bayview Family Shelter", "", "Shelter for familiesÂ\xa0in crisis.", "", ""],
            ["1003", "Lakeside Counseling Center", "", "Counseling for adults &amp; teens",
             "", ""],
        ],
    ),
    "services.csv": (
        ["id", "organization_id", "name", "description", "url", "email", "status",
         "application_process", "fees", "accreditations", "licenses"],
        [
            ["2001", "1001", "Victim Witness Assistance", "Court accompaniment.", "", "",
             "active", "Call the unit", "", "", ""],
            ["2002", "1002", "Emergency Shelter", "Beds for families.", "", "", "active", "",
             "Call for information", "", ""],
            ["2003", "1001", "Crime Victim Compensation Help", "Help with claims.", "", "",
             "active", "", "No fee", "", ""],
            ["2004", "1003", "Counseling", "Individual counseling.", "", "", "active", "",
             "$25 per session; most insurance accepted", "", ""],
        ],
    ),
    "locations.csv": (
        ["id", "organization_id", "name", "alternate_name", "description", "latitude",
         "longitude", "transportation"],
        [
            ["3001", "1001", "Courthouse office", "", "", "40.7484", "-73.9967", "Bus 5"],
            ["3002", "1002", "Bayview", "", "", "", "", ""],
            ["3003", "1003", "Lakeside", "", "", "41.8827", "-87.6233", ""],
        ],
    ),
    "physical_addresses.csv": (
        ["id", "location_id", "attention", "address_1", "address_2", "city", "region",
         "state_province", "postal_code", "country"],
        [
            ["4001", "3001", "", "350 Fifth Avenue", "", "New York", "", "NY", "10118", "US"],
            ["4002", "3002", "", "Confidential", "", "Boston", "", "MA", "02108", "US"],
            ["4003", "3003", "", "1 Main St", "", "Chicago", "", "IL", "60601", "US"],
        ],
    ),
    "services_at_location.csv": (
        ["id", "service_id", "location_id", "description"],
        [["5001", "2001", "3001", ""], ["5002", "2002", "3002", ""],
         ["5003", "2003", "3001", ""], ["5004", "2004", "3003", ""]],
    ),
    "phones.csv": (
        ["id", "location_id", "service_id", "organization_id", "contact_id",
         "service_at_location_id", "number", "extension", "type", "language", "description"],
        [
            ["6001", "", "2001", "", "", "", "(212) 555-0100 x OPT2", "", "voice", "", "Unit"],
            ["6002", "", "2002", "", "", "", "(617) 555-0142", "OPT 3", "voice", "", ""],
            ["6003", "", "2002", "", "", "", "2-1-1", "", "voice", "", "United Way 211"],
            ["6004", "", "2004", "", "", "", "988", "", "hotline", "", "Crisis line"],
        ],
    ),
    "regular_schedules.csv": (
        ["id", "service_id", "location_id", "service_at_location_id", "weekday", "opens_at",
         "closes_at", "original_text"],
        [
            *[[f"7{d}", "", "3001", "", day, "9:00", "5:00", "Mon-Fri 9-5, closed holidays"]
              for d, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday",
                                       "Friday"])],
            ["7100", "", "3003", "", "", "", "", "By appointment only"],
        ],
    ),
    "languages.csv": (
        ["id", "service_id", "location_id", "language"],
        [["8001", "2004", "", "Spanish"]],
    ),
    "eligibility.csv": (
        ["id", "service_at_location_id", "location_id", "eligibility"],
        [
            ["9001", "5002", "", "Families with children"],
            ["9002", "", "3003", "Adults and teens 13 and over"],
            ["9003", "5999", "", "Nobody: points at nothing"],
        ],
    ),
    "accessibility_for_disabilities.csv": (
        ["id", "location_id", "accessibility", "details"],
        [["10001", "3001", "Handicap accessible", ""]],
    ),
}  # fmt: skip


def write_messy_211(folder: Path, *, name: str | None = TEMPLATE_NAME, **overrides) -> Path:
    """Write the package into `folder`; `name` goes in datapackage.json (None: no such file).
    `overrides` replace whole files: {"services.csv": (fields, rows)}."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, (fields, rows) in {**FILES, **overrides}.items():
        write_csv(folder / file, fields, [dict(zip(fields, row, strict=True)) for row in rows])
    if name is not None:
        resources = [{"name": f.removesuffix(".csv"), "path": f} for f in sorted(FILES)]
        meta = {"name": name, "title": "211 export", "resources": resources}
        (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder
