"""Per-review screening settings: highlight keywords, exclusion reasons, blind mode.

They live in ``Review.settings_json`` (under ``"screening"``) so every terminal
and every machine sharing the store sees the same settings; the review folder's
``reviewflow.toml`` ``[screening]`` section, when present, is copied into the
store by :func:`apply_toml_settings` so a team can keep them in version control.
``Review.blind`` mirrors the blind flag for readers that only look there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store

DEFAULT_REASONS: tuple[str, ...] = (
    "wrong population",
    "wrong intervention",
    "wrong comparator",
    "wrong outcome",
    "not randomised",
    "wrong study design",
    "duplicate report",
    "other",
)


@dataclass(frozen=True)
class ScreeningSettings:
    """What a screening session needs to know about the review's rules."""

    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    exclusion_reasons: tuple[str, ...] = DEFAULT_REASONS
    blind: bool = True

    def match_reason(self, text: str) -> str:
        """The listed reason ``text`` names (case-insensitive), or a user error."""
        wanted = " ".join(text.split()).lower()
        for reason in self.exclusion_reasons:
            if reason.lower() == wanted:
                return reason
        raise ReviewflowError(
            f"unknown exclusion reason {text!r}; use one of: {', '.join(self.exclusion_reasons)}"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReviewflowError(f"[screening] {key} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def settings_from_dict(
    data: dict[str, Any], base: ScreeningSettings | None = None
) -> ScreeningSettings:
    """Settings from a ``[screening]``-shaped dict; unknown keys are a user error."""
    base = base or ScreeningSettings()
    known = {"include_keywords", "exclude_keywords", "exclusion_reasons", "blind"}
    unknown = set(data) - known
    if unknown:
        raise ReviewflowError(
            f"[screening] unknown setting(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for key in ("include_keywords", "exclude_keywords", "exclusion_reasons"):
        if key in data:
            values[key] = _str_list(key, data[key])
    if "exclusion_reasons" in values and not values["exclusion_reasons"]:
        raise ReviewflowError("[screening] exclusion_reasons must not be empty")
    if "blind" in data:
        if not isinstance(data["blind"], bool):
            raise ReviewflowError("[screening] blind must be true or false")
        values["blind"] = data["blind"]
    return ScreeningSettings(**{**asdict(base), **values})


def load_settings(store: Store) -> ScreeningSettings:
    """The review's screening settings (defaults for anything never set)."""
    review = store.review()
    stored = json.loads(review.settings_json or "{}").get("screening", {})
    settings = settings_from_dict(stored)
    if "blind" not in stored:
        settings = ScreeningSettings(**{**asdict(settings), "blind": bool(review.blind)})
    return settings


def save_settings(store: Store, settings: ScreeningSettings) -> None:
    """Store the settings in the review row (one transaction)."""
    with store.write() as s:
        review = s.exec(select(models.Review)).one()
        data = json.loads(review.settings_json or "{}")
        data["screening"] = settings.to_json()
        review.settings_json = json.dumps(data, ensure_ascii=False)
        review.blind = settings.blind
        s.add(review)


def apply_toml_settings(store: Store, section: dict[str, Any] | None) -> ScreeningSettings:
    """Copy a toml ``[screening]`` section into the store when it changes anything."""
    current = load_settings(store)
    if not section:
        return current
    wanted = settings_from_dict(section, base=current)
    if wanted != current:
        save_settings(store, wanted)
    return wanted
