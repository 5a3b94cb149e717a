"""Spreadsheet cells that cannot run: CSV/formula injection neutralised, reversibly.

A record title, a note or a study label is text from someone else's file. A
spreadsheet program treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``).
As OWASP's "CSV Injection" page recommends, such a cell is written with a
leading single quote (``'=HYPERLINK(...)``), which spreadsheet programs show as
text. Numbers (``-0.5``) are left alone: they are not formulas.

reviewflow reads its own exports back unchanged: :func:`restore` removes the one
quote :func:`neutralise` added. The rule is reversible for every text: a cell
gets one more leading quote exactly when, after its leading quotes, it starts
with a trigger character, so text that itself began with ``'=`` round-trips too.

In XLSX files the cell is instead written as a text cell (never a formula), so
no quote is needed there and the workbook shows the text as it is.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _needs_guard(text: str) -> bool:
    rest = text.lstrip("'")
    return rest.startswith(TRIGGERS) and not _is_number(rest)


def neutralise(value: Any) -> Any:
    """A CSV cell value that no spreadsheet will evaluate (non-text values unchanged)."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def neutralise_row(values: dict[str, Any]) -> dict[str, Any]:
    return {k: neutralise(v) for k, v in values.items()}


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (a cell read back from our CSV export)."""
    if text.startswith("'") and _needs_guard(text[1:]):
        return text[1:]
    return text


def xlsx_append(sheet: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell stored as text.

    openpyxl turns any string starting with ``=`` into a formula; here such a
    cell is typed as a plain string, so Excel shows it and never runs it.
    """
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
