"""Write corpus sheets to .xlsx: with XlsxWriter (cached formula values, as Excel stores them) or,
for the "saved by a program that does not calculate" case, with openpyxl (formulas without values)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from corpus.sheet import Sheet


def write_xlsx(path: Path, sheets: list[Sheet], *, calculated: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not calculated:
        return _write_uncalculated(path, sheets)
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1), "author": "vpexcel corpus"})
    number = wb.add_format({"num_format": "#,##0.0;-#,##0.0"})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        ws.set_column(0, 0, 34)
        for c in sheet.hidden:
            ws.set_column(c, c, 12, None, {"hidden": True})
        for r, line in enumerate(sheet.rows):
            for c, v in enumerate(line):
                if isinstance(v, tuple):
                    ws.write_formula(r, c, v[0], number, v[1])
                elif isinstance(v, str):
                    if v:
                        ws.write_string(r, c, v)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, number)
        for cell, text in sheet.comments.items():
            ws.write_comment(cell, text)
    wb.close()
    return path


def _write_uncalculated(path: Path, sheets: list[Sheet]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, line in enumerate(sheet.rows, start=1):
            for c, v in enumerate(line, start=1):
                if isinstance(v, tuple):
                    ws.cell(r, c).value = v[0]  # openpyxl stores the formula and no value
                elif v != "" and v is not None:
                    cell = ws.cell(r, c)
                    cell.value = v
                    if isinstance(v, str):
                        cell.data_type = "s"
    wb.save(path)
    return path
