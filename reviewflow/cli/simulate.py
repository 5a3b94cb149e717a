"""``reviewflow simulate``: replay prioritised screening on a labelled set.

It answers "how much screening would the ranking have saved on a review like
mine?" with the standard figures (WSS@95, WSS@100, RRF@10, records screened
at 95% recall) averaged over several random starts, so a team can judge the
ranking on their own past data before trusting it.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reviewflow.cli.common import counting
from reviewflow.errors import ReviewflowError
from reviewflow.ranking.classifiers import CLASSIFIERS
from reviewflow.ranking.labelled import read_labelled_csv
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.ranking.simulation import SimulationResult

# A replay refitting after every record costs about (records x refit time) per
# seed: ~2 minutes at 5,000 records (refit and reorder ~20-50 ms there), over
# an hour at 20,000. Larger sets refit every 5%, within 1.5 WSS points on the
# nine labelled sets (bench/bench_ranking.py).
EVERY_RECORD_UP_TO = 5_000


def _report(result: SimulationResult, name: str, classifier: str) -> str:
    def line(label: str, key: str, pct: bool = True) -> str:
        values = [s[key] for s in result.per_seed]
        mean = statistics.fmean(values)
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        if pct:
            return f"  {label:<24}{mean * 100:6.1f}%   (sd {sd * 100:.1f})"
        share = mean / result.n_records * 100
        return f"  {label:<24}{mean:6.1f}    ({share:.1f}% of records, sd {sd:.1f})"

    seeds = result.seeds
    head = (
        f"{name}: {plural(result.n_records, 'record')}, {result.n_included} included; "
        f"{plural(len(seeds), 'seed')} {seeds[0]}..{seeds[-1]}, model {classifier}"
    )
    rows = [
        line("WSS@95", "wss95"),
        line("WSS@95 ASReview per run", "wss95_asreview"),
        f"  {'WSS@95 ASReview pooled':<24}{result.wss_asreview_pooled() * 100:6.1f}%"
        "   (mean curve of the seeds: how published ASReview figures are computed)",
        line("WSS@100", "wss100"),
        line("RRF@10", "rrf10"),
        line("Screened at 95% recall", "screened_at_95", pct=False),
    ]
    return "\n".join([head, *rows, "  (random order: WSS about 0%, RRF@10 about 10%)"])


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate_cmd(
        labelled: Annotated[
            Path, typer.Argument(help="CSV with columns title, abstract, label_included (0/1).")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print figures as JSON.")] = False,
        seed: Annotated[int, typer.Option("--seed", help="First random seed.")] = 0,
        seeds: Annotated[
            int, typer.Option("--seeds", min=1, help="Number of seeds to average.")
        ] = 5,
        plot: Annotated[
            Path | None, typer.Option("--plot", help="Save the recall curve (PNG).")
        ] = None,
        classifier: Annotated[
            str, typer.Option("--classifier", help="/".join(CLASSIFIERS))
        ] = "ens",
        refit_fraction: Annotated[
            float | None,
            typer.Option(
                "--refit-fraction", min=0.0, max=1.0, show_default=False,
                help="0: refit after every record, as the screen does (default up to"
                f" {EVERY_RECORD_UP_TO:,} records); F: after F x decisions so far more"
                " (default 0.05 above that size: a replay refitting every record would take"
                " hours there).",
            ),
        ] = None,
    ) -> None:
        """Replay screening on LABELLED and report WSS@95, WSS@100, RRF@10."""
        if classifier not in CLASSIFIERS:
            raise typer.BadParameter(
                f"choose from {', '.join(CLASSIFIERS)}", param_hint="--classifier"
            )
        from reviewflow.ranking.model import RankerConfig
        from reviewflow.ranking.simulation import SimulationConfig, simulate

        data = read_labelled_csv(labelled)
        if len(data.labels) < 3 or sum(data.labels) == len(data.labels):
            raise ReviewflowError(f"{labelled}: need both included and excluded records")
        if refit_fraction is None:
            refit_fraction = 0.0 if len(data.labels) <= EVERY_RECORD_UP_TO else 0.05
        with counting(f"replaying {data.name}, {plural(seeds, 'seed')}", seeds) as advance:
            result = simulate(
                data.texts(),
                data.labels,
                seeds=list(range(seed, seed + seeds)),
                ranker_config=RankerConfig(classifier=classifier),
                config=SimulationConfig(refit_fraction=refit_fraction),
                progress=advance,
            )
        if plot is not None:
            from reviewflow.ranking import metrics
            from reviewflow.ranking.plotting import plot_recall_curve

            curves = [metrics.recall_curve(s) for s in result.labels_in_order()]
            try:
                plot_recall_curve(
                    curves, plot, f"Simulated screening: {data.name}",
                    result.mean("wss95"), result.mean("screened_at_95"),
                )
            except OSError as exc:
                raise ReviewflowError(f"cannot write plot {plot}: {exc.strerror}") from None
        if as_json:
            payload = {"dataset": data.name, "classifier": classifier,
                       "refit_fraction": refit_fraction, **result.as_dict()}
            typer.echo(json.dumps(payload))
        else:
            typer.echo(_report(result, data.name, classifier))
            if plot is not None:
                typer.echo(f"  recall curve written to {plot}")
