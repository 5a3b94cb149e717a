"""The PRISMA 2020 boxes as plain data, with the identities that must always hold.

Counts are never typed in: :mod:`reviewflow.prisma.derive` computes them from the
store each time. This module only holds them, checks them and serialises them
with the key names the ``reviewflow prisma --json`` contract promises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OtherMethods:
    """The "identification via other methods" column (citation searching, websites...)."""

    identified: dict[str, int] = field(default_factory=dict)
    sought: int = 0
    not_retrieved: int = 0
    assessed: int = 0
    excluded_reports: dict[str, int] = field(default_factory=dict)
    included_reports: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "included_reports": self.included_reports,
            "identified": dict(self.identified),
            "sought": self.sought,
            "not_retrieved": self.not_retrieved,
            "assessed": self.assessed,
            "excluded_reports": dict(self.excluded_reports),
        }


@dataclass(frozen=True)
class PrismaCounts:
    """Every box of the PRISMA 2020 flow diagram for new reviews."""

    identified: dict[str, int]
    removed_duplicates: int
    removed_duplicates_auto: int
    removed_duplicates_manual: int
    removed_automation: int
    removed_other: int
    screened: int
    excluded_screening: int
    sought: int
    not_retrieved: int
    assessed: int
    excluded_reports: dict[str, int]
    included_studies: int
    included_reports: int
    registers: dict[str, int] = field(default_factory=dict)
    other_methods: OtherMethods | None = None
    awaiting: dict[str, int] = field(default_factory=dict)

    @property
    def identified_total(self) -> int:
        return sum(self.identified.values()) + sum(self.registers.values())

    def identity_errors(self) -> list[str]:
        """The PRISMA identities that do not hold (empty when the flow adds up).

        Records still awaiting a decision are reported in ``awaiting`` and
        accounted for, so the identities hold at every moment of a review.
        """
        errs: list[str] = []
        removed = self.removed_duplicates + self.removed_automation + self.removed_other
        wait = self.awaiting

        def check(label: str, left: int, right: int) -> None:
            if left != right:
                errs.append(f"{label}: {left} != {right}")

        check("identified - removed = screened", self.identified_total - removed, self.screened)
        check(
            "screened - excluded = sought",
            self.screened - self.excluded_screening - wait.get("screening", 0),
            self.sought,
        )
        check("sought - not retrieved = assessed",
              self.sought - self.not_retrieved - wait.get("retrieval", 0), self.assessed)
        other_included = self.other_methods.included_reports if self.other_methods else 0
        check(
            "assessed - excluded = included reports",
            self.assessed - sum(self.excluded_reports.values()) - wait.get("eligibility", 0),
            self.included_reports - other_included,
        )
        return errs

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "identified": {**self.identified, **self.registers},
            "removed_duplicates": self.removed_duplicates,
            "removed_duplicates_auto": self.removed_duplicates_auto,
            "removed_duplicates_manual": self.removed_duplicates_manual,
            "removed_automation": self.removed_automation,
            "removed_other": self.removed_other,
            "screened": self.screened,
            "excluded_screening": self.excluded_screening,
            "sought": self.sought,
            "not_retrieved": self.not_retrieved,
            "assessed": self.assessed,
            "excluded_reports": dict(self.excluded_reports),
            "included_studies": self.included_studies,
            "included_reports": self.included_reports,
            "awaiting": dict(self.awaiting),
        }
        if self.registers:
            # "identified" keeps every source of the main column (databases and
            # registers, as the diagram's first box); this names the registers.
            data["registers"] = dict(self.registers)
        if self.other_methods is not None:
            data["other_methods"] = self.other_methods.to_json()
        return data
