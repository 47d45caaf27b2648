"""The "Valideringsrapport" workbook: one row per finding, linked to its cell."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vpexcel.findings import SEVERITY_SV, Finding, Report, Severity
from vpexcel.io.atomic import write_atomic
from vpexcel.io.openpyxl_text import append
from vpexcel.rules import RULES
from vpexcel.textcells import clean_text

HEADERS = ["Nivå", "Kod", "Regel", "Blad eller fil", "Cell", "Meddelande", "Väntat", "Faktiskt", "Förslag", "Undantag"]
FILLS = {Severity.ERROR: "F8CBAD", Severity.WARNING: "FFE699", Severity.INFO: "DDEBF7"}


def _link(book_path: Path, report_path: Path, sheet: str, cell: str) -> str:
    try:
        rel = os.path.relpath(book_path.resolve(), report_path.resolve().parent).replace(os.sep, "/")
    except ValueError:  # on Windows, the report on another drive than the workbook: link by full path
        rel = str(book_path.resolve()).replace(os.sep, "/")
    return clean_text(f"{rel}#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}")


# the widest a text column of the findings table gets (characters) before its text wraps: the table
# then prints one A4 page wide at a readable size (title, message, suggestion, silenced-because)
WRAPPED_WIDTH = {3: 28, 6: 55, 9: 40, 10: 24}


def write_findings(ws: Any, findings: list[Finding], link: Callable[[Finding], str | None] | None = None) -> None:
    """One row per finding under a header row, coloured by severity, filterable, widths that fit.

    Every string is written as text (:func:`vpexcel.io.openpyxl_text.append`), so a message
    quoting "=SUM(...)" or a sheet named "=1+1" never becomes a formula.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_row = append(ws, HEADERS)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for f in findings:
        row = append(
            ws,
            [
                SEVERITY_SV[f.severity],
                f.code,
                RULES[f.code].title if f.code in RULES else "",
                f.sheet or "",
                f.cell or "",
                f.message,
                f.expected,
                f.actual,
                f.suggestion or "",
                f.silenced or "",
            ],
        )
        ws.cell(row, 1).fill = PatternFill("solid", fgColor=FILLS[f.severity])
        target = link(f) if link else None
        if target:
            ws.cell(row, 5).hyperlink = target
            ws.cell(row, 5).font = Font(color="0563C1", underline="single")
    last = ws.max_row
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(HEADERS))}{max(last, header_row)}"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"  # printed: one page wide, the header row on every page
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    for i, title in enumerate(HEADERS, start=1):
        longest = max([len(title)] + [len(str(ws.cell(r, i).value or "")) for r in range(header_row + 1, last + 1)])
        cap = WRAPPED_WIDTH.get(i, 90)
        ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), cap)
        if longest + 2 > cap:  # long texts wrap in their column instead of shrinking the printed page
            for r in range(header_row + 1, last + 1):
                ws.cell(r, i).alignment = Alignment(wrap_text=True, vertical="top")


READ_AS_SHEET = "Så lästes arbetsboken"


def write_read_as(wb: Any, read_as: list[tuple[str, list[str]]]) -> None:
    """The sheet "Så lästes arbetsboken": the table map, one line per row, text only."""
    from openpyxl.styles import Font

    from vpexcel.io.openpyxl_text import put

    ws = wb.create_sheet(READ_AS_SHEET)
    put(ws.cell(1, 1), "Så lästes arbetsboken: tabellerna vpexcel hittade, hur varje kolumn och rad förstods")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    row = 3
    for sheet, lines in read_as:
        put(ws.cell(row, 1), sheet)
        ws.cell(row, 1).font = Font(bold=True)
        for line in lines:
            put(ws.cell(row, 2), line)
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 110


def write_report(report: Report, book_path: Path, target: Path, read_as: list[tuple[str, list[str]]] | None = None) -> Path:
    """Write the report workbook atomically to ``target`` (with the table map when ``read_as`` is given)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Valideringsrapport"
    s = report.summary
    append(ws, [f"Valideringsrapport för {report.file}"])
    ws["A1"].font = Font(bold=True, size=14)
    append(
        ws,
        [
            f"Skapad {dt.datetime.now():%Y-%m-%d %H:%M} av vpexcel. {s.error} fel, {s.warning} varningar, {s.info} info"
            + (f", {s.silenced} undantagna" if s.silenced else "")
            + "."
        ],
    )
    for hidden in report.hidden_sheets:  # once per hidden sheet: the links below cannot open it until it is shown
        row = append(ws, [hidden.note])
        ws.cell(row, 1).font = Font(bold=True)
    append(ws, [])
    write_findings(ws, report.findings, lambda f: _link(book_path, target, f.sheet, f.cell) if f.sheet and f.cell else None)
    if read_as:
        write_read_as(wb, read_as)
    return write_atomic(target, lambda tmp: wb.save(tmp))
