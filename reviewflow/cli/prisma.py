"""``reviewflow prisma``: the PRISMA 2020 counts and diagram, recomputed from the store."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from reviewflow.cli.common import reading
from reviewflow.prisma.derive import counts_from_state
from reviewflow.review_state.load import read_review_state


def prisma(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    svg: Path = typer.Option(None, "--svg", help="Write the flow diagram as SVG."),
    png: Path = typer.Option(None, "--png", help="Write the flow diagram as PNG."),
    pdf: Path = typer.Option(None, "--pdf", help="Write the flow diagram as PDF."),
) -> None:
    """PRISMA 2020 flow counts (and diagram), derived from the store."""
    with reading(ctx) as view:  # on SQLite: sqlite3, no SQLAlchemy import
        counts = counts_from_state(read_review_state(view.reader, with_sources=True))
    outputs = [p for p in (svg, png, pdf) if p is not None]
    if outputs:
        from reviewflow.prisma.diagram import draw

        draw(counts, *outputs)
    if as_json:
        typer.echo(json.dumps(counts.to_json(), indent=2, ensure_ascii=False))
        return
    typer.echo(format_counts(counts.to_json()))
    for path in outputs:
        typer.echo(f"Diagram written to {path}")


def format_counts(data: dict) -> str:
    """The counts as indented text lines, in flow order."""
    registers = data.get("registers", {})
    databases = {k: v for k, v in data["identified"].items() if k not in registers}
    lines = [f"Records identified from databases: {sum(databases.values())}"]
    lines += [f"  {name}: {n}" for name, n in databases.items()]
    if registers:
        lines.append(f"Records identified from registers: {sum(registers.values())}")
        lines += [f"  {name}: {n}" for name, n in registers.items()]
    lines.append(f"Duplicates removed: {data['removed_duplicates']} "
                 f"(automatic {data['removed_duplicates_auto']}, "
                 f"manual {data['removed_duplicates_manual']})")
    for key, label in (("screened", "Records screened"),
                       ("excluded_screening", "Records excluded"),
                       ("sought", "Reports sought for retrieval"),
                       ("not_retrieved", "Reports not retrieved"),
                       ("assessed", "Reports assessed for eligibility")):
        lines.append(f"{label}: {data[key]}")
    lines.append("Reports excluded:")
    lines += [f"  {reason}: {n}" for reason, n in data["excluded_reports"].items()]
    lines.append(f"Studies included: {data['included_studies']} "
                 f"(reports: {data['included_reports']})")
    other = data.get("other_methods")
    if other:
        lines.append(f"Other methods: records identified {sum(other['identified'].values())}")
        lines += [f"  {name}: {n}" for name, n in other["identified"].items()]
        lines.append(f"  reports sought {other['sought']}, not retrieved {other['not_retrieved']}"
                     f", assessed {other['assessed']}, included {other['included_reports']}")
    waiting = {k: v for k, v in data.get("awaiting", {}).items() if v}
    if waiting:
        lines.append("Still awaiting decisions: " +
                     ", ".join(f"{k} {v}" for k, v in waiting.items()))
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command()(prisma)
