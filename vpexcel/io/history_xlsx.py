"""The audit trail for internal control: ``vpexcel historik --export revision.xlsx``.

One sheet per kind of run (Kontroller, Avstämningar, Ifyllda rapporter): one row
per finding of each run, with when, who, the files and their SHA-256, so the
auditor can filter by run, code or file. A run without findings gets one row
saying so. Every text goes through :func:`vpexcel.io.openpyxl_text.put`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from vpexcel.findings import SEVERITY_SV
from vpexcel.history import COMMAND_SV, ROLE_SV, RunRecord
from vpexcel.io.atomic import write_atomic
from vpexcel.io.openpyxl_text import append

SHEETS = {"validate": "Kontroller", "reconcile": "Avstämningar", "fill": "Ifyllda rapporter"}
HEADERS = [
    "Körning",
    "Tid",
    "Användare",
    "Kommun och nämnd",
    "Period",
    "Filer",
    "SHA-256",
    "Resultat",
    "Slutkod",
    "Kod",
    "Nivå",
    "Blad eller fil",
    "Cell",
    "Meddelande",
    "Undantag",
]
WIDTHS = [9, 20, 14, 30, 10, 36, 66, 30, 8, 8, 9, 24, 8, 80, 30]


def _sheet(wb: Any, title: str, heading: str, source: Path) -> Any:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    append(ws, [heading])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, [f"Ur historiken {source}, utdrag {dt.datetime.now():%Y-%m-%d %H:%M} av vpexcel."])
    append(ws, [])
    row = append(ws, HEADERS)
    for cell in ws[row]:
        cell.font = Font(bold=True)
    return ws


def write_audit(runs: list[RunRecord], source: Path, target: Path) -> Path:
    """Write the audit workbook atomically; one sheet per kind of run, also when a kind has no runs."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for command, title in SHEETS.items():
        ws = _sheet(wb, title, f"{COMMAND_SV[command]}: vad som kontrollerades och hittades", source)
        header_row = ws.max_row
        for run in (r for r in runs if r.command == command):
            files = "\n".join(f"{ROLE_SV.get(f.role, f.role)}: {f.name}" for f in run.files)
            hashes = "\n".join(f.sha256 or "kunde inte läsas" for f in run.files)
            common = [
                run.id,
                run.when.replace("T", " "),
                run.user,
                f"{run.municipality}, {run.board}",
                run.period or str(run.year),
                files,
                hashes,
                run.summary_sv(),
                run.exit_code,
            ]
            if not run.findings and not run.notes:
                append(ws, [*common, "", "", "", "", "Inga fynd.", ""])
            for f in run.findings:
                append(ws, [*common, f.code, SEVERITY_SV[f.severity], f.sheet or "", f.cell or "", f.message, f.silenced or ""])
            for note in run.notes:
                append(ws, [*common, "", "", "", "", note, ""])
        last = ws.max_row
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(HEADERS))}{last}"
        ws.freeze_panes = f"A{header_row + 1}"
        for i, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.page_setup.orientation = "landscape"
        ws.print_title_rows = f"{header_row}:{header_row}"
    return write_atomic(target, lambda tmp: wb.save(tmp), option="--export")
