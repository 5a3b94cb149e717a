"""Review screening settings: defaults, toml section, validation."""

from __future__ import annotations

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.policy import change_policy, load_policy, policy_history
from reviewflow.screening.decisions import ensure_reviewer
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
    _, notice = apply_toml_settings(store, {"include_keywords": ["randomised", "MSC"],
                                            "blind": False,
                                            "exclusion_reasons": ["wrong population", "other"]})
    s = load_settings(store)
    # A local file never switches blinding off for the team: the store's rule stands, loudly.
    assert s.include_keywords == ("randomised", "MSC") and s.blind
    assert notice is not None and "store's rule stands" in notice
    assert store.review().blind is True
    ann, carol = ensure_reviewer(store, "ann"), ensure_reviewer(store, "carol", "arbiter")
    with store.write() as ses, pytest.raises(ReviewflowError, match="not an arbiter"):
        change_policy(session=ses, changed_by=ann, blind=False)
    with store.write() as ses:
        change_policy(session=ses, changed_by=carol, blind=False, required={"full_text": 3})
    s = load_settings(store)
    assert not s.blind and store.review().blind is False
    with store.session() as ses:
        assert load_policy(ses).required("full_text") == 3
        assert [(c.key, c.value, c.changed_by) for c in policy_history(ses)] == [
            ("blind", False, "carol"), ("required:full_text", 3, "carol")]
    assert s.match_reason("WRONG population") == "wrong population"
    with pytest.raises(ReviewflowError, match="unknown exclusion reason"):
        s.match_reason("bad luck")
    with pytest.raises(ReviewflowError, match="unknown setting"):
        apply_toml_settings(store, {"colour": "red"})
    with pytest.raises(ReviewflowError, match="list of strings"):
        apply_toml_settings(store, {"exclude_keywords": "mouse"})
    store.dispose()
