"""RevMan 5 ``.rm5`` XML -> :class:`~reviewflow.revman.model.RevManFile`.

Every problem names the file, the line, the element and the attribute, so a
hand-edited or truncated file can be fixed; nothing is guessed.
"""

from __future__ import annotations

import math
from pathlib import Path

from reviewflow.errors import InputError
from reviewflow.revman.model import (
    Comparison,
    DataRow,
    Outcome,
    OutcomeKind,
    Reference,
    RevManFile,
    RiskOfBiasEntry,
    RiskOfBiasItem,
    Settings,
    Stored,
    Study,
    StudyStatus,
    Subgroup,
    SubgroupTest,
    Totals,
)
from reviewflow.revman.xmltree import Node, parse_file

STATUS_SECTIONS = {
    "INCLUDED_STUDIES": StudyStatus.INCLUDED,
    "EXCLUDED_STUDIES": StudyStatus.EXCLUDED,
    "AWAITING_STUDIES": StudyStatus.AWAITING,
    "ONGOING_STUDIES": StudyStatus.ONGOING,
}
CHAR_ELEMENTS = ("INCLUDED_CHAR", "EXCLUDED_CHAR", "AWAITING_CHAR", "ONGOING_CHAR")
DATA_FIELDS = {
    OutcomeKind.DICHOTOMOUS: (("events_1", "EVENTS_1"), ("total_1", "TOTAL_1"),
                              ("events_2", "EVENTS_2"), ("total_2", "TOTAL_2")),
    OutcomeKind.CONTINUOUS: (("mean_1", "MEAN_1"), ("sd_1", "SD_1"), ("total_1", "TOTAL_1"),
                             ("mean_2", "MEAN_2"), ("sd_2", "SD_2"), ("total_2", "TOTAL_2")),
    OutcomeKind.GENERIC: (("estimate", "ESTIMATE"), ("se", "SE"), ("total_1", "TOTAL_1"),
                          ("total_2", "TOTAL_2")),
}
UNSUPPORTED = {"IPD_OUTCOME": "O-E and variance data", "OTHER_OUTCOME": "'other data'"}
METHODS = {OutcomeKind.DICHOTOMOUS: ("MH", "IV", "PETO"), OutcomeKind.CONTINUOUS: ("IV",)}
REQUIRED = {
    OutcomeKind.DICHOTOMOUS: ("events_1", "total_1", "events_2", "total_2"),
    OutcomeKind.CONTINUOUS: ("mean_1", "sd_1", "total_1", "mean_2", "sd_2", "total_2"),
    OutcomeKind.GENERIC: ("estimate", "se"),
}


def has_data(row: DataRow, kind: OutcomeKind) -> bool:
    """Whether a data row holds every number its kind needs (RevMan allows empty rows)."""
    return all(getattr(row, f) is not None for f in REQUIRED[kind])


def data_problem(row: DataRow, kind: OutcomeKind) -> str | None:
    """Why a data row holds numbers no trial can have (None: it can be analysed).

    RevMan itself refuses these on entry; a hand-edited or damaged file may not."""
    for name, key in DATA_FIELDS[kind]:
        x = getattr(row, name)
        if x is None:
            continue
        if not math.isfinite(x):
            return f"{key} is not a finite number"
        if name.startswith(("events", "total")) and (x < 0 or x != int(x)):
            return f"{key}={x:g} is not a whole number of participants"
        if name.startswith(("sd", "se")) and x < 0:
            return f"{key}={x:g} is negative"
    if kind is OutcomeKind.DICHOTOMOUS:
        for side in ("1", "2"):
            events, total = getattr(row, f"events_{side}"), getattr(row, f"total_{side}")
            if events is not None and total is not None and events > total:
                return f"EVENTS_{side}={events:g} is more than TOTAL_{side}={total:g}"
    return None


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.unsupported: list[str] = []

    def fail(self, node: Node, problem: str) -> InputError:
        key = next((k for k in ("STUDY_ID", "ID") if node.attrs.get(k)), None)
        named = f' {key}="{node.attrs[key]}"' if key else ""
        return InputError(self.source, node.line, f"<{node.tag}{named}>: {problem}")

    def number(self, node: Node, key: str) -> float | None:
        raw = node.attrs.get(key, "").strip()
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise self.fail(node, f"attribute {key}={raw!r} is not a number") from None

    def integer(self, node: Node, key: str, default: int = 0) -> int:
        value = self.whole(node, key)
        return default if value is None else value

    def whole(self, node: Node, key: str) -> int | None:
        value = self.number(node, key)
        if value is None:
            return None
        if not math.isfinite(value) or value != int(value):
            raise self.fail(node, f"attribute {key}={node.attrs[key]!r} is not a whole number")
        return int(value)

    def flag(self, node: Node, key: str, default: bool = False) -> bool:
        raw = node.attrs.get(key, "").strip().upper()
        if not raw:
            return default
        if raw not in ("YES", "NO"):
            raise self.fail(node, f"attribute {key}={raw!r} is not YES or NO")
        return raw == "YES"

    def stored(self, node: Node) -> Stored:
        n = self.number
        estimable = node.attrs.get("ESTIMABLE")
        studies = self.whole(node, "STUDIES")
        return Stored(
            estimable=None if estimable is None else estimable.upper() == "YES",
            effect=n(node, "EFFECT_SIZE"), ci_start=n(node, "CI_START"),
            ci_end=n(node, "CI_END"), weight=n(node, "WEIGHT"), z=n(node, "Z"),
            p_z=n(node, "P_Z"), chi2=n(node, "CHI2"), df=n(node, "DF"),
            p_chi2=n(node, "P_CHI2"), i2=n(node, "I2"), tau2=n(node, "TAU2"),
            studies=studies, se=n(node, "SE"),
        )

    def row(self, node: Node, kind: OutcomeKind) -> DataRow:
        study = node.get("STUDY_ID")
        if not study:
            raise self.fail(node, "no STUDY_ID")
        values = {field: self.number(node, key) for field, key in DATA_FIELDS[kind]}
        order = self.whole(node, "ORDER")
        stored = self.stored(node)
        if kind is OutcomeKind.GENERIC:
            # On IV rows SE is the entered SE, not a result.
            stored = Stored(**{**stored.__dict__, "se": None})
        data = DataRow(study_id=study, order=order,
                       stored=stored, line=node.line, **values)
        problem = data_problem(data, kind)
        if problem:
            raise self.fail(node, problem)
        return data

    def settings(self, node: Node, kind: OutcomeKind) -> Settings:
        totals = node.get("TOTALS", "YES").upper()
        if totals not in Totals.__members__:
            raise self.fail(node, f"attribute TOTALS={totals!r} is not YES, SUB or NO")
        method = node.get("METHOD", "IV" if kind is not OutcomeKind.DICHOTOMOUS else "MH")
        if method.upper() not in METHODS.get(kind, (method.upper(),)):
            raise self.fail(node, f"METHOD={method!r} is not {' or '.join(METHODS[kind])}")
        for key in ("CI_STUDY", "CI_TOTAL"):
            if not 0 < self.integer(node, key, 95) < 100:
                raise self.fail(node, f"{key}={node.attrs[key]!r} is not a percentage "
                                "between 0 and 100")
        measure = node.get("EFFECT_MEASURE", "")
        if kind is OutcomeKind.DICHOTOMOUS and measure not in ("RR", "OR", "RD", "PETO_OR"):
            raise self.fail(node, f"EFFECT_MEASURE={measure!r} is not RR, OR, RD or PETO_OR")
        if kind is OutcomeKind.CONTINUOUS and measure not in ("MD", "SMD"):
            raise self.fail(node, f"EFFECT_MEASURE={measure!r} is not MD or SMD")
        return Settings(
            measure=measure, method=method.upper(), random=self.flag(node, "RANDOM"),
            totals=Totals(totals), subgroup_test=self.flag(node, "SUBGROUP_TEST", True),
            ci_study=self.integer(node, "CI_STUDY", 95),
            ci_total=self.integer(node, "CI_TOTAL", 95),
            swap_events=self.flag(node, "SWAP_EVENTS"), log_data=self.flag(node, "LOG_DATA"),
            units=node.get("UNITS"),
        )

    def outcome(self, node: Node, kind: OutcomeKind) -> Outcome:
        prefix = kind.value
        data_tag, sub_tag = f"{prefix}_DATA", f"{prefix}_SUBGROUP"
        subgroups = tuple(
            Subgroup(id=s.get("ID"), no=self.integer(s, "NO"), name=s.child_text("NAME"),
                     rows=tuple(self.row(r, kind) for r in s.findall(data_tag)),
                     stored=self.stored(s))
            for s in node.findall(sub_tag)
        )
        has_subgroups = self.flag(node, "SUBGROUPS") or bool(subgroups)
        test = None
        if has_subgroups:
            test = SubgroupTest(self.number(node, "Q"), self.number(node, "P_Q"),
                                self.number(node, "I2_Q"))
        return Outcome(
            id=node.get("ID"), no=self.integer(node, "NO"), name=node.child_text("NAME"),
            kind=kind, settings=self.settings(node, kind),
            rows=tuple(self.row(r, kind) for r in node.findall(data_tag)),
            subgroups=subgroups, has_subgroups=has_subgroups,
            group_labels=(node.child_text("GROUP_LABEL_1"), node.child_text("GROUP_LABEL_2")),
            graph_labels=(node.child_text("GRAPH_LABEL_1"), node.child_text("GRAPH_LABEL_2")),
            stored=self.stored(node), subgroup_test=test, line=node.line,
        )

    def comparisons(self, analyses: Node | None) -> tuple[Comparison, ...]:
        if analyses is None:
            return ()
        out = []
        for comp in analyses.findall("COMPARISON"):
            outcomes = [
                self.outcome(child, OutcomeKind(child.tag.removesuffix("_OUTCOME")))
                for child in comp.children
                if child.tag in ("DICH_OUTCOME", "CONT_OUTCOME", "IV_OUTCOME")
            ]
            self.unsupported += [
                f"outcome {comp.get('NO')}.{child.get('NO')} ({child.child_text('NAME')}): "
                f"{UNSUPPORTED[child.tag]} cannot be analysed here"
                for child in comp.children if child.tag in UNSUPPORTED]
            out.append(Comparison(id=comp.get("ID"), no=self.integer(comp, "NO"),
                                  name=comp.child_text("NAME"), outcomes=tuple(outcomes)))
        return tuple(out)


def _reference(node: Node) -> Reference:
    ids = node.find("IDENTIFIERS")
    identifiers = tuple(
        (i.get("TYPE"), i.get("VALUE")) for i in (ids.findall("IDENTIFIER") if ids else ())
    )
    return Reference(
        type=node.get("TYPE"), primary=node.get("PRIMARY").upper() == "YES",
        authors=node.child_text("AU"), title=node.child_text("TI"),
        source=node.child_text("SO"), year=node.child_text("YR"),
        volume=node.child_text("VL"), issue=node.child_text("NO"),
        pages=node.child_text("PG"), identifiers=identifiers,
    )


def _characteristics(root: Node) -> dict[str, tuple[tuple[str, str], ...]]:
    section = root.find("CHARACTERISTICS_OF_STUDIES")
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    if section is None:
        return out
    for tag in CHAR_ELEMENTS:
        for char in section.iter(tag):
            out[char.get("STUDY_ID")] = tuple(
                (c.tag, c.text()) for c in char.children if c.tag.startswith("CHAR_")
            )
    return out


def _studies(root: Node) -> tuple[Study, ...]:
    refs = root.find("STUDIES_AND_REFERENCES")
    studies_node = refs.find("STUDIES") if refs is not None else None
    if studies_node is None:
        return ()
    chars = _characteristics(root)
    out = []
    for section, status in STATUS_SECTIONS.items():
        holder = studies_node.find(section)
        for s in holder.findall("STUDY") if holder is not None else ():
            out.append(Study(
                id=s.get("ID"), name=s.get("NAME"), year=s.get("YEAR"), status=status,
                data_source=s.get("DATA_SOURCE"),
                references=tuple(_reference(r) for r in s.findall("REFERENCE")),
                characteristics=chars.get(s.get("ID"), ()),
            ))
    return tuple(out)


def _risk_of_bias(reader: _Reader, root: Node) -> tuple[RiskOfBiasItem, ...]:
    items = root.find("QUALITY_ITEMS")
    if items is None:
        return ()
    out = []
    for item in items.findall("QUALITY_ITEM"):
        data = item.find("QUALITY_ITEM_DATA")
        entries = tuple(
            RiskOfBiasEntry(study_id=e.get("STUDY_ID"), result=e.get("RESULT", "UNKNOWN"),
                            support=e.child_text("DESCRIPTION"), group_id=e.get("GROUP_ID"))
            for e in (data.findall("QUALITY_ITEM_DATA_ENTRY") if data is not None else ())
        )
        # RevMan 5 names an item's outcome groups in QUALITY_ITEM_DATA_ENTRY_GROUP children
        groups = tuple((g.get("ID"), g.child_text("NAME"))
                       for g in item.findall("QUALITY_ITEM_DATA_ENTRY_GROUP"))
        out.append(RiskOfBiasItem(
            id=item.get("ID"), no=reader.integer(item, "NO"), name=item.child_text("NAME"),
            description=item.child_text("DESCRIPTION"), level=item.get("LEVEL", "STUDY"),
            entries=entries, groups=groups,
        ))
    return tuple(out)


def from_tree(root: Node, source: str) -> RevManFile:
    if root.tag != "COCHRANE_REVIEW":
        raise InputError(source, root.line,
                         f"<{root.tag}> is not a RevMan 5 review (expected <COCHRANE_REVIEW>)")
    reader = _Reader(source)
    analyses = root.find("ANALYSES_AND_DATA")
    cover = root.find("COVER_SHEET")
    return RevManFile(
        source=source,
        title=cover.child_text("TITLE") if cover is not None else "",
        revman_version=root.get("REVMAN_SUB_VERSION") or root.get("REVMAN_VERSION"),
        calculated=analyses is not None and reader.flag(analyses, "CALCULATED_DATA"),
        studies=_studies(root),
        risk_of_bias=_risk_of_bias(reader, root),
        comparisons=reader.comparisons(analyses), unsupported=tuple(reader.unsupported),
    )


def read_rm5(path: Path | str) -> RevManFile:
    """Read a RevMan 5 file; raises InputError (one line) on any problem."""
    path = Path(path)
    return from_tree(parse_file(path), str(path))


def read_any(path: Path | str):
    """An .rm5 file, a RevMan CSV export or a RevMan Web data package (.zip), with the
    tolerance its numbers allow."""
    from reviewflow.revman.check import CSV_TOLERANCE, RM5_TOLERANCE
    from reviewflow.revman.csv_export import read_revman_csv

    path = Path(path)
    if path.suffix.lower() == ".csv":
        return read_revman_csv(path), CSV_TOLERANCE
    if path.suffix.lower() == ".zip":
        from reviewflow.revman.data_package import read_data_package

        return read_data_package(path), CSV_TOLERANCE
    return read_rm5(path), RM5_TOLERANCE
