"""The live side of the workbook port: an open workbook in Excel, through xlwings' Book API.

The checks read a :class:`WorkbookGrid` and never see xlwings; this class builds
that grid from the open workbook (unsaved edits included) and carries out the few
kinds of writes the buttons need. On Windows the Book is Excel itself (COM); in
the tests it is xlwings' remote Book, which has no formulas, cannot read a fill
colour or a note's text and has no status bar: those calls are kept here, small,
and degrade to "unknown" instead of failing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from vpexcel.grid import ERROR_CODES, CellValue, ErrorValue, SheetGrid, WorkbookGrid

MARKS_SHEET = "vpexcel_markeringar"  # very hidden: what Validera changed, so Rensa can undo exactly that


def _cell(v: Any) -> CellValue:
    if isinstance(v, str) and v in ERROR_CODES:
        return ErrorValue(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()
    return v


class LiveWorkbook:
    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return str(self.book.name)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def grid(self, skip: tuple[str, ...] = (MARKS_SHEET,)) -> WorkbookGrid:
        sheets = []
        for sheet in self.book.sheets:
            if sheet.name in skip:
                continue
            used = sheet.used_range
            values = used.options(ndim=2, err_to_str=True).value if hasattr(used, "options") else used.value
            top, left = used.row - 1, used.column - 1
            rows: list[list[CellValue]] = [[] for _ in range(top)]
            for line in values or []:
                rows.append([None] * left + [_cell(v) for v in line])
            sheets.append(SheetGrid(sheet.name, rows, self._formulas(used, top, left)))
        names = {}
        for n in self.book.names:
            try:
                names[n.name] = str(n.refers_to).lstrip("=")
            except (AttributeError, NotImplementedError):
                continue
        return WorkbookGrid(self.name, sheets, names)

    @staticmethod
    def _formulas(used: Any, top: int, left: int) -> dict[tuple[int, int], str]:
        try:
            table = used.formula
        except NotImplementedError:  # the remote engine has no formulas in its payload
            return {}
        if not isinstance(table, (list, tuple)):
            table = ((table,),)
        out = {}
        for r, line in enumerate(table):
            for c, f in enumerate(line if isinstance(line, (list, tuple)) else (line,)):
                if isinstance(f, str) and f.startswith("="):
                    out[(top + r, left + c)] = f[1:]
        return out

    # --- writing -----------------------------------------------------------------
    def has_note(self, sheet: str, cell: str) -> bool:
        try:
            return self.book.sheets[sheet].range(cell).note is not None
        except (NotImplementedError, AttributeError):
            return False

    def color(self, sheet: str, cell: str) -> str | None:
        """The cell's fill as "#RRGGBB", "" for none, or None when the engine cannot tell."""
        try:
            c = self.book.sheets[sheet].range(cell).color
        except NotImplementedError:
            return None
        if c is None:
            return ""
        if isinstance(c, tuple):
            return "#{:02X}{:02X}{:02X}".format(*c)
        return str(c)

    def set_color(self, sheet: str, cell: str, color: str | None) -> None:
        self.book.sheets[sheet].range(cell).color = color or None

    def add_note(self, sheet: str, cell: str, text: str) -> None:
        rng = self.book.sheets[sheet].range(cell)
        if hasattr(rng, "add_note"):
            try:
                rng.add_note(text)
                return
            except NotImplementedError:
                pass
        rng.note.text = text  # pragma: no cover - COM engine

    def delete_note(self, sheet: str, cell: str) -> None:
        note = self.book.sheets[sheet].range(cell).note
        if note is not None:
            note.delete()

    def set_value(self, sheet: str, cell: str, value: CellValue) -> None:
        self.book.sheets[sheet].range(cell).value = value

    def replace_sheet(self, name: str, rows: list[list[Any]], *, visible: bool = True) -> Any:
        """A fresh sheet ``name`` at the end with ``rows`` from A1 (an older one is deleted first)."""
        if name in self.sheet_names():
            self.book.sheets[name].delete()
        sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
        if rows:
            width = max(len(r) for r in rows)
            sheet.range("A1").value = [list(r) + [None] * (width - len(r)) for r in rows]
        if not visible:
            with contextlib.suppress(NotImplementedError, AttributeError):
                sheet.visible = False
        return sheet

    def delete_sheet(self, name: str) -> None:
        if name in self.sheet_names():
            self.book.sheets[name].delete()

    def read_sheet(self, name: str) -> list[list[Any]]:
        if name not in self.sheet_names():
            return []
        value = self.book.sheets[name].used_range.options(ndim=2).value
        return [list(r) for r in (value or [])]

    def hyperlink(self, sheet: Any, cell: str, target: str, text: str) -> None:
        sheet.range(cell).add_hyperlink(target, text)

    def alert(self, message: str) -> None:
        self.book.app.alert(message, title="vpexcel")

    def status(self, message: str | None) -> None:
        with contextlib.suppress(NotImplementedError, AttributeError):  # the remote engine has no status bar
            self.book.app.status_bar = message if message else False
