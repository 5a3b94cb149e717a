"""Shared test fixtures.

The real third-party exports live in ``../shared/corpus`` beside the checkout
(never copied into the project). Tests that need them use the ``corpus`` fixture,
which skips with a stated reason when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def corpus_path() -> Path:
    """Where the shared corpus is: $REVIEWFLOW_CORPUS, else ../shared/corpus."""
    env = os.environ.get("REVIEWFLOW_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_path()
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path} (set REVIEWFLOW_CORPUS)")
    return path
