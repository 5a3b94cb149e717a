"""A team store on PostgreSQL that enforces blinding itself, whoever edits what.

Blinding in the application (``--as``, the toml's ``[screening]``) trusts the
person at the keyboard. On a shared server each reviewer can instead connect as
their own database role, and the server decides what that connection sees:

* ``screening_decision``: a screener's connection reads its own decisions, and
  another screener's decision on a record only once it has itself decided that
  record at that stage; it may only add decisions in its own name (so ``--as
  carol`` from ann's connection is refused by the server). Arbiters read all.
* ``conflict_resolution``: only arbiters add resolutions; screeners read the
  resolutions of records they have decided.
* ``reviewer``, ``review``, ``setting_change``, ``alembic_version``: read-only for
  reviewers, so nobody promotes themselves to arbiter, remaps roles, switches
  blinding off or fakes a schema version.

The owner of the tables (whoever ran ``init``/``team setup``) is not subject to
the policies (PostgreSQL's rule for table owners), which is how the review's
administrator still sees everything. What stops ann connecting as carol is the
server's authentication (a password per role, ``pg_hba.conf``), not reviewflow.

Which reviewer a connection is: ``reviewer.db_role = session_user`` (inside a SECURITY
DEFINER function current_user is the function's owner), read by
SECURITY DEFINER functions (a policy on a table cannot query that table itself
without recursing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
READ_ONLY = ("reviewer", "review", "setting_change", "alembic_version", "store_meta")
POLICED = ("screening_decision", "conflict_resolution")


@dataclass(frozen=True)
class TeamMember:
    """A reviewer name, the database role they connect as, and their review role."""

    name: str
    db_role: str
    role: str = "reviewer"  # reviewer | arbiter


FUNCTIONS = """
CREATE OR REPLACE FUNCTION rf_me() RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT id FROM reviewer WHERE db_role = session_user $$;
CREATE OR REPLACE FUNCTION rf_is_arbiter() RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT coalesce((SELECT role = 'arbiter' FROM reviewer WHERE db_role = session_user),
                     false) $$;
CREATE OR REPLACE FUNCTION rf_has_decided(rec integer, stg text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT EXISTS (SELECT 1 FROM screening_decision d
                    WHERE d.record_id = rec AND d.stage = stg AND d.reviewer_id = rf_me()) $$;
"""

POLICIES = """
ALTER TABLE screening_decision ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS rf_read ON screening_decision;
DROP POLICY IF EXISTS rf_write ON screening_decision;
CREATE POLICY rf_read ON screening_decision FOR SELECT USING (
  rf_is_arbiter() OR reviewer_id = rf_me() OR rf_has_decided(record_id, stage));
CREATE POLICY rf_write ON screening_decision FOR INSERT WITH CHECK (reviewer_id = rf_me());
ALTER TABLE conflict_resolution ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS rf_read ON conflict_resolution;
DROP POLICY IF EXISTS rf_write ON conflict_resolution;
CREATE POLICY rf_read ON conflict_resolution FOR SELECT USING (
  rf_is_arbiter() OR rf_has_decided(record_id, stage));
CREATE POLICY rf_write ON conflict_resolution FOR INSERT WITH CHECK (
  rf_is_arbiter() AND resolved_by_id = rf_me());
"""


def setup_team(*, session: Session, members: list[TeamMember]) -> list[str]:
    """Create the roles, map reviewers to them, grant, and switch the policies on.

    Run by the tables' owner; idempotent (a second run adds new members and
    re-applies the grants and policies), all in the caller's transaction (PostgreSQL
    DDL is transactional: a failing member leaves no role half-granted). Returns what
    was done, line by line.
    """
    if session.get_bind().dialect.name == "sqlite":
        raise ReviewflowError("a team store needs PostgreSQL (SQLite has no roles); move the "
                              "review with 'export bundle' and 'import-bundle --db'")
    for m in members:
        if not ROLE_NAME.match(m.db_role):
            raise ReviewflowError(f"{m.db_role!r}: a role name is lower-case letters, digits "
                                  "and _ (at most 63), starting with a letter")
        if m.role not in ("reviewer", "arbiter"):
            raise ReviewflowError(f"{m.name}: role must be reviewer or arbiter")
    done: list[str] = []
    conn = session.connection()
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    conn.execute(text(FUNCTIONS))
    for m in members:
        done.append(_member(session, conn, m, database))
    conn.execute(text(POLICIES))
    done.append("row-level security on: " + ", ".join(POLICED))
    return done


def _member(session, conn: Connection, m: TeamMember, database: str) -> str:  # type: ignore[no-untyped-def]
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                          {"r": m.db_role}).first()
    if exists is None:
        conn.execute(text(f'CREATE ROLE "{m.db_role}" LOGIN'))
    row = session.exec(select(models.Reviewer).where(models.Reviewer.name == m.name)).first()
    if row is None:
        row = models.Reviewer(name=m.name, role=m.role)
    row.role, row.db_role = m.role, m.db_role
    session.add(row)
    session.flush()
    q = f'"{m.db_role}"'
    for statement in (
        f'GRANT CONNECT ON DATABASE "{database}" TO {q}',
        f"GRANT USAGE ON SCHEMA public TO {q}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}",
        f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(READ_ONLY)} FROM {q}",
        f"REVOKE UPDATE, DELETE ON {', '.join(POLICED)} FROM {q}",
        f"GRANT EXECUTE ON FUNCTION rf_me(), rf_is_arbiter(), rf_has_decided(integer, text) "
        f"TO {q}",
    ):
        conn.execute(text(statement))
    return f"{m.name} ({m.role}) connects as role {m.db_role}" + (
        "" if exists else " (role created; give it a password: ALTER ROLE ... PASSWORD)")
