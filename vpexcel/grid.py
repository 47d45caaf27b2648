"""Cell grids: what the core knows of a workbook.

A grid is the values Excel shows (cached values for formula cells), the formula
text where a cell has one, and the sheet it lives on. Every value the core uses
can be traced back to its sheet and A1 address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

CellValue = Any  # float | int | str | bool | date | datetime | ErrorValue | None


class ErrorValue(str):
    """An Excel error value such as ``#REF!`` (kept apart from text that looks like one)."""

    __slots__ = ()


ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters to a 0-based column index (A -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def a1(row: int, col: int) -> str:
    """0-based row and column to an A1 address."""
    return f"{column_letter(col)}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """A1 address (with or without $) to 0-based (row, col); ValueError if not one."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not an A1 address: {ref!r}")
    return int(m.group(2)) - 1, column_index(m.group(1))


VISIBLE, HIDDEN, VERY_HIDDEN = "visible", "hidden", "very_hidden"  # a sheet's visibility, as the file says it


@dataclass
class SheetGrid:
    """One sheet: rows of values from A1, formulas by (row, col), all 0-based."""

    name: str
    rows: list[list[CellValue]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    # VISIBLE, HIDDEN (Excel: right-click a sheet tab > Unhide) or VERY_HIDDEN (only the VBA editor shows it)
    visibility: str = "visible"

    @property
    def hidden(self) -> bool:
        return self.visibility != VISIBLE

    def value(self, row: int, col: int) -> CellValue:
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                v = line[col]
                return None if v == "" else v
        return None

    def formula(self, row: int, col: int) -> str | None:
        return self.formulas.get((row, col))

    @property
    def height(self) -> int:
        return len(self.rows)

    def is_empty(self) -> bool:
        return not self.formulas and all(v in ("", None) for r in self.rows for v in r)


class NoteKind(Enum):
    """What a reader's note is about, so that each command passes on the notes that concern it."""

    RENAMED = "renamed"  # the file's name ends otherwise than its content (read by its content): rename it
    VALUES_ONLY = "values_only"  # .xls, .ods, .xlsb: values read, formulas not, so the formula checks cannot run
    SHEETS_LEFT_OUT = "sheets_left_out"  # macro or dialog sheets were not read


# The notes a command passes on that reads a workbook's figures but checks no formulas (reconcile, fill).
FIGURE_NOTES = (NoteKind.RENAMED, NoteKind.SHEETS_LEFT_OUT)


@dataclass(frozen=True)
class ReaderNote:
    """One thing the reader wants the user told once: its kind, and the Swedish sentence the user sees."""

    kind: NoteKind
    text: str


@dataclass
class WorkbookGrid:
    """A whole workbook as the core sees it."""

    name: str
    sheets: list[SheetGrid]
    defined_names: dict[str, str] = field(default_factory=dict)
    # False when the file gave values only (.xlsb): checks that need formulas cannot run.
    has_formulas: bool = True
    # What the reader wants the user to know once, e.g. sheets it left out; callers pick notes by kind.
    notes: list[ReaderNote] = field(default_factory=list)

    def notes_of(self, *kinds: NoteKind) -> list[str]:
        """The Swedish sentences of the reader's notes of these kinds, in the order the reader gave them."""
        return [n.text for n in self.notes if n.kind in kinds]

    def sheet(self, name: str) -> SheetGrid | None:
        for s in self.sheets:
            if s.name == name:
                return s
        folded = name.casefold()
        for s in self.sheets:
            if s.name.casefold() == folded:
                return s
        return None
