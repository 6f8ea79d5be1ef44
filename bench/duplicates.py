"""The search for possible duplicates (providers/duplicates.py) on a big directory: N
organizations, each with a service phone, a location and a website for one in five; one in
twenty listed again by a second source with its name, number and street written another way,
and a 211 main line on 2% of them. Prints the time, the peak memory and the pairs found.
Not a test.

    .venv/bin/python bench/duplicates.py [--organizations 100000]
"""

import argparse
import os
import resource
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(n: int) -> int:
    from providers.models import Location, Organization, Phone, Service

    orgs, services, locations, phones = [], [], [], []

    def add(i: int, *, source: str, name: str, number: str, street: str, website: str):
        org = Organization(id=uuid.uuid4(), name=name, status="published", source=source,
                           source_id=str(i), website=website)  # fmt: skip
        service = Service(id=uuid.uuid4(), organization=org, name="Help", source=source)
        orgs.append(org)
        services.append(service)
        locations.append(Location(id=uuid.uuid4(), organization=org, address_1=street,
                                  city="Chicago", state="IL", postcode=f"606{i % 50:02d}",
                                  latitude=41.88, longitude=-87.63, source=source))  # fmt: skip
        phones.append(Phone(service=service, number=number))

    copies = 0
    for i in range(n):
        number = "+13125550100" if i % 50 == 0 else f"+1{312 + i % 400}{5550000 + i:07d}"[:12]
        website = f"https://www.agency{i}.example/about" if i % 5 == 0 else ""
        add(i, source="bench-211", name=f"Made-up Agency {i}", number=number,
            street=f"{i} North Main Street", website=website)  # fmt: skip
        if i % 20 == 0:
            digits = number[2:]
            add(i, source="bench-coalition", name=f"MADE-UP AGENCY {i}, INC.",
                number=f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                street=f"{i} N. Main St., Suite 2", website="")  # fmt: skip
            copies += 1
    for model, rows in ((Organization, orgs), (Service, services), (Location, locations),
                        (Phone, phones)):  # fmt: skip
        model.objects.bulk_create(rows, batch_size=2000)
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=100_000)
    n = parser.parse_args().organizations
    db_file = ROOT / "var" / "bench-duplicates.sqlite3"
    db_file.parent.mkdir(exist_ok=True)
    db_file.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    copies = build(n)
    from providers.duplicates import find_duplicates

    started, cpu = time.monotonic(), time.process_time()
    found = find_duplicates()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n:,} organizations + {copies:,} second copies, SQLite")
    print(f"find_duplicates: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:.0f} MB")
    print(f"pairs proposed: {found:,} (the {copies:,} copies expected; none for the main line)")


if __name__ == "__main__":
    main()
