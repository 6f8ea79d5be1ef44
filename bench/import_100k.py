"""Import benchmark: a synthetic HSDS 3.0 package of 100,000 locations, imported into a fresh
database, timed, with the peak memory of the importing process. Not part of the tests.

    .venv/bin/python bench/import_100k.py [--locations 100000] [--database-url URL]

Writes the package to var/bench-hsds-<n>/ (git-ignored) and uses var/bench-import.sqlite3
unless --database-url names another database (it is dropped and recreated for PostgreSQL).
Prints a table: the first import, a dry run of the same package, and a re-import (every
record unchanged), each with wall time and the peak resident memory of its process.
"""

import argparse
import csv
import gzip
import io
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "providers" / "data" / "us_gazetteer.csv.gz"
AIRS = [
    ("FT-3600", "Immigration/Naturalization Legal Services"),
    ("BH-1800.1500-100", "Domestic Violence Shelters"),
    ("RP-1400", "Mental Health Counseling"),
    ("RX-8450", "Substance Use Disorder Treatment Programs"),
    ("ND-1500", "Job Assistance Centers"),
    ("FN-1900.2500", "Crime Victim Assistance"),
    ("TJ-9999", "A term with no mapping"),
]
AREA_CODES = [212, 312, 415, 617, 202, 303, 404, 512, 602, 713, 818, 907, 305, 206, 215]
DAYS = ["MO,TU,WE,TH,FR", "MO,WE,FR", "SA,SU", "MO,TU,WE,TH,FR,SA,SU"]


def zips() -> list[tuple[str, str, float, float]]:
    rows = csv.reader(io.StringIO(gzip.decompress(GAZETTEER.read_bytes()).decode("utf-8")))
    next(rows)
    return [
        (key, state, float(lat), float(lng))
        for kind, key, _name, state, lat, lng, _pop, _tz in rows
        if kind == "z" and lat
    ]


def write(folder: Path, name: str, header: list[str], rows) -> None:
    with open(folder / name, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def generate(folder: Path, n: int) -> None:
    rng = random.Random(5)
    places = zips()
    folder.mkdir(parents=True, exist_ok=True)
    n_orgs = max(1, n * 3 // 10)
    org_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(n_orgs)]
    write(
        folder,
        "organizations.csv",
        ["id", "name", "description", "website"],
        (
            (
                oid,
                f"Synthetic Organization {i}",
                f"Made-up organization number {i}.",
                f"https://org{i}.example.org",
            )
            for i, oid in enumerate(org_ids)
        ),
    )
    loc_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(n)]
    svc_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(n)]
    owner = [org_ids[i % n_orgs] for i in range(n)]
    write(
        folder,
        "services.csv",
        ["id", "organization_id", "name", "description", "status", "fees_description"],
        (
            (
                sid,
                owner[i],
                f"Service {i}",
                "Help for survivors.",
                "active",
                "Free" if i % 3 else "Sliding scale",
            )
            for i, sid in enumerate(svc_ids)
        ),
    )
    located = [places[rng.randrange(len(places))] for _ in range(n)]
    write(
        folder,
        "locations.csv",
        ["id", "location_type", "organization_id", "name", "latitude", "longitude"],
        (
            (
                lid,
                "physical",
                owner[i],
                f"Location {i}",
                "" if i % 10 == 0 else f"{located[i][2] + rng.uniform(-0.01, 0.01):.6f}",
                "" if i % 10 == 0 else f"{located[i][3] + rng.uniform(-0.01, 0.01):.6f}",
            )
            for i, lid in enumerate(loc_ids)
        ),
    )
    write(
        folder,
        "addresses.csv",
        [
            "id",
            "location_id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
        (
            (
                f"a{i}",
                lid,
                f"{i} Main Street",
                "Anytown",
                located[i][1].lower() + " ",
                located[i][0],
                "US",
                "physical",
            )
            for i, lid in enumerate(loc_ids)
        ),
    )
    write(
        folder,
        "service_at_location.csv",
        ["id", "service_id", "location_id"],
        ((f"sal{i}", svc_ids[i], lid) for i, lid in enumerate(loc_ids)),
    )
    write(
        folder,
        "phones.csv",
        ["id", "service_id", "number", "type"],
        (
            (f"p{i}", sid, f"({AREA_CODES[i % len(AREA_CODES)]}) 555-01{i % 100:02d}", "voice")
            for i, sid in enumerate(svc_ids)
        ),
    )
    write(
        folder,
        "schedules.csv",
        ["id", "location_id", "freq", "byday", "opens_at", "closes_at"],
        (
            (f"h{i}", lid, "WEEKLY", DAYS[i % 4], "9:00am", "5:00pm")
            for i, lid in enumerate(loc_ids)
        ),
    )
    write(
        folder,
        "languages.csv",
        ["id", "service_id", "name", "code"],
        ((f"l{i}", sid, "Spanish" if i % 2 else "English", "") for i, sid in enumerate(svc_ids)),
    )
    term_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in AIRS]
    write(
        folder,
        "taxonomy_terms.csv",
        ["id", "code", "name", "description", "taxonomy"],
        ((tid, code, name, name, "AIRS") for tid, (code, name) in zip(term_ids, AIRS, strict=True)),
    )
    write(
        folder,
        "attributes.csv",
        ["id", "link_id", "taxonomy_term_id", "link_entity"],
        ((f"t{i}", sid, term_ids[i % len(term_ids)], "service") for i, sid in enumerate(svc_ids)),
    )
    write(
        folder,
        "accessibility.csv",
        ["id", "location_id", "description"],
        ((f"x{i}", lid, "Wheelchair accessible") for i, lid in enumerate(loc_ids) if i % 3 == 0),
    )


def child(args: list[str]) -> None:
    """Run one management command in this process and report its own peak memory."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError:
        pass
    print(out.getvalue())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"PEAK_KB={usage.ru_maxrss}")
    print(f"CPU_S={usage.ru_utime + usage.ru_stime:.1f}")


def measure(label: str, args: list[str], env: dict) -> tuple[str, float, float, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"{label} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    lines = result.stdout.splitlines()
    peak_kb = int(next(line for line in lines if line.startswith("PEAK_KB="))[8:])
    cpu = float(next(line for line in lines if line.startswith("CPU_S="))[6:])
    summary = [line.strip() for line in lines[:9] if line.startswith("  ")]
    print(f"  {label}: " + "; ".join(summary))
    return label, seconds, cpu, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    options = parser.parse_args()
    n = options.locations
    folder = ROOT / "var" / f"bench-hsds-{n}"
    if not (folder / "attributes.csv").exists():
        print(f"Generating {n:,} locations into {folder} ...")
        generate(folder, n)
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1024**2
    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "false")  # as in production
    database = options.database_url
    if not database:
        db_file = ROOT / "var" / "bench-import.sqlite3"
        db_file.unlink(missing_ok=True)
        database = f"sqlite:///{db_file}"
    elif database.startswith("postgres"):
        name = database.rsplit("/", 1)[1]
        admin_url = database.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    env["DATABASE_URL"] = database
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"Package: {n:,} locations, {size_mb:.0f} MB of CSV; database {database.split(':')[0]}")
    rows = [
        measure("import", ["import_hsds", str(folder), "--no-progress", "--source", "bench"], env),
        measure(
            "dry run again",
            ["import_hsds", str(folder), "--no-progress", "--source", "bench", "--dry-run"],
            env,
        ),
        measure(
            "re-import", ["import_hsds", str(folder), "--no-progress", "--source", "bench"], env
        ),
    ]
    print(f"\n| {'run':<14} | {'wall s':>7} | {'CPU s':>6} | {'peak RSS (MB)':>14} |")
    print(f"|{'-' * 16}|{'-' * 9}|{'-' * 8}|{'-' * 16}|")
    for label, seconds, cpu, peak_mb in rows:
        print(f"| {label:<14} | {seconds:>7.0f} | {cpu:>6.0f} | {peak_mb:>14.0f} |")


if __name__ == "__main__":
    main()
