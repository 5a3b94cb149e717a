"""Text fields: a value field (a number, a country, a judgement) and a prose field (a note).

Neither selects its text when focused: Textual's default (select on focus) meant
the first key a reviewer pressed on arriving at a screen replaced what was there,
and a value saved on Tab. The help key ``?`` never types into a value field: the
field leaves it to the screen's help binding. In a prose field it is a question
mark, as a note may ask something (F1 opens help from there).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

HELP_CHARACTER = "?"


class ValueField(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == HELP_CHARACTER:
            return False  # the screen's help binding gets it
        return super().check_consume_key(key, character)


class ProseField(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
