"""Alembic glue: where the migrations live and how to run them programmatically.

The migrations are kept in the top-level ``db/`` folder (so schema changes show
in diffs beside ``db/schema.sql``); a wheel carries them as ``reviewflow/_db``.
``SCHEMA_HEAD`` is the newest revision this code knows; a test checks it equals
Alembic's head so the fast path (no Alembic import on every open) stays honest.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.store.reader import SCHEMA_HEAD

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["SCHEMA_HEAD", "known_revisions", "migrations_dir", "upgrade_to_head"]


def migrations_dir() -> Path:
    here = Path(__file__).resolve()
    candidates = (here.parents[1] / "_db" / "migrations", here.parents[2] / "db" / "migrations")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("reviewflow migrations folder not found")


def _config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


@cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {heads}")
    return heads[0]


def upgrade_to_head(engine: Engine) -> None:
    """Run every pending migration in one connection."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
