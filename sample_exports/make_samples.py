"""Regenerate the made-up search exports and ground truth in this folder.

Usage (from the repository root)::

    python sample_exports/make_samples.py            # rewrite the committed files
    python sample_exports/make_samples.py --out DIR  # write them somewhere else

Deterministic: a fixed seed and no dependence on hash order, time or locale, so
the committed files can be checked byte for byte against a fresh run.
Standard library only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from samplegen import fmt_central, fmt_cnki, fmt_medline, fmt_ovid, fmt_wos
from samplegen.catalogue import (
    Builder,
    embase_twins,
    erratum,
    extra_trial_reports,
    ft_excluded,
    irrelevant,
    trial_reports,
)
from samplegen.model import Pub, Trial
from samplegen.quirks import seed_quirks
from samplegen.review_config import REVIEW_TOML
from samplegen.stable_random import StableRandom
from samplegen.tables import extraction_csv, reviewer_decisions, rob_csv, summary, truth_csv
from samplegen.trials import build_trials

SEED = 20231231
FILES = {  # database -> file name
    "pubmed": "pubmed_medline.txt",
    "embase": "embase_ovid.ris",
    "wos": "wos_savedrecs.txt",
    "central": "cochrane_central.ris",
    "cnki": "cnki.ris",
}
NOTEEXPRESS = "cnki_noteexpress.net"
NOTEEXPRESS_TERMS = ("狼疮", "干燥", "硬化", "肠")


def build(seed: int = SEED) -> tuple[list[Pub], list[Pub], list[Trial]]:
    """One Pub per report, the extra within-Embase copies, and the included trials."""
    trials = build_trials(StableRandom(seed))
    b = Builder(seed)
    trial_reports(b, trials)
    extra_trial_reports(b, trials)
    erratum(b)
    ft_excluded(b)
    irrelevant(b)
    seed_quirks(b.pubs, b.add_db)
    return b.pubs, embase_twins(b), trials


def order_for(db: str, pubs: list[Pub], seed: int) -> list[Pub]:
    """Each database lists its hits in its own order."""
    chosen = [p for p in pubs if db in p.dbs]
    StableRandom(f"{seed}-{db}").shuffle(chosen)
    return chosen


def accession(db: str, p: Pub) -> str:
    return p.pmid or "" if db == "pubmed" else p.ids.get(db, "")


def render_all(seed: int = SEED) -> tuple[dict[str, bytes], list[str]]:
    pubs, twins, trials = build(seed)
    related = {p.key: p for p in pubs}
    out: dict[str, bytes] = {}
    placed: list[tuple[str, int, Pub, str]] = []
    ordered = {db: order_for(db, pubs + twins, seed) for db in FILES}
    out[FILES["pubmed"]] = fmt_medline.render(ordered["pubmed"], related).encode()
    out[FILES["embase"]] = fmt_ovid.render(ordered["embase"]).encode()
    out[FILES["wos"]] = fmt_wos.render(ordered["wos"], related).encode()
    out[FILES["central"]] = fmt_central.render(ordered["central"]).encode()
    out[FILES["cnki"]] = fmt_cnki.render_ris(ordered["cnki"])
    net = [p for p in ordered["cnki"] if any(t in (p.title_zh or "") for t in NOTEEXPRESS_TERMS)]
    out[NOTEEXPRESS] = fmt_cnki.render_net(net).encode()
    for db, file in FILES.items():
        placed += [(file, i + 1, p, accession(db, p)) for i, p in enumerate(ordered[db])]
    placed += [(NOTEEXPRESS, i + 1, p, p.ids["cnki"]) for i, p in enumerate(net)]
    rng = StableRandom(seed + 7)
    decisions = reviewer_decisions(rng, pubs)
    out["truth.csv"] = truth_csv(placed, decisions).encode()
    main = {p.study_key: p for p in pubs if p.category == "included RCT"}
    out["extraction.csv"] = extraction_csv(trials, main).encode()
    out["rob.csv"] = rob_csv(rng, trials).encode()
    out["review.toml"] = REVIEW_TOML.encode()
    return out, summary(placed, decisions, set(FILES.values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    files, figures = render_all(args.seed)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
        print(f"{name:24} {len(data):>8} bytes")
    print("\n".join(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
