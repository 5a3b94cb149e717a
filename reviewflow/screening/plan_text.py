"""The screening plan in words: the lines ``status``, ``kappa`` and the dashboard print.

They read the JSON-ready plan of a stage (:func:`reviewflow.review_state.summary.plan_json`),
so the terminal and the dashboard say the same thing.
"""

from __future__ import annotations

from typing import Any


def _kappa(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def agreement_text(data: dict[str, Any]) -> str:
    """Cohen's kappa per pair and Fleiss' kappa (three or more screeners) on a sample."""
    parts = [f"{p['reviewer_a']}-{p['reviewer_b']} kappa {_kappa(p['kappa'])} (n={p['records']})"
             for p in data["pairs"]]
    if data.get("fleiss_kappa") is not None or data.get("screeners", 0) >= 3:
        parts.append(f"Fleiss kappa {_kappa(data.get('fleiss_kappa'))} "
                     f"({data['screeners']} screeners, n={data['fleiss_records']})")
    return "; ".join(parts) if parts else "no record rated twice yet"


def plan_lines(stage: dict[str, Any]) -> list[str]:
    """One line each for the pilot, the allocation and the verification sample (if any)."""
    lines = []
    pilot = stage.get("pilot")
    if pilot:
        state = ("open" if pilot["open"] else f"closed by {pilot['closed_by']}")
        done = ", ".join(f"{n} {d}/{pilot['records']}" for n, d in pilot["done"].items())
        lines.append(f"Pilot: {pilot['records']} records, {state}; done: {done}; "
                     f"{agreement_text(pilot['agreement'])}")
    allocation = stage.get("allocation")
    if allocation:
        shares = ", ".join(f"{n} {x['done']}/{x['allocated']}" for n, x in allocation.items())
        line = f"Allocated (done/allocated): {shares}"
        if stage.get("unallocated"):
            line += (f"; {stage['unallocated']} pending records not allocated yet "
                     "(an arbiter runs 'reviewflow allocate')")
        lines.append(line)
    verification = stage.get("verification")
    if verification:
        lines.append(f"Verification sample: {verification['records']} records, "
                     f"{verification['rated']} screened twice; {agreement_text(verification)}")
    return lines
