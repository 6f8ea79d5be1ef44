"""Import benchmark on a real-shaped 211 export: a made-up package in the
older HSDS 1.x/2.0 layout with the mess real exports carry (mojibake, vendor markers, empty
fees, 9:00-5:00 hours, phone menus, services pointing at missing organizations, hotlines with
no street, coordinates far from their ZIP, services with no codes), imported with
--skip-invalid into a fresh SQLite database; prints wall time and peak memory. Not a test.

    .venv/bin/python bench/import_211.py [--services 4000]   # the bar: <= 10 s
    .venv/bin/python bench/import_211.py --services 100000   # the bar: <= 60 s
"""

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_100k import ROOT, measure, write, zips  # noqa: E402

CODES = [
    ("BH-1800.8500", "Domestic Violence Shelters"),
    ("FT-3600", "Immigration/Naturalization Legal Services"),
    ("RP-1400.8000-500", "Individual Counseling"),
    ("TD-1600.3100", "Legislative Advocacy"),  # generic advocacy: no victim service
    ("YO-4500.4700", "Licensed Vocational Nurses"),  # who is served, not what
    ("PH-1000.1800", "Case/Care Management"),
    ("BD-1800.2000", "Food Pantries"),
    ("FN-1500.1900-150", "Crime Victim Support"),
]
NAMES = ["Food Pantry", "Legal Clinic", "Counseling", "Emergency Shelter", "Job Training",
         "Case Management", "Victim Advocacy Program", "Albergue de emergencia"]  # fmt: skip


def generate(folder: Path, n: int) -> None:
    rng = random.Random(16)
    places = zips()
    folder.mkdir(parents=True, exist_ok=True)
    n_orgs = max(1, n // 3)
    write(folder, "organizations.csv", ["id", "name", "description", "url"], (
        (f"o{i}", f"Made-up Agency {i}", f"The AgencyGÇÖs office ###MON### {i}", "")
        for i in range(n_orgs)
    ))  # fmt: skip
    # One in 100 services points at an organization the file lacks (the root cause).
    owner = [f"o{i % n_orgs}" if i % 100 else f"o-missing-{i % 7}" for i in range(n)]
    write(folder, "services.csv",
          ["id", "organization_id", "name", "description", "url", "status", "fees"], (
        (f"s{i}", owner[i], NAMES[i % len(NAMES)], f"Help for families.Â\xa0<p>Row {i}",
         f"https://svc{i}.example" if i % 20 == 19 else "", "active",
         "" if i % 4 else "No fee") for i in range(n)
    ))  # fmt: skip
    locations, addresses = [], []
    for i in range(n):
        zip_code, state, lat, lng = places[rng.randrange(len(places))]
        kind = i % 20
        if kind == 19:  # a hotline: no street, no coordinates, a toll-free number
            locations.append((f"l{i}", owner[i], "Hotline", "", ""))
            continue
        if kind in (17, 18):  # no coordinates: the ZIP's centre
            point = ("", "")
        elif kind == 16:  # an export tool's stale point, far from its own ZIP
            point = (f"{lat + 3:.5f}", f"{lng:.5f}")
        else:
            point = (f"{lat + rng.uniform(-0.01, 0.01):.5f}", f"{lng:.5f}")
        locations.append((f"l{i}", owner[i], f"Office {i}", *point))
        addresses.append((f"a{i}", f"l{i}", f"{i} Main St", "Anytown", state, zip_code, "US"))
    write(
        folder,
        "locations.csv",
        ["id", "organization_id", "name", "latitude", "longitude"],
        locations,
    )
    write(folder, "physical_addresses.csv", ["id", "location_id", "address_1", "city",
          "state_province", "postal_code", "country"], addresses)  # fmt: skip
    write(folder, "services_at_location.csv", ["id", "service_id", "location_id"],
          ((f"x{i}", f"s{i}", f"l{i}") for i in range(n)))  # fmt: skip
    write(folder, "phones.csv", ["id", "service_id", "number", "extension", "type"], (
        (f"p{i}", f"s{i}", "1-800-555-0199" if i % 20 == 19 else f"(212) 555-01{i % 100:02d}",
         "x OPT2" if i % 10 == 0 else "", "voice") for i in range(n)
    ))  # fmt: skip
    write(folder, "regular_schedules.csv",
          ["id", "location_id", "weekday", "opens_at", "closes_at", "original_text"], (
        (f"h{i}-{d}", f"l{i}", day, "9:00", "5:00", "Mon-Fri 9-5")
        for i in range(0, n, 2) for d, day in enumerate(["Monday", "Wednesday", "Friday"])
    ))  # fmt: skip
    write(folder, "services_taxonomy.csv", ["id", "service_id", "taxonomy_id",
          "taxonomy_detail"], (
        (f"t{i}", f"s{i}", *CODES[i % len(CODES)]) for i in range(n) if i % 5 < 3
    ))  # fmt: skip
    write(folder, "eligibility.csv", ["id", "location_id", "eligibility"],
          ((f"e{i}", f"l{i}", "Adults 18 and over") for i in range(0, n, 3)))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=4000)
    options = parser.parse_args()
    n = options.services
    folder = ROOT / "var" / f"bench-211-{n}"
    if not (folder / "eligibility.csv").exists():
        generate(folder, n)
    env = dict(os.environ, DJANGO_DEBUG=os.environ.get("DJANGO_DEBUG", "false"))
    db_file = ROOT / "var" / "bench-import-211.sqlite3"
    db_file.unlink(missing_ok=True)
    env["DATABASE_URL"] = f"sqlite:///{db_file}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    args = ["import_hsds", str(folder), "--no-progress", "--source", "bench-211"]
    print(f"Package: {n:,} services, 211-shaped (HSDS 1.x/2.0); database sqlite")
    rows = [
        measure("import", [*args, "--skip-invalid"], env),
        measure("re-import", [*args, "--skip-invalid"], env),
    ]
    print(f"\n| {'run':<10} | {'wall s':>7} | {'CPU s':>6} | {'peak RSS (MB)':>14} |")
    print(f"|{'-' * 12}|{'-' * 9}|{'-' * 8}|{'-' * 16}|")
    for label, seconds, cpu, peak_mb in rows:
        print(f"| {label:<10} | {seconds:>7.1f} | {cpu:>6.1f} | {peak_mb:>14.0f} |")


if __name__ == "__main__":
    main()
