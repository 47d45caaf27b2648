"""The comparison workbook: "Ändringar" (one row per change, linked into both versions) and "Sammanfattning"."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpexcel.compare import CHANGE_SV, Comparison, formulas_sv
from vpexcel.io.atomic import write_atomic
from vpexcel.io.openpyxl_text import append, put

if TYPE_CHECKING:
    from vpexcel.grid import WorkbookGrid
    from vpexcel.layout import Table
    from vpexcel.settings import Settings

HEADERS = [
    "Ändring",
    "Blad",
    "Rad",
    "Område",
    "Kolumn",
    "Före",
    "Efter",
    "Förändring",
    "Cell i före",
    "Cell i efter",
    "Formel före",
    "Formel efter",
    "Beskrivning",
]
WIDTHS = [24, 24, 30, 28, 28, 12, 12, 12, 14, 14, 24, 24, 90]
SUMMARY_HEADERS = ["Område", "År", "Mått", "Före", "Efter", "Förändring"]


def _link(book: Path, target: Path, cell: str) -> str:
    sheet, ref = cell.rsplit("!", 1)
    rel = os.path.relpath(book.resolve(), target.resolve().parent).replace(os.sep, "/")
    return f"{rel}#'{sheet.replace(chr(39), chr(39) * 2)}'!{ref}"


def _heading(ws: Any, title: str, comp: Comparison) -> None:
    from openpyxl.styles import Font

    append(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append(
        ws,
        [
            f"Före: {comp.old_name}. Efter: {comp.new_name}. Belopp i {comp.unit}. Skapad {dt.datetime.now():%Y-%m-%d %H:%M} av vpexcel."
        ],
    )
    append(ws, [])


def _header_row(ws: Any, headers: list[str]) -> int:
    from openpyxl.styles import Font

    row = append(ws, headers)
    for cell in ws[row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{row + 1}"
    return row


def write_comparison(comp: Comparison, old_path: Path, new_path: Path, target: Path) -> Path:
    """Write the comparison workbook atomically to ``target``; links point at both versions' cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ändringar"
    _heading(ws, f"Ändringar mellan {comp.old_name} och {comp.new_name}", comp)
    unread = formulas_sv(comp)
    if unread is not None:  # a version saved as .xls/.ods/.xlsb: said once, above the changes
        append(ws, [unread])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        append(ws, [])
    header = _header_row(ws, HEADERS)
    link_font = Font(color="0563C1", underline="single")
    for c in comp.changes:
        row = append(
            ws,
            [
                CHANGE_SV[c.kind],
                c.sheet or "",
                c.line or "",
                c.area or "",
                c.column or "",
                c.old,
                c.new,
                c.delta,
                (c.old_cell or "").rsplit("!", 1)[-1],
                (c.new_cell or "").rsplit("!", 1)[-1],
                f"={c.old_formula}" if c.old_formula else "",
                f"={c.new_formula}" if c.new_formula else "",
                c.message,
            ],
        )
        for col, cell, book in ((9, c.old_cell, old_path), (10, c.new_cell, new_path)):
            if cell:
                ws.cell(row, col).hyperlink = _link(book, target, cell)
                ws.cell(row, col).font = link_font
        for col in (6, 7, 8):
            ws.cell(row, col).number_format = "#,##0.0;[Red]-#,##0.0"
    if not comp.changes:
        nothing = "Inga ändringar i värdena." if unread else "Inga ändringar i innehållet."
        append(ws, ["", "", "", "", "", None, None, None, "", "", "", "", nothing])
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(HEADERS))}{ws.max_row}"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{header}:{header}"

    sm = wb.create_sheet("Sammanfattning")
    _heading(sm, "Netto per område före och efter", comp)
    _header_row(sm, SUMMARY_HEADERS)
    for s in comp.summary:
        row = append(sm, [s.area, s.year, s.measure, s.old, s.new, s.change])
        for col in (4, 5, 6):
            sm.cell(row, col).number_format = "#,##0.0;[Red]-#,##0.0"
    append(sm, [])
    for year, o, n in comp.frames:
        append(sm, [f"Ram {year}", year, "ram", o, None if n is None else n, None if o is None or n is None else n - o])
    for f, t, o, n in comp.bridge:
        append(sm, [f"Budgetbrygga {f}→{t} (summa)", t, "budgetbrygga", o, n, None if o is None or n is None else n - o])
    for i, width in enumerate([40, 8, 14, 14, 14, 14], start=1):
        sm.column_dimensions[get_column_letter(i)].width = width
    put(sm.cell(sm.max_row + 2, 1), "Förändring = efter − före. Detaljerna står på bladet Ändringar.")
    return write_atomic(target, lambda tmp: wb.save(tmp))


def compare_paths(old_path: Path, new_path: Path, given: Settings | None = None, notes: list[str] | None = None) -> Comparison:
    """Read, find the tables of, and compare two saved versions.

    Each version is read and its tables found in its own thread: while one thread's
    python-calamine parses (without the GIL), the other finds tables in Python.
    """
    from concurrent.futures import ThreadPoolExecutor

    from vpexcel.compare import compare, read_view
    from vpexcel.grid import NoteKind
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import find_tables, resolve_settings

    def load(path: Path) -> tuple[WorkbookGrid, Settings, list[Table]]:
        book = read_workbook(path)
        settings = resolve_settings(book, given)
        return book, settings, find_tables(book, settings)

    with ThreadPoolExecutor(max_workers=2) as pool:
        (old, s_old, t_old), (new, s_new, t_new) = pool.map(load, [old_path, new_path])
    if notes is not None:  # a version under another format's name (its values-only note is said by the comparison)
        notes.extend([*old.notes_of(NoteKind.RENAMED), *new.notes_of(NoteKind.RENAMED)])
    return compare(read_view(old, s_old, s_new, t_old), read_view(new, s_new, s_new, t_new), [s_new, s_old])


def compare_files(
    old_path: Path,
    new_path: Path,
    target: Path | None = None,
    settings_path: Path | None = None,
    notes: list[str] | None = None,
) -> tuple[Comparison, Path]:
    """Read two saved versions, compare them and write the workbook (default: beside the new version).

    What the ribbon button "Jämför med tidigare version" can call with the chosen earlier file and the active one.
    """
    from vpexcel.io.atomic import check_output, ensure_not_input

    target = target or new_path.parent / f"{new_path.stem}-jamforelse.xlsx"
    ensure_not_input(target, old_path, new_path, *([settings_path] if settings_path else []))  # before the work
    check_output(target)
    given = None
    if settings_path is not None:
        from vpexcel.io.settings_io import load_settings_file

        given = load_settings_file(settings_path, notes)
    comp = compare_paths(old_path, new_path, given, notes)
    return comp, write_comparison(comp, old_path, new_path, target)
