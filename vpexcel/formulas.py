"""Pure helpers over formula text (as stored in the file, without the leading '=')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpexcel.grid import column_index, column_letter

_STRING = re.compile(r'"(?:[^"]|"")*"')
_NAME_PART = r"[A-Za-z_\u00c0-\u024f][\w.\u00c0-\u024f]*"
_REF = re.compile(
    r"(?<![\w.$\]])"
    # the sheet: quoted ('Min budget'!, 'Jan:Dec'!, '[Budget.xlsx]Blad'!, 'C:\mapp\[Budget.xlsx]Blad'!) or not
    # (Blad!, Jan:Dec! for a range over several sheets, [1]Blad! and [Budget.xlsx]Blad! in another workbook)
    rf"(?P<sheet>(?:'(?:[^']|'')+'|(?:\[[^\]]+\])?{_NAME_PART}(?::{_NAME_PART})?)!)?"
    r"(?P<c1>\$?)(?P<col1>[A-Za-z]{1,3})(?P<r1>\$?)(?P<row1>\d+)"
    r"(?::(?P<c2>\$?)(?P<col2>[A-Za-z]{1,3})(?P<r2>\$?)(?P<row2>\d+))?"
    r"(?![\w(])"
)
_EXTERNAL = re.compile(r"\[\d+\]|\[[^\]]+\.xl[a-z]*\]", re.IGNORECASE)
_SUM = re.compile(r"^\s*SUM\((?P<args>[^()]*)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Ref:
    """A cell or range reference; rows and columns 0-based, inclusive."""

    sheet: str | None  # None: the formula's own sheet; "Jan:Dec": every sheet from Jan to Dec
    row1: int
    col1: int
    row2: int
    col2: int
    # the other workbook a reference reads ("1" for [1]Blad!A1, "Budget.xlsx", "C:\\mapp\\Budget.xlsx"), or None
    # for this workbook's own cells: ``sheet`` is then a sheet of that other workbook, not of this one
    book: str | None = None

    @property
    def is_cell(self) -> bool:
        return self.row1 == self.row2 and self.col1 == self.col2


def _mask_strings(formula: str) -> str:
    return _STRING.sub(lambda m: " " * len(m.group(0)), formula)


def _sheet_name(raw: str | None) -> tuple[str | None, str | None]:
    """(workbook, sheet) of a reference's prefix such as "'[Budget.xlsx]Blad'!"; workbook None for this one."""
    if not raw:
        return None, None
    name = raw[:-1]
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    if "[" not in name:  # Excel allows no brackets in a sheet's name: one means another workbook
        return None, name
    folder, _, rest = name.partition("[")
    book, _, sheet = rest.partition("]")
    return folder + book, sheet


def references(formula: str) -> list[Ref]:
    """Every A1 reference in a formula, in order; a reference into another workbook has ``book`` set."""
    out: list[Ref] = []
    for m in _REF.finditer(_mask_strings(formula)):
        r1, c1 = int(m["row1"]) - 1, column_index(m["col1"])
        if m["col2"]:
            r2, c2 = int(m["row2"]) - 1, column_index(m["col2"])
        else:
            r2, c2 = r1, c1
        book, sheet = _sheet_name(m["sheet"])
        out.append(Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), book))
    return out


def mask_references(formula: str) -> str:
    """The formula with its texts in quotes and its references blanked out: what is left are the
    functions, operators, numbers and defined names it uses."""
    return _REF.sub(lambda m: " " * len(m.group(0)), _mask_strings(formula))


def is_external(formula: str) -> bool:
    """True when a formula reads another workbook."""
    return bool(_EXTERNAL.search(_mask_strings(formula)))


def sum_ranges(formula: str) -> list[Ref] | None:
    """The references of a plain ``SUM(...)`` formula, or None for any other formula."""
    m = _SUM.match(formula)
    if not m:
        return None
    refs = references(m["args"])
    return refs or None


def shift(formula: str, drow: int, dcol: int) -> str:
    """Move a formula's relative references, as Excel does for shared formulas."""
    masked = _mask_strings(formula)

    def one(dollar_c: str, col: str, dollar_r: str, row: str) -> str:
        c = column_index(col) + (0 if dollar_c else dcol)
        r = int(row) + (0 if dollar_r else drow)
        return f"{dollar_c}{column_letter(max(c, 0))}{dollar_r}{max(r, 1)}"

    parts: list[str] = []
    last = 0
    for m in _REF.finditer(masked):
        parts.append(formula[last : m.start()])
        text = (m["sheet"] or "") + one(m["c1"], m["col1"], m["r1"], m["row1"])
        if m["col2"]:
            text += ":" + one(m["c2"], m["col2"], m["r2"], m["row2"])
        parts.append(text)
        last = m.end()
    parts.append(formula[last:])
    return "".join(parts)


def pattern(formula: str, row: int, col: int) -> str:
    """The formula in relative (R1C1-like) form, so copies of one formula compare equal.

    References to other sheets keep their absolute cell and drop the sheet name.
    """
    masked = _mask_strings(formula)

    def one(dollar_c: str, c: str, dollar_r: str, r: str, absolute: bool) -> str:
        ci, ri = column_index(c), int(r) - 1
        rs = f"R{ri}" if dollar_r or absolute else f"R[{ri - row}]"
        cs = f"C{ci}" if dollar_c or absolute else f"C[{ci - col}]"
        return rs + cs

    parts: list[str] = []
    last = 0
    for m in _REF.finditer(masked):
        parts.append(formula[last : m.start()])
        # A link to another sheet is compared by the cell it reads there, whatever the sheet:
        # a summary's links to each area's sheet share one pattern.
        other = bool(m["sheet"])
        text = ("!" if other else "") + one(m["c1"], m["col1"], m["r1"], m["row1"], other)
        if m["col2"]:
            text += ":" + one(m["c2"], m["col2"], m["r2"], m["row2"], other)
        parts.append(text)
        last = m.end()
    parts.append(formula[last:])
    return "".join(parts).replace(" ", "").upper()
