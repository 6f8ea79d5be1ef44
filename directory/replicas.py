"""Read replicas: reads go to a replica, writes to the primary, and a client that wrote reads
from the primary for REPLICA_PIN_SECONDS (installed when DATABASE_REPLICA_URLS is set).

Outside a request (commands, shells) everything uses the primary. Inside one, reads use a
replica unless the request is a POST/PUT/PATCH/DELETE, the client carries the signed
`rm_primary` cookie of a recent write, or the request has written already. The cookie goes
only to a client we know (signed in, or just given a session): anonymous visitors get none.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS

PIN_COOKIE = "rm_primary"
_SALT = "directory.replicas"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

# The alias this context reads from: the primary outside a request, or the one replica a
# request picked (so its queries all see the same moment).
_reads_from: ContextVar[str] = ContextVar("reads_from", default=DEFAULT_DB_ALIAS)
# True once this context routed a write.
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS]


class PrimaryReplicaRouter:
    """Database router of the primary ("default") and its streaming replicas."""

    def db_for_read(self, model, **hints) -> str:
        return _reads_from.get()

    def db_for_write(self, model, **hints) -> str:
        # What this request reads next must see what it just wrote.
        _reads_from.set(DEFAULT_DB_ALIAS)
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _pinned_by_cookie(request) -> bool:
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=_SALT, max_age=settings.REPLICA_PIN_SECONDS)
    except (KeyError, signing.BadSignature):
        return False
    return True


def _known_client(request, response) -> bool:
    """Signed in, or given a session by this response (a sign-in): never an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = response.cookies.get(settings.SESSION_COOKIE_NAME)
    return session is not None and bool(session.value)


class ReplicaMiddleware:
    """Chooses primary or replica reads per request; marks a client that wrote (first)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        primary = not replicas or request.method not in _SAFE_METHODS or _pinned_by_cookie(request)
        reads_token = _reads_from.set(DEFAULT_DB_ALIAS if primary else random.choice(replicas))
        wrote_token = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and _known_client(request, response):
                response.set_signed_cookie(
                    PIN_COOKIE,
                    "1",
                    salt=_SALT,
                    max_age=settings.REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        finally:
            _reads_from.reset(reads_token)
            _wrote.reset(wrote_token)
        return response
