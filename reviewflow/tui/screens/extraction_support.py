"""What the extraction and RoB screens share: who is working, and the study's reports.

Kept free of textual widgets so the text shown beside a study can be tested alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reviewflow.extraction.studies import StudyInfo
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.titles import titles_of


@dataclass(frozen=True)
class Worker:
    """The person using a screen: their name and reviewer id in the store."""

    name: str
    id: int

    @classmethod
    def named(cls, store: Store, name: str) -> Worker:
        with store.write() as session:  # opening the screen adds a new name
            return cls(name, int(ensure_reviewer(session=session, name=name).id or 0))


def reports_text(store: Store, study: StudyInfo) -> str:
    """The study's reports (primary first) as plain text for the side panel."""
    if not study.record_ids:
        return f"{study.label}\n\n(no report linked; 'reviewflow extraction study link')"
    parts = []
    with store.session() as s:
        for i, rid in enumerate(study.record_ids):
            rec = s.get(models.RecordRow, rid)
            if rec is None:
                continue
            authors = ", ".join(json.loads(rec.authors_json or "[]")[:6])
            kind = "Primary report" if i == 0 else "Also reported in"
            title = titles_of(rec.title, rec.translated_title, rec.language)
            english = f"\n{title.english}" if title.english else ""
            lang = f" · {title.shown_language}" if title.shown_language else ""
            parts.append(f"{kind} (record {rid}){lang}\n{title.original}{english}\n{authors}\n"
                         f"{rec.journal or ''} {rec.year or ''}\n\n{rec.abstract or ''}")
    return "\n\n".join(parts)
