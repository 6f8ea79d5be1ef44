"""The replica router against a real streaming replica of PostgreSQL 15.

Starts a private primary (initdb) and a standby made with `pg_basebackup -R` on two free
127.0.0.1 ports, with Debian's binaries (PG_BIN, default /usr/lib/postgresql/15/bin), run as
the `postgres` user when started by root. Loads the sample data into the primary, then with
DATABASE_REPLICA_URLS pointing at the standby checks, through Django's test client:

- the search page and the API search read from the replica only;
- with replay paused on the standby, an API write goes to the primary; the writing client
  then reads its change (from the primary) while an anonymous visitor still reads the
  replica's older row and gets no cookie; after replay resumes, everybody sees it.

Skips (exit 0, loudly) without the binaries. A private primary is used because the running
server's pg_hba.conf allows no replication connection, and CI should not edit it.

    .venv/bin/python tools/replica_check.py
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "resource_map"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)


def start_cluster(data: Path, port: int, sockets: Path) -> None:
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(data.parent / f"{data.name}.log"),
        "-o",
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1",
        "-w",
        "start",
    )


def stop_cluster(data: Path) -> None:
    if (data / "postmaster.pid").exists():
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")


def url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"


def wait_for_replay(primary: str, standby: str, *, timeout_s: float = 60) -> None:
    with psycopg.connect(primary, autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(standby, autocommit=True) as conn:
        while time.monotonic() < deadline:
            lag = conn.execute(
                "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [target]
            ).fetchone()[0]
            if lag is not None and lag <= 0:
                return
            time.sleep(0.2)
    raise SystemExit("FAIL: the standby did not catch up within a minute")


def fail(message: str) -> None:
    raise SystemExit(f"FAIL {message}")


def check_with_django(primary: str, standby: str) -> None:
    """Runs in this process once DATABASE_URL and DATABASE_REPLICA_URLS are set."""
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.authtoken.models import Token

    from directory import replicas
    from providers.models import Organization, ServiceAtLocation

    setup_test_environment()

    def reads(client: Client, path: str, **headers):
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica_1"]) as on_replica,
        ):
            response = client.get(path, headers=headers)
        if response.status_code != 200:
            fail(f"{path}: HTTP {response.status_code}")
        if os.environ.get("REPLICA_CHECK_VERBOSE"):
            for query in on_primary.captured_queries:
                print("     primary:", query["sql"][:200])
        return response, len(on_primary), len(on_replica)

    anonymous = Client()
    # The search form's choices are cached (providers/filter_choices.py); a cache miss reads
    # them from the primary on purpose, so that a replica a moment behind a change cannot
    # keep the old choices for minutes. Once they are cached, a page reads only replicas.
    anonymous.get("/")
    for path in ("/?near=10001", "/api/v1/providers/?near=10001"):
        _, primary_queries, replica_queries = reads(anonymous, path)
        if primary_queries or not replica_queries:
            fail(f"{path}: {primary_queries} queries on the primary, {replica_queries} on replica")
        print(f"ok   {path}: {replica_queries} queries on the replica, none on the primary")

    # Outside a request: the primary (set-up writes and reads alike).
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("replica-editor", "e@example.org", None)
    token = Token.objects.create(user=editor)
    place = ServiceAtLocation.objects.select_related("service__organization").first()
    organization = place.service.organization
    wait_for_replay(primary, standby)

    with psycopg.connect(standby, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        writer = Client()
        auth = {"Authorization": f"Token {token.key}"}
        new_name = "[SAMPLE] Renamed while the replica lags"
        response = writer.patch(
            f"/api/v1/organizations/{organization.pk}/",
            {"name": new_name},
            content_type="application/json",
            headers=auth,
        )
        if response.status_code != 200:
            fail(f"API write: HTTP {response.status_code} {response.content[:300]!r}")
        if replicas.PIN_COOKIE not in writer.cookies:
            fail("API write: the writing client got no primary marker")
        if Organization.objects.using("replica_1").get(pk=organization.pk).name == new_name:
            fail("the paused replica already shows the write: the check proves nothing")
        detail = f"/api/v1/providers/{place.pk}/"
        response, primary_queries, replica_queries = reads(writer, detail, **auth)
        if new_name not in response.content.decode() or replica_queries:
            fail(f"writer's read after write: {primary_queries}/{replica_queries} queries")
        print(f"ok   the writer reads its change from the primary ({primary_queries} queries)")
        response, primary_queries, _ = reads(anonymous, detail)
        if new_name in response.content.decode() or primary_queries:
            fail("an anonymous visitor should read the (paused) replica")
        if anonymous.cookies:
            fail(f"an anonymous visitor got cookies: {list(anonymous.cookies)}")
        print("ok   an anonymous visitor reads the lagging replica and gets no cookie")
        conn.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, standby)
    response, _, _ = reads(anonymous, detail)
    if new_name not in response.content.decode():
        fail("after replay resumed the replica still lacks the write")
    print("ok   after replay every visitor sees the change")


def main() -> None:
    if not (PG_BIN / "pg_basebackup").exists():
        print(f"SKIPPED: no PostgreSQL binaries in {PG_BIN}: the replica check did not run")
        print("         (install postgresql-15 or set PG_BIN)")
        return
    work = Path(tempfile.mkdtemp(prefix="rm-replica-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    primary_dir, standby_dir = work / "primary", work / "standby"
    primary_port, standby_port = free_port(), free_port()
    try:
        as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(primary_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        with open(primary_dir / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
        start_cluster(primary_dir, primary_port, work)
        with psycopg.connect(url(primary_port).replace(DB_NAME, "postgres"), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {DB_NAME}")
        env = {**os.environ, "DATABASE_URL": url(primary_port)}
        env.pop("DATABASE_REPLICA_URLS", None)
        for command in ("migrate", "load_reference_data", "load_sample_data"):
            subprocess.run(
                [sys.executable, "manage.py", command, "--verbosity", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
        as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "postgres",
            "-D",
            str(standby_dir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        start_cluster(standby_dir, standby_port, work)
        with psycopg.connect(url(standby_port), autocommit=True) as conn:
            if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                fail("the standby is not in recovery")
        print(f"== primary on port {primary_port}, streaming standby on port {standby_port}")
        os.environ.update(
            DATABASE_URL=url(primary_port),
            DATABASE_REPLICA_URLS=url(standby_port),
            DJANGO_ENV="development",
            DJANGO_ALLOWED_HOSTS="testserver",
            DJANGO_SETTINGS_MODULE="directory.settings",
        )
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(ROOT))
        check_with_django(url(primary_port), url(standby_port))
    finally:
        stop_cluster(standby_dir)
        stop_cluster(primary_dir)
        shutil.rmtree(work, ignore_errors=True)
    print("replica check passed")


if __name__ == "__main__":
    main()
