"""Database URLs without their secrets, and where a password may come from.

A review's ``reviewflow.toml`` travels: into bundles, into git, to co-authors.
So a password never lives there. It comes, in this order, from the URL given
with ``--db`` on this command line (kept in memory only), from libpq's own
sources (``PGPASSWORD``, ``~/.pgpass``, ``PGPASSFILE``: psycopg reads them when
the URL carries no password), or from a prompt when a terminal is attached.

Everything shown or written (status, reports, bundles, error messages) goes
through :func:`mask_url`, which hides the password in the authority part AND
in query parameters (``?password=``), since SQLAlchemy's own
``hide_password`` covers only the former.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError

if TYPE_CHECKING:  # importing SQLAlchemy loads all of it (~0.2 s): only when a URL is parsed
    from sqlalchemy.engine import URL

MASK = "***"
# Query parameters libpq (and drivers) accept that hold a secret.
SECRET_PARAMS = frozenset({"password", "sslpassword", "passfile_password", "pass", "pwd"})
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# user:password@ in any URL-looking text (for error messages from drivers).
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]*)@",
                       re.IGNORECASE)
_SECRET_KEYS = "|".join(sorted(SECRET_PARAMS))
_QUERY_SECRET = re.compile(rf"(?P<key>(?:{_SECRET_KEYS})=)(?P<value>[^&\s'\"]*)",
                           re.IGNORECASE)


def _make_url(url: str) -> URL:
    from sqlalchemy.engine import make_url

    return make_url(url)


def _bad_url_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError

    return (ArgumentError, ValueError)


def parse_url(url: str, *, source: str = "--db") -> URL:
    """The SQLAlchemy URL, refusing what reviewflow cannot store a review in."""
    try:
        parsed = _make_url(url)
    except _bad_url_errors() as exc:
        raise ReviewflowError(f"{source}: {mask_text(url)!r} is not a database URL "
                              "(e.g. sqlite:///review.db or "
                              "postgresql+psycopg://user@host/db)") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ReviewflowError(f"{source}: {backend} databases are not supported; "
                              "a review lives in SQLite or PostgreSQL")
    return parsed


def has_secret(url: str) -> bool:
    """Whether the URL carries a password (authority or query parameter)."""
    try:
        parsed = _make_url(url)
    except _bad_url_errors():
        return bool(_USERINFO.search(url) or _QUERY_SECRET.search(url))
    return parsed.password is not None or any(k.lower() in SECRET_PARAMS for k in parsed.query)


def strip_secret(url: str) -> str:
    """The URL with no password anywhere: what may be written to a file."""
    parsed = _make_url(url)
    query = {k: v for k, v in parsed.query.items() if k.lower() not in SECRET_PARAMS}
    # URL.set() reads None as "unchanged"; _replace is the documented way to drop a part.
    return parsed._replace(password=None).set(query=query).render_as_string(hide_password=False)


def mask_url(url: str) -> str:
    """The URL for people to read: passwords replaced by ``***``."""
    try:
        parsed = _make_url(url)
    except _bad_url_errors():
        return mask_text(url)
    token = "REVIEWFLOWMASKED"  # rendered URL-quoted otherwise (%2A%2A%2A)
    query = {k: (token if k.lower() in SECRET_PARAMS else v) for k, v in parsed.query.items()}
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace(token, MASK)


def mask_text(text: str) -> str:
    """Any text (a driver's error message) with URL passwords replaced by ``***``."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['key']}{MASK}", text)
