"""What a risk-of-bias item asks: its description (RevMan's QUALITY_ITEM DESCRIPTION).

A RevMan review states each RoB 1 item's question ("Selection bias (biased allocation
to interventions) due to inadequate generation of a randomised sequence"), its own
items' questions included. An import keeps them so that an export writes them back:
a round trip through reviewflow loses no part of the review's RoB table. They are the
review's wording of the tool, not a reviewer's judgement, so they sit with the
review's other settings in ``Review.settings_json`` (under ``"rob_items"``, one
mapping per tool: domain id -> description), written once by the import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlmodel import Session, select

from reviewflow.store import models

KEY = "rob_items"


def item_descriptions(tool: str, *, session: Session) -> dict[str, str]:
    """The tool's item descriptions the review keeps, by domain id (none: empty)."""
    review = session.exec(select(models.Review)).first()
    if review is None:
        return {}
    kept = json.loads(review.settings_json or "{}").get(KEY, {}).get(tool, {})
    return {str(k): str(v) for k, v in kept.items()}


def keep_item_descriptions(tool: str, descriptions: Mapping[str, str], *,
                           session: Session) -> None:
    """Keep the descriptions (the caller's transaction); the tool's others stay."""
    if not descriptions:
        return
    review = session.exec(select(models.Review)).one()
    data = json.loads(review.settings_json or "{}")
    data.setdefault(KEY, {}).setdefault(tool, {}).update(descriptions)
    review.settings_json = json.dumps(data, ensure_ascii=False)
    session.add(review)
    session.flush()
