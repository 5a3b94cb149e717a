"""Per-review screening settings: highlight keywords, exclusion reasons, blind mode.

They live in the store so every terminal and every machine sharing it sees the
same settings. Keywords and reasons sit in ``Review.settings_json`` (under
``"screening"``); the review folder's ``reviewflow.toml`` ``[screening]``
section, when present, is read by :func:`read_toml_settings` (and saved when it changes) so a team
can keep them in version control. Blind mode is a screening *rule*
(:mod:`reviewflow.review_state.policy`): changed only by an audited
``reviewflow policy`` change, never by a local file (issue 16: one machine's
``blind = false`` used to switch blinding off for the whole team).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.policy import read_policy
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:
    from sqlmodel import Session

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
            f"[screening] {plural(len(unknown), 'unknown setting')}: {', '.join(sorted(unknown))}; "
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


def review_json(reader: Reader) -> tuple[int, dict[str, Any]]:
    """The review row's id and its ``settings_json`` (screening settings, ranking seeds)."""
    found = reader.rows("SELECT id, settings_json FROM review ORDER BY id LIMIT 1")
    if not found:
        raise ReviewflowError("the store has no review row")
    return found[0][0], json.loads(found[0][1] or "{}")


def read_settings(reader: Reader) -> ScreeningSettings:
    """The review's screening settings (defaults for anything never set; blind from the policy)."""
    stored = review_json(reader)[1].get("screening", {})
    settings = settings_from_dict({k: v for k, v in stored.items() if k != "blind"})
    return ScreeningSettings(**{**asdict(settings), "blind": read_policy(reader).blind})


def load_settings(store: Store) -> ScreeningSettings:
    """:func:`read_settings` in a read session of ``store``."""
    store.review()  # one line naming the store when it has no review row
    with store.session() as s:
        return read_settings(session_reader(s))


def write_settings(settings: ScreeningSettings, *, writer: Writer) -> None:
    """Store keywords and reasons in the review row (caller's transaction); blind mode is
    not touched here (see :func:`reviewflow.review_state.policy.change_policy`)."""
    review_id, data = review_json(writer.reader)
    blind = data.get("screening", {}).get("blind")
    data["screening"] = {k: v for k, v in settings.to_json().items() if k != "blind"}
    if blind is not None:
        data["screening"]["blind"] = blind
    writer.execute("UPDATE review SET settings_json = ? WHERE id = ?",
                   (json.dumps(data, ensure_ascii=False), review_id))


def save_settings(settings: ScreeningSettings, *, session: Session) -> None:
    """:func:`write_settings` in a session."""
    write_settings(settings, writer=session_writer(session))


@dataclass(frozen=True)
class TomlSettings:
    """A toml ``[screening]`` section read against the store's settings: what is in force,
    whether the store must take it (``save_settings`` in the caller's transaction, so a
    command that changes nothing never takes the write lock), and a notice to show."""

    settings: ScreeningSettings
    changed: bool
    notice: str | None


def read_toml_settings(current: ScreeningSettings, section: dict[str, Any] | None
                       ) -> TomlSettings:
    """The store's settings with the toml section over them, except ``blind``: when the
    file's differs, the notice says the store's rule stands (never applied silently)."""
    if not section:
        return TomlSettings(current, False, None)
    notice = None
    if "blind" in section and section["blind"] != current.blind:
        notice = (f"note: reviewflow.toml says blind = {str(section['blind']).lower()}, but the "
                  f"review's rule is blind = {str(current.blind).lower()}; the store's rule "
                  "stands (an arbiter changes it: 'reviewflow policy --blind on|off --by NAME')")
    wanted = settings_from_dict(section, base=current)
    wanted = ScreeningSettings(**{**asdict(wanted), "blind": current.blind})
    return TomlSettings(wanted, wanted != current, notice)
