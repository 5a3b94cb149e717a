"""Review screening settings: defaults, toml section, validation."""

from __future__ import annotations

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.policy import change_policy, load_policy, read_policy_history
from reviewflow.screening.settings import (
    DEFAULT_REASONS,
    load_settings,
    read_toml_settings,
    save_settings,
)
from reviewflow.store.reader import session_reader
from tests.screening.support import add_reviewer, make_store

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)


def _open_with(store, section: dict) -> str | None:
    """A command opening the review with this [screening] section, as the CLI does it."""
    toml = read_toml_settings(load_settings(store), section)
    if toml.changed:
        with store.write() as session:
            save_settings(toml.settings, session=session)
    return toml.notice


def test_an_unchanged_section_asks_for_no_write(tmp_path) -> None:
    """Reading commands must not take the write lock when the file changes nothing."""
    store = make_store(tmp_path, 1)
    _open_with(store, {"include_keywords": ["MSC"]})
    again = read_toml_settings(load_settings(store), {"include_keywords": ["MSC"]})
    assert not again.changed and again.settings.include_keywords == ("MSC",)
    assert read_toml_settings(load_settings(store), {"include_keywords": ["OA"]}).changed
    assert not read_toml_settings(load_settings(store), None).changed
    store.dispose()


def test_defaults_then_toml_section(tmp_path) -> None:
    store = make_store(tmp_path, 1)
    s = load_settings(store)
    assert s.blind and s.exclusion_reasons == DEFAULT_REASONS and "other" in s.exclusion_reasons
    notice = _open_with(store, {"include_keywords": ["randomised", "MSC"], "blind": False,
                                "exclusion_reasons": ["wrong population", "other"]})
    s = load_settings(store)
    # A local file never switches blinding off for the team: the store's rule stands, loudly.
    assert s.include_keywords == ("randomised", "MSC") and s.blind
    assert notice is not None and "store's rule stands" in notice
    assert store.review().blind is True
    ann, carol = add_reviewer(store, "ann"), add_reviewer(store, "carol", "arbiter")
    with store.write() as ses, pytest.raises(ReviewflowError, match="not an arbiter"):
        change_policy(session=ses, changed_by=ann, blind=False)
    with store.write() as ses:
        change_policy(session=ses, changed_by=carol, blind=False, required={"full_text": 3})
    s = load_settings(store)
    assert not s.blind and store.review().blind is False
    with store.session() as ses:
        assert load_policy(ses).required("full_text") == 3
        changes = read_policy_history(session_reader(ses))
        assert [(c.key, c.value, c.changed_by) for c in changes] == [
            ("blind", False, "carol"), ("required:full_text", 3, "carol")]
    assert s.match_reason("WRONG population") == "wrong population"
    with pytest.raises(ReviewflowError, match="unknown exclusion reason"):
        s.match_reason("bad luck")
    with pytest.raises(ReviewflowError, match="unknown setting"):
        _open_with(store, {"colour": "red"})
    with pytest.raises(ReviewflowError, match="list of strings"):
        _open_with(store, {"exclude_keywords": "mouse"})
    store.dispose()
