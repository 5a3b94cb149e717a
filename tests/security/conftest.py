"""Tests of files, bundles and stores from others: reuse the teams helpers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
