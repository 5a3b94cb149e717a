"""Benchmark: 10,000 DerSimonian-Laird random-effects analyses of 20 studies.

Baseline: statsmodels.stats.meta_analysis.combine_effects (method_re="dl") on
the same inputs in the same run. Three reviewflow paths are timed:
  * batch  - dersimonian_laird_batch on a (10000, 20) array (vectorised);
  * core   - estimators.inverse_variance, one call per analysis;
  * api    - pool_generic, one full result object per analysis (what the CLI
             and extraction use).
Agreement with statsmodels (max |difference| of estimate, SE and tau²) is printed too.

    python bench/bench_pooling.py [--quick] [--n N] [--k K]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewflow.pooling import pool_generic  # noqa: E402
from reviewflow.pooling.estimators import (  # noqa: E402
    dersimonian_laird_batch,
    inverse_variance,
)


def make_inputs(n: int, k: int, seed: int = 20261124) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.01, 0.5, size=(n, k))
    tau2 = rng.uniform(0, 0.2, size=(n, 1))
    y = rng.normal(0.3, np.sqrt(v + tau2))
    return y, v


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run_statsmodels(y: np.ndarray, v: np.ndarray):
    from statsmodels.stats.meta_analysis import combine_effects

    out = np.empty((y.shape[0], 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(y.shape[0]):
            res = combine_effects(y[i], v[i], method_re="dl")
            out[i] = (res.mean_effect_re, res.sd_eff_w_re, res.tau2)
    return out


def run_core(y: np.ndarray, v: np.ndarray):
    out = np.empty((y.shape[0], 3))
    for i in range(y.shape[0]):
        p, _ = inverse_variance(y[i], v[i], random=True)
        out[i] = (p.estimate, p.se, p.heterogeneity.tau2)
    return out


def run_api(y: np.ndarray, v: np.ndarray):
    out = np.empty((y.shape[0], 3))
    se = np.sqrt(v)
    for i in range(y.shape[0]):
        p = pool_generic(y[i], se[i], measure="MD", model="random").overall
        out[i] = (p.estimate, p.se, p.heterogeneity.tau2)
    return out


def run_batch(y: np.ndarray, v: np.ndarray):
    r = dersimonian_laird_batch(y, v)
    return np.column_stack([r["estimate"], r["se"], r["tau2"]])


CONTENDERS = (
    ("statsmodels combine_effects", run_statsmodels),
    ("reviewflow batch (vectorised)", run_batch),
    ("reviewflow core (per call)", run_core),
    ("reviewflow api (per call)", run_api),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="number of analyses")
    ap.add_argument("--k", type=int, default=20, help="studies per analysis")
    ap.add_argument("--quick", action="store_true", help="1,000 analyses")
    args = ap.parse_args()
    n = 1_000 if args.quick else args.n
    y, v = make_inputs(n, args.k)
    for _, fn in CONTENDERS:  # warm-up: imports and first-call caches stay out of the timing
        fn(y[:2], v[:2])
    # Interleave the contenders chunk by chunk so that load from other
    # processes on a shared machine hits them all alike.
    chunks = np.array_split(np.arange(n), 10)
    times = dict.fromkeys((name for name, _ in CONTENDERS), 0.0)
    outs: dict[str, list[np.ndarray]] = {name: [] for name, _ in CONTENDERS}
    for idx in chunks:
        for name, fn in CONTENDERS:
            t, out = timed(lambda fn=fn, idx=idx: fn(y[idx], v[idx]))
            times[name] += t
            outs[name].append(out)
    ref = np.vstack(outs[CONTENDERS[0][0]])
    # statsmodels does not truncate the DL tau² at zero (it can go negative);
    # agreement is checked where its tau² is positive, as RevMan's would be.
    comparable = np.isfinite(ref).all(axis=1) & (ref[:, 2] > 0)
    print(
        f"{n:,} DL random-effects analyses of {args.k} studies each "
        f"({int(comparable.sum()):,} with tau² > 0 used for the agreement check)"
    )
    t_sm = times[CONTENDERS[0][0]]
    for name, _ in CONTENDERS:
        t = times[name]
        line = f"  {name:30}: {n / t:12,.0f} analyses/s  ({t:7.3f} s)"
        if name != CONTENDERS[0][0]:
            diff = float(np.max(np.abs(np.vstack(outs[name])[comparable] - ref[comparable])))
            line += f"  x{t_sm / t:,.1f} vs statsmodels  max|diff| {diff:.1e}"
        print(line)


if __name__ == "__main__":
    main()
