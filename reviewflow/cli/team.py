"""``team setup``: a PostgreSQL team store where the server enforces blinding."""

from __future__ import annotations

import typer

from reviewflow.cli.common import fail, open_store

team_app = typer.Typer(help="A team store on PostgreSQL: one database role per reviewer.",
                       no_args_is_help=True)


def _members(specs: list[str], role: str) -> list:  # type: ignore[type-arg]
    from reviewflow.store.team import TeamMember

    out = []
    for spec in specs:
        name, sep, db_role = spec.partition("=")
        if not sep or not name.strip() or not db_role.strip():
            raise fail(f"{spec!r}: write NAME=ROLE, e.g. ann=rf_ann")
        out.append(TeamMember(name.strip(), db_role.strip(), role))
    return out


@team_app.command("setup")
def setup(
    ctx: typer.Context,
    reviewer: list[str] = typer.Option([], "--reviewer", help="NAME=ROLE: a screener and the "
                                       "database role they connect as (repeat)."),
    arbiter: list[str] = typer.Option([], "--arbiter", help="NAME=ROLE: an arbiter (repeat)."),
) -> None:
    """Create a role per reviewer, grant it, and turn on row-level security.

    Run as the database owner. Afterwards each reviewer's reviewflow.toml names
    their own role (postgresql+psycopg://ROLE@host/db); the server then hides other
    screeners' votes until they have voted, and lets only arbiters resolve.
    """
    from reviewflow.store.team import setup_team

    members = _members(reviewer, "reviewer") + _members(arbiter, "arbiter")
    if not members:
        raise fail("name at least one --reviewer NAME=ROLE or --arbiter NAME=ROLE")
    with open_store(ctx).write() as session:
        done = setup_team(session=session, members=members)
    for line in done:
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(team_app, name="team")
