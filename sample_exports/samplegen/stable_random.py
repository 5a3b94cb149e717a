"""A random source whose every method is built on ``random()`` alone.

Python only promises that ``random.Random(seed).random()`` yields the same sequence
in every version; ``randint``, ``choice``, ``shuffle``, ``gauss`` and friends may
change their algorithm. The committed files must be reproducible byte for byte on
any Python, so the generator uses this class instead of ``random.Random``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class StableRandom(random.Random):
    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def choices(self, population: Sequence[T], weights: Sequence[float] | None = None, *,
                cum_weights: Sequence[float] | None = None, k: int = 1) -> list[T]:
        w = list(weights) if weights is not None else [1.0] * len(population)
        out = []
        for _ in range(k):
            x = self.random() * sum(w)
            i = 0
            while i < len(w) - 1 and x >= w[i]:
                x -= w[i]
                i += 1
            out.append(population[i])
        return out

    def shuffle(self, x: list) -> None:  # type: ignore[override]
        for i in range(len(x) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def sample(self, population: Sequence[T], k: int, *, counts: object = None) -> list[T]:
        pool = list(population)
        self.shuffle(pool)
        return pool[:k]

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """Box-Muller; one draw per call keeps the stream simple."""
        u1 = 1.0 - self.random()  # (0, 1]
        u2 = self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)
