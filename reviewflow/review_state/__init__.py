"""The one read model of a review (issue 16): votes, merges, statuses, studies, PRISMA inputs.

Import from here; the submodules are the pieces (``votes``: one record's replay;
``policy``: the stored screening rules; ``agreement``: kappa; ``model``/``load``:
the snapshot).
"""

from reviewflow.review_state.agreement import Agreement, cohen_kappa, stage_agreement
from reviewflow.review_state.load import load_people, load_review_state, record_status
from reviewflow.review_state.model import ReviewState, StageState, StudyState
from reviewflow.review_state.policy import ScreeningPolicy, change_policy, load_policy
from reviewflow.review_state.votes import (
    ARBITER,
    CONFLICT,
    HOLD,
    MOVES_ON,
    PENDING,
    Outcome,
    Person,
    RecordStatus,
    Resolution,
    Vote,
    category,
    votes_disagree,
)

__all__ = [
    "ARBITER", "CONFLICT", "HOLD", "MOVES_ON", "PENDING", "Agreement", "Outcome", "Person",
    "RecordStatus", "Resolution", "ReviewState", "ScreeningPolicy", "StageState", "StudyState",
    "Vote", "category", "change_policy", "cohen_kappa", "load_people", "load_policy",
    "load_review_state", "record_status", "stage_agreement", "votes_disagree",
]
