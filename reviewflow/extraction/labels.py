"""How a study is labelled after one of its reports: 'Surname Year', as reviews name trials.

Held apart from :mod:`reviewflow.extraction.studies` so a writer on the write seam
(``same-study --link`` making a report its own study) labels without the ORM.
"""

from __future__ import annotations

import json


def label_of(authors_json: str | None, year: int | None) -> str:
    """'Surname Year' as reviews name trials."""
    authors = json.loads(authors_json or "[]")
    first = str(authors[0]) if authors else "Anon"
    surname = first.split(",")[0].strip() if "," in first else first.split()[-1]
    return f"{surname} {year or 'n.d.'}"
