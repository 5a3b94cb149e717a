"""Permutation test of a meta-regression's moderators (Higgins & Thompson 2004).

As metafor's ``permutest``: the rows of the model matrix are shuffled against
(y, v), the model refitted, and the observed statistics ranked among the
permuted ones; exact when every distinct rearrangement can be afforded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from reviewflow.pooling.metareg import Design, MetaRegression, PermutationTest, meta_regression


def permutation_test(
    y: Sequence[float] | np.ndarray,
    v: Sequence[float] | np.ndarray,
    fitted: MetaRegression,
    *,
    iterations: int = 1000,
    seed: int = 0,
) -> MetaRegression:
    """Permutation P-values for QM and each coefficient (Higgins & Thompson 2004).

    The rows of the model matrix are shuffled against (y, v) and the model
    refitted; P counts permuted statistics at least as extreme as the observed
    one, the observed included. All k! orders are used when there are no more
    than ``iterations`` distinct rearrangements of the rows (exact), otherwise
    the observed order and ``iterations - 1`` random ones from ``seed``, as
    metafor's ``permutest`` counts.
    """
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    x = fitted.design.x
    k = x.shape[0]
    if fitted.qm is None:
        raise ValueError("the permutation test needs a model with moderators")
    observed = np.array([abs(c.stat) for c in fitted.coefficients])
    _, kinds = np.unique(x, axis=0, return_inverse=True)
    kinds = kinds.ravel()
    exact = _arrangements(kinds) <= iterations
    if exact:
        orders = [np.array(o) for o in _distinct_orders(kinds)]
    else:
        rng = np.random.default_rng(seed)
        orders = [np.arange(k)] + [rng.permutation(k) for _ in range(iterations - 1)]
    qm_hits = 0
    coef_hits = np.zeros(observed.size)
    eps = 1e-10
    for order in orders:
        design = Design(fitted.design.names, x[order])
        refit = meta_regression(y, v, design, tau2_method=fitted.tau2_method,
                                hksj=fitted.hksj, level=fitted.level, with_r2=False)
        qm_hits += refit.qm.stat >= fitted.qm.stat * (1 - eps)
        stats = np.array([abs(c.stat) for c in refit.coefficients])
        coef_hits += stats >= observed * (1 - eps)
    n = len(orders)
    perm = PermutationTest(iterations=n, exact=exact, qm_p=qm_hits / n,
                           coefficient_p=tuple(float(h / n) for h in coef_hits))
    return _replace_perm(fitted, perm)


def _arrangements(kinds: np.ndarray) -> int:
    counts = np.bincount(kinds)
    total = math.factorial(kinds.size)
    for c in counts:
        total //= math.factorial(int(c))
    return total


def _distinct_orders(kinds: np.ndarray):
    """Every distinct arrangement of the rows: indices into x, one list per order."""
    pools: dict[int, list[int]] = {}
    for i, kind in enumerate(kinds.tolist()):
        pools.setdefault(kind, []).append(i)
    remaining = {kind: len(rows) for kind, rows in pools.items()}
    sequence: list[int] = []

    def walk():
        if len(sequence) == kinds.size:
            used = {kind: 0 for kind in pools}
            order = []
            for kind in sequence:
                order.append(pools[kind][used[kind]])
                used[kind] += 1
            yield order
            return
        for kind in pools:
            if remaining[kind]:
                remaining[kind] -= 1
                sequence.append(kind)
                yield from walk()
                sequence.pop()
                remaining[kind] += 1

    yield from walk()


def _replace_perm(fitted: MetaRegression, perm: PermutationTest) -> MetaRegression:
    return replace(fitted, permutation=perm)
