"""Kappa lives in the read model (:mod:`reviewflow.review_state.agreement`); re-exported here."""

from reviewflow.review_state.agreement import Agreement, cohen_kappa, stage_agreement

__all__ = ["Agreement", "cohen_kappa", "stage_agreement"]
