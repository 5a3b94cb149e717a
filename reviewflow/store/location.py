"""Finding a review on disk and reading its ``reviewflow.toml``.

A review is a folder holding ``reviewflow.toml`` (and, by default, the SQLite
file). Commands find it the way git finds ``.git``: ``--review DIR``, else
``$REVIEWFLOW_REVIEW``, else the current folder or one of its parents. The toml
may name another database (``[database] url = "postgresql+psycopg://..."``) so a
team on several machines can share one PostgreSQL server.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.errors import ConfigError, ReviewflowError
from reviewflow.store.secrets import has_secret, strip_secret

CONFIG_NAME = "reviewflow.toml"
DB_NAME = "reviewflow.db"
WRITE_TURN_SUFFIX = "-writelock"  # the writers' turn (reviewflow.store.write_turn)
# Files SQLite and the writers' turn keep beside a database file.
DB_SIDE_SUFFIXES = ("-wal", "-shm", "-journal", WRITE_TURN_SUFFIX)
ENV_REVIEW = "REVIEWFLOW_REVIEW"


@dataclass
class ReviewConfig:
    """The parsed ``reviewflow.toml`` of one review folder."""

    folder: Path
    title: str = "Untitled review"
    db_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / CONFIG_NAME

    def database_url(self) -> str:
        """The SQLAlchemy URL: the toml's, else the SQLite file in the folder."""
        return self.db_url or sqlite_url(self.folder / DB_NAME)

    def save(self) -> None:
        data: dict[str, Any] = dict(self.extra)
        data["review"] = {**data.get("review", {}), "title": self.title}
        if self.db_url:
            # A password given with --db is used for this command only: the toml
            # travels (bundles, git, co-authors), so it never holds one.
            data["database"] = {**data.get("database", {}), "url": strip_secret(self.db_url)}
        import tomli_w  # only a command that writes the config pays for it

        self.path.write_text(tomli_w.dumps(data), encoding="utf-8")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def load_config(folder: Path) -> ReviewConfig:
    path = folder / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReviewflowError(f"{path}: not found (is {folder} a review folder?)") from exc
    except UnicodeDecodeError as exc:
        raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{path}: not valid TOML ({exc})") from exc
    check_config(data, str(path))
    review = data.get("review", {})
    url = data.get("database", {}).get("url")
    if url and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # A relative SQLite path in the toml is relative to the review folder.
        url = sqlite_url(folder / url.removeprefix("sqlite:///"))
    return ReviewConfig(
        folder=folder.resolve(),
        title=str(review.get("title", "Untitled review")),
        db_url=url,
        extra=data,
    )


# reviewflow.toml's tables and their keys' types (None: a table another module checks,
# e.g. [screening] by reviewflow.screening.settings). A new section is added here.
SECTIONS: dict[str, dict[str, type] | None] = {
    "review": {"title": str, "question": str},
    "database": {"url": str},
    "screening": None,
    "team": None,
    "fulltext": {"folder": str},  # where PDF copies live (a team's shared drive)
}


def check_config(data: dict[str, Any], source: str) -> None:
    """Keys and types of reviewflow.toml, one :class:`ConfigError` naming the key.

    Checked by hand rather than with the pydantic models the other files use:
    every command reads this file, and importing pydantic would add ~80 ms to
    each start. The rules are the same: unknown keys and wrong types refused.
    """
    for section, value in data.items():
        if section not in SECTIONS:
            raise ConfigError(source, section, f"unknown key {section!r} (a typo?)")
        if not isinstance(value, dict):
            raise ConfigError(source, section, "must be a table, e.g. [" + section + "]")
        keys = SECTIONS[section]
        for key, item in value.items() if keys is not None else ():
            if key not in keys:
                raise ConfigError(source, f"{section}.{key}", f"unknown key {key!r} (a typo?)")
            if not isinstance(item, keys[key]):
                raise ConfigError(source, f"{section}.{key}", f"must be text in quotes "
                                  f"(got {item!r})")
    url = data.get("database", {}).get("url")
    if url and has_secret(url):
        raise ConfigError(source, "database.url", "holds a password; remove it and give it "
                          "through PGPASSWORD, ~/.pgpass or the prompt (the toml travels in "
                          "bundles and git)")


def find_review_folder(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``reviewflow.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def resolve_review_folder(explicit: Path | None, cwd: Path | None = None) -> Path:
    """Apply the lookup order: explicit option, environment, cwd and parents."""
    if explicit is None and os.environ.get(ENV_REVIEW):
        explicit = Path(os.environ[ENV_REVIEW])
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise ReviewflowError(f"{explicit}: no {CONFIG_NAME} here (not a review folder)")
        return explicit.resolve()
    found = find_review_folder(cwd or Path.cwd())
    if found is None:
        raise ReviewflowError(
            "no review found in this folder or its parents; "
            "run 'reviewflow init DIR' or pass --review DIR"
        )
    return found
