"""The example deploy files as what they run: used by tools/smoke_prod.py (CI) and bench/load.py.

`unit_service(bind, static_root)` reads deploy/resource-map.service as systemd would for our
purpose: its Environment= lines and its ExecStartPre= and ExecStart= commands, with the
install folder (/srv/resource-map) replaced by this checkout and gunicorn's --bind by the
address given. `nginx_problems()` checks that deploy/nginx-resource-map.conf sends what the
app trusts (one proxy, TRUSTED_PROXY_COUNT=1 in the unit) and logs no query string.
"""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "resource-map.service"
NGINX = ROOT / "deploy" / "nginx-resource-map.conf"
INSTALL_DIR = "/srv/resource-map"
# What no access log may write: the query string (the searched place) or who asked.
QUERY_VARIABLES = ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_")
CLIENT_VARIABLES = ("$remote_addr", "$proxy_add_x_forwarded_for", "$http_x_forwarded_for")


@dataclass
class Service:
    environment: dict[str, str]
    prepare: list[list[str]]  # ExecStartPre=, in order
    start: list[str]  # ExecStart=


def _directives(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            pairs.append((key.strip(), value.strip()))
    return pairs


def unit_service(*, bind: str, static_root: str | None = None) -> Service:
    environment, prepare, start = {}, [], None
    for key, value in _directives(UNIT):
        value = value.replace(INSTALL_DIR, str(ROOT))
        if key == "Environment":
            name, _, setting = value.partition("=")
            environment[name] = setting
        elif key in ("ExecStartPre", "ExecStart"):
            command = shlex.split(value)
            if key == "ExecStart":
                start = command
            else:
                prepare.append(command)
    if start is None or "--bind" not in start:
        raise SystemExit(f"{UNIT}: no ExecStart= with --bind")
    start[start.index("--bind") + 1] = bind
    if static_root:
        environment["DJANGO_STATIC_ROOT"] = static_root
    return Service(environment, prepare, start)


def nginx_problems() -> list[str]:
    """What in the nginx site disagrees with the app's settings or logs a searched place."""
    text = NGINX.read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    environment = unit_service(bind="127.0.0.1:0").environment
    problems = []
    if environment.get("TRUSTED_PROXY_COUNT") != "1":
        problems.append("the unit does not set TRUSTED_PROXY_COUNT=1 for the one nginx in front")
    for header in (
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header Host $host;",
    ):
        if header not in " ".join(code.split()):
            problems.append(f"nginx does not send `{header}`")
    formats = dict(re.findall(r"log_format\s+(\w+)\s+(.*?);", code, flags=re.S))
    for name, log_format in formats.items():
        for variable in (*QUERY_VARIABLES, *CLIENT_VARIABLES):
            if variable in log_format:
                problems.append(f"log_format {name} writes {variable.strip(chr(34))}")
    for access_log in re.findall(r"access_log\s+([^;]+);", code):
        words = access_log.split()
        if words != ["off"] and (len(words) < 2 or words[1] not in formats):
            # Without a format nginx uses "combined", whose $request has the query string.
            problems.append(f"access_log {access_log} does not use a format of this file")
    upstream = re.search(r"upstream\s+\w+\s*{[^}]*server\s+([\d.:]+)", code)
    bind = UNIT.read_text(encoding="utf-8").split("--bind", 1)[1].split()[0]
    if not upstream or upstream.group(1) != bind:
        problems.append(f"nginx's upstream is not gunicorn's --bind {bind}")
    return problems


def hashed_static_location() -> tuple[re.Pattern, str]:
    """(the location regex of hashed static names, its alias) from the nginx site."""
    text = NGINX.read_text(encoding="utf-8")
    match = re.search(r'location ~ "(\^/static/[^"]+)"\s*{\s*alias\s+([^;]+);', text)
    if not match:
        raise SystemExit(f"{NGINX}: no location for hashed static names")
    block = text[match.end() : text.index("}", match.end())]
    if "expires 1y" not in block or "immutable" not in block:
        raise SystemExit(f"{NGINX}: hashed static names are not cached for a year")
    return re.compile(match.group(1)), match.group(2).replace(INSTALL_DIR, str(ROOT))
