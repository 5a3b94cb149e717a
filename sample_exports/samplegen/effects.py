"""Summary numbers for the included trials, tuned so the pooled results look like the model case.

The model case (Zeng et al., Stem Cell Res Ther 2025) pooled pain VAS in knee
osteoarthritis by cell source (SMD about -0.95, -1.25, -1.26), SLEDAI in lupus
(SMD -2.32), clinical response in IBD (RR 2.02) and adverse events (RR 0.83 to
1.23). We draw per-trial effects around those targets and then nudge them until
a DerSimonian-Laird random-effects pool lands close to the target, so the demo
reproduces the shape of the published analyses. The maths here is only for
tuning; reviewflow's own pooling code is what the demo runs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from samplegen.model import Arm


def hedges_g(a: Arm) -> tuple[float, float]:
    """RevMan's SMD (Hedges' adjusted g) and its variance."""
    n1, n2 = a.n_treat, a.n_ctrl
    s1, s2 = a.sd_treat or 0.0, a.sd_ctrl or 0.0
    pooled = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    d = ((a.mean_treat or 0.0) - (a.mean_ctrl or 0.0)) / pooled
    g = d * (1 - 3 / (4 * (n1 + n2) - 9))
    var = (n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2 - 3.94))
    return g, var


def log_rr(a: Arm) -> tuple[float, float]:
    """Log risk ratio and variance, with RevMan's 0.5 correction for a zero cell."""
    e1, e2 = float(a.events_treat or 0), float(a.events_ctrl or 0)
    n1, n2 = float(a.n_treat), float(a.n_ctrl)
    if 0 in (e1, e2) or e1 == n1 or e2 == n2:
        e1, e2, n1, n2 = e1 + 0.5, e2 + 0.5, n1 + 1, n2 + 1
    return math.log((e1 / n1) / (e2 / n2)), 1 / e1 - 1 / n1 + 1 / e2 - 1 / n2


def dersimonian_laird(effects: list[tuple[float, float]]) -> tuple[float, float]:
    """Random-effects pooled estimate and its standard error."""
    w = [1 / v for _, v in effects]
    fixed = sum(wi * y for wi, (y, _) in zip(w, effects, strict=True)) / sum(w)
    q = sum(wi * (y - fixed) ** 2 for wi, (y, _) in zip(w, effects, strict=True))
    c = sum(w) - sum(wi**2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - (len(effects) - 1)) / c) if c > 0 else 0.0
    wr = [1 / (v + tau2) for _, v in effects]
    est = sum(wi * y for wi, (y, _) in zip(wr, effects, strict=True)) / sum(wr)
    return est, math.sqrt(1 / sum(wr))


@dataclass(frozen=True)
class ContinuousSpec:
    """How to draw one continuous outcome: scale, control mean and SD ranges."""

    outcome: str
    scale: str
    ctrl_mean: tuple[float, float]
    ctrl_sd: tuple[float, float]
    decimals: int
    timepoint: str


def _continuous_arm(spec: ContinuousSpec, n: tuple[int, int], g: float, base: dict) -> Arm:
    sd_t, sd_c = base["sd_t"], base["sd_c"]
    pooled = math.sqrt(((n[0] - 1) * sd_t**2 + (n[1] - 1) * sd_c**2) / (n[0] + n[1] - 2))
    d = g / (1 - 3 / (4 * (n[0] + n[1]) - 9))
    k = spec.decimals
    return Arm(
        outcome=spec.outcome, kind="continuous", n_treat=n[0], n_ctrl=n[1],
        mean_treat=round(base["m_c"] + d * pooled, k), sd_treat=round(sd_t, k),
        mean_ctrl=round(base["m_c"], k), sd_ctrl=round(sd_c, k),
        scale=spec.scale, timepoint=spec.timepoint,
    )


def continuous_arms(
    rng: random.Random, spec: ContinuousSpec, sizes: list[tuple[int, int]],
    target: float, spread: float, ci: tuple[float, float] | None = None,
) -> list[Arm]:
    """One arm per trial; their random-effects SMD is tuned towards ``target``.

    With ``ci`` (the published 95% CI) the trials' spread around the target is
    also scaled, by bisection, until the pooled standard error gives that CI's
    width: heterogeneity, not only the point estimate, then looks like the
    published analysis.
    """
    devs = [rng.gauss(0, spread) for _ in sizes]
    bases = []
    for _ in sizes:
        sd_c = rng.uniform(*spec.ctrl_sd)
        bases.append({"m_c": rng.uniform(*spec.ctrl_mean), "sd_c": sd_c,
                      "sd_t": sd_c * rng.uniform(0.8, 1.15)})

    def centred(scale: float) -> tuple[list[Arm], float]:
        """Arms with deviations times ``scale``, shifted so the pool hits the target."""
        shift, arms, se = 0.0, [], 0.0
        for _ in range(12):
            arms = [_continuous_arm(spec, n, target + shift + scale * d, b)
                    for n, d, b in zip(sizes, devs, bases, strict=True)]
            pooled, se = dersimonian_laird([hedges_g(a) for a in arms])
            shift += target - pooled
        return arms, se

    if ci is None:
        return centred(1.0)[0]
    goal_se = (ci[1] - ci[0]) / (2 * 1.959964)
    lo, hi = 0.0, 4.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if centred(mid)[1] < goal_se:
            lo = mid
        else:
            hi = mid
    return centred((lo + hi) / 2)[0]


def dichotomous_arms(
    rng: random.Random, outcome: str, sizes: list[tuple[int, int]], ctrl_risk: tuple[float, float],
    target_rr: float, spread: float, timepoint: str,
) -> list[Arm]:
    """One arm per trial; event counts are nudged until the pooled RR is near ``target_rr``."""
    ev: list[list[int]] = []
    for n_t, n_c in sizes:
        p_c = rng.uniform(*ctrl_risk)
        rr = target_rr * math.exp(rng.gauss(0, spread))
        ev.append([min(n_t, max(0, round(p_c * rr * n_t))), max(1, round(p_c * n_c))])

    def build() -> list[Arm]:
        return [Arm(outcome=outcome, kind="dichotomous", n_treat=n[0], n_ctrl=n[1],
                    events_treat=e[0], events_ctrl=e[1], timepoint=timepoint)
                for n, e in zip(sizes, ev, strict=True)]

    goal = math.log(target_rr)
    for step in range(400):
        pooled, _ = dersimonian_laird([log_rr(a) for a in build()])
        if abs(pooled - goal) < 0.012:
            break
        i = step % len(ev)
        n_t, n_c = sizes[i]
        if pooled < goal and ev[i][0] < n_t:
            ev[i][0] += 1
        elif pooled > goal and ev[i][0] > 0:
            ev[i][0] -= 1
    return build()
