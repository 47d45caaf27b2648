"""The live side of the workbook port: an open workbook in Excel, through xlwings' Book API.

The checks read a :class:`WorkbookGrid` and never see xlwings; this class builds
that grid from the open workbook (unsaved edits included) and carries out the few
kinds of writes the buttons need. On Windows the Book is Excel itself (COM); in
the tests it is xlwings' remote Book, which has no formulas, cannot read a fill
colour or a note's text and has no status bar: those calls are kept here, small,
and degrade to "unknown" instead of failing.

Text goes into cells as text, always: every non-empty string is written with a
leading apostrophe (after :func:`vpexcel.textcells.clean_text`). Through COM a
string assigned to ``Range.Value`` is read as if typed, so ``=cmd|'/C calc'!A0``,
``+1``, ``@SUM(...)`` would become formulas, a sheet named ``2024`` the number
2024 and ``2024-04`` a date; the apostrophe makes Excel store the text unchanged
(it is not part of the value read back, and Office.js treats it the same way).
The apostrophe is chosen over the text number format "@" because "@" stays on
the cell: what the user types there later becomes text, the very "number stored
as text" (VP201) that Reparera siffror repairs; and it must be set before the
value, a second call per cell. The apostrophe is applied to every text rather
than to those that look like formulas or numbers, because what Excel converts
depends on the user's locale (``1,5``, ``3/4``, ``jan-24``, ``SANT``, ``#N/A``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

from vpexcel.errors import InputError
from vpexcel.grid import ERROR_CODES, HIDDEN, VERY_HIDDEN, VISIBLE, CellValue, ErrorValue, SheetGrid, WorkbookGrid
from vpexcel.textcells import clean_text

MARKS_SHEET = "vpexcel_markeringar"  # very hidden: what Validera changed, so Rensa can undo exactly that
XL_SHEET_VERY_HIDDEN = 2  # xlSheetVeryHidden: not listed under Visa (Unhide)
TEXT_FORMAT = "@"


def as_cell(value: Any) -> Any:
    """A value as it is sent to Excel: text always as text (a leading apostrophe), see the module's doc."""
    if isinstance(value, str):
        text = clean_text(value)
        return "'" + text if text else text
    return value


def _flag(obj: Any, attribute: str) -> bool:
    """A COM property such as ``ProtectContents``; False where the engine has none (the remote engine)."""
    try:
        api = obj.api
    except (NotImplementedError, AttributeError):
        return False
    try:
        return bool(getattr(api, attribute, False))
    except Exception:  # a COM error reading the property: treat as not set
        return False


# Excel's XlSheetVisibility (COM ``Sheet.Visible``) and Office.js's visibility (the remote engine's payload)
_COM_VISIBILITY = {0: HIDDEN, 2: VERY_HIDDEN}  # xlSheetHidden, xlSheetVeryHidden; -1 is xlSheetVisible
_JS_VISIBILITY = {"Hidden": HIDDEN, "VeryHidden": VERY_HIDDEN}


def visibility(sheet: Any) -> str:
    """The sheet's visibility (grid.VISIBLE, HIDDEN, VERY_HIDDEN): COM's ``Visible`` tells very hidden
    apart, which xlwings' ``sheet.visible`` (a bool) does not; visible when the engine cannot tell."""
    try:
        api = sheet.api
    except Exception:  # an engine without an API object
        api = None
    if isinstance(api, dict):  # the remote engine's api is its payload
        return _JS_VISIBILITY.get(str(api.get("visibility", "Visible")), VISIBLE)
    if api is not None:
        try:
            return _COM_VISIBILITY.get(int(api.Visible), VISIBLE)
        except Exception:  # a COM error reading the property: ask xlwings instead
            pass
    try:
        return VISIBLE if sheet.visible else HIDDEN
    except Exception:
        return VISIBLE


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

    def saved_path(self) -> Path | None:
        """The workbook's file on disk; None when it was never saved or lives at a web address (OneDrive)."""
        try:
            full = Path(str(self.book.fullname))
        except Exception:
            return None
        return full if full.is_absolute() and full.is_file() else None

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
            sheets.append(SheetGrid(sheet.name, rows, self._formulas(used, top, left), visibility(sheet)))
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
        text = clean_text(text)
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
        self.book.sheets[sheet].range(cell).value = as_cell(value)

    def number_format(self, sheet: str, cell: str) -> str | None:
        """The cell's number format, or None when the engine cannot tell (the remote engine)."""
        try:
            return str(self.book.sheets[sheet].range(cell).number_format)
        except NotImplementedError:
            return None

    def set_number(self, sheet: str, cell: str, value: float) -> None:
        """A number into a cell. A cell formatted as text ("@") gets the General format first, or
        Excel would keep storing what is written there as text."""
        if self.number_format(sheet, cell) == TEXT_FORMAT:
            self.book.sheets[sheet].range(cell).number_format = "General"
        self.book.sheets[sheet].range(cell).value = value

    # --- protection: checked before anything is changed ----------------------------------
    def protected_sheets(self, names: Any) -> list[str]:
        present = set(self.sheet_names())
        return [n for n in sorted(set(names)) if n in present and _flag(self.book.sheets[n], "ProtectContents")]

    def structure_protected(self) -> bool:
        return _flag(self.book, "ProtectStructure")

    def check_writable(self, sheets: Any, *, sheets_added: str | None = None) -> None:
        """Refuse, in Swedish and before any change, when a sheet to be changed is protected, or when
        the workbook's structure is protected and a sheet (``sheets_added``) must be added or removed."""
        locked = self.protected_sheets(sheets)
        if locked:
            which = f"Bladet {locked[0]} är skyddat" if len(locked) == 1 else f"Bladen {', '.join(locked)} är skyddade"
            raise InputError(
                f"{which}, så vpexcel kan inte ändra där. Inget är ändrat. Ta bort skyddet (Granska > Ta bort "
                "skydd för blad) och klicka på knappen igen."
            )
        if sheets_added and self.structure_protected():
            raise InputError(
                f"Arbetsbokens struktur är skyddad, så vpexcel kan inte lägga till eller ta bort bladet {sheets_added}. "
                "Inget är ändrat. Ta bort skyddet (Granska > Skydda arbetsbok) och klicka på knappen igen."
            )

    def replace_sheet(self, name: str, rows: list[list[Any]], *, visible: bool = True) -> Any:
        """A fresh sheet ``name`` at the end with ``rows`` from A1 (an older one is deleted first)."""
        if name in self.sheet_names():
            self.book.sheets[name].delete()
        sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
        if rows:
            width = max(len(r) for r in rows)
            sheet.range("A1").value = [[as_cell(v) for v in r] + [None] * (width - len(r)) for r in rows]
        if not visible:
            self._hide(sheet)
        return sheet

    @staticmethod
    def _hide(sheet: Any) -> None:
        """Very hidden through COM (not listed under Visa); hidden where the engine knows only that."""
        try:
            api = sheet.api
            if not isinstance(api, dict):  # the remote engine's api is its payload
                api.Visible = XL_SHEET_VERY_HIDDEN
                return
        except Exception:  # a COM error: fall back to xlwings' hidden
            pass
        with contextlib.suppress(NotImplementedError, AttributeError):
            sheet.visible = False

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
