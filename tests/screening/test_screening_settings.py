"""Review screening settings: defaults, toml section, validation."""

from __future__ import annotations

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.screening.settings import (
    DEFAULT_REASONS,
    apply_toml_settings,
    load_settings,
)
from tests.screening.support import make_store

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)


def test_defaults_then_toml_section(tmp_path) -> None:
    store = make_store(tmp_path, 1)
    s = load_settings(store)
    assert s.blind and s.exclusion_reasons == DEFAULT_REASONS and "other" in s.exclusion_reasons
    apply_toml_settings(store, {"include_keywords": ["randomised", "MSC"], "blind": False,
                                "exclusion_reasons": ["wrong population", "other"]})
    s = load_settings(store)
    assert s.include_keywords == ("randomised", "MSC") and not s.blind
    assert store.review().blind is False
    assert s.match_reason("WRONG population") == "wrong population"
    with pytest.raises(ReviewflowError, match="unknown exclusion reason"):
        s.match_reason("bad luck")
    with pytest.raises(ReviewflowError, match="unknown setting"):
        apply_toml_settings(store, {"colour": "red"})
    with pytest.raises(ReviewflowError, match="list of strings"):
        apply_toml_settings(store, {"exclude_keywords": "mouse"})
    store.dispose()
