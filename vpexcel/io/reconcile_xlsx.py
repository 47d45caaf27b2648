"""The reconciliation workbook: a summary per area with a native bar chart, the ledger rows behind it, the findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from vpexcel.io.atomic import write_atomic
from vpexcel.io.openpyxl_text import append, put
from vpexcel.io.report_xlsx import write_findings
from vpexcel.reconcile import MONTHS_SV, SIGN_CONVENTION, AreaResult, Figures, Reconciliation

DETAIL_ROW_LIMIT = 50_000
SUMMARY_HEADERS = [
    "Produktionsområde",
    "Budget intäkt",
    "Budget kostnad",
    "Budget netto",
    "Periodiserad budget netto",
    "Utfall intäkt ack.",
    "Utfall kostnad ack.",
    "Utfall netto ack.",
    "varav interna intäkter",
    "varav interna kostnader",
    "Utfall netto månaden",
    "Avvikelse helår (budget − utfall)",
    "Avvikelse mot periodiserad budget",
    "Förbrukning av årets budget",
    "Rader",
]


def _area_row(a: AreaResult) -> list[Any]:
    return [
        a.area,
        a.budget.revenue,
        a.budget.cost,
        a.budget.net,
        a.budget_to_date.net,
        a.actual_to_date.revenue,
        a.actual_to_date.cost,
        a.actual_to_date.net,
        a.internal_revenue,
        a.internal_cost,
        a.actual_month.net,
        a.variance,
        a.variance_to_date,
        a.used_share,
        a.rows,
    ]


def _text_cells(ws: Any, row: int) -> None:
    for cell in ws[row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # ledger text such as "=Korrigering" stays text, never a formula


def write_reconciliation(rec: Reconciliation, target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Avstämning"
    months = f"januari–{MONTHS_SV[rec.month - 1]}" if rec.month > 1 else "januari"
    append(ws, [f"Avstämning mot huvudbok {months} {rec.year} ({rec.unit})"])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, [f"Budget: {rec.budget_file}. Huvudbok: {rec.ledger_file}. Skapad {dt.datetime.now():%Y-%m-%d %H:%M} av vpexcel."])
    append(ws, [SIGN_CONVENTION])
    append(ws, [])
    append(ws, SUMMARY_HEADERS)
    header = ws.max_row
    for cell in ws[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[header].height = 45
    first = header + 1
    for a in rec.areas:
        append(ws, _area_row(a))
        _text_cells(ws, ws.max_row)
    last_area = ws.max_row
    append(ws, _area_row(rec.board))
    put(ws.cell(ws.max_row, 1), f"Totalt {rec.board.area}")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    e = rec.eliminated
    append(ws, ["Eliminering nämndinterna poster", None, None, None, None, -e, e, 0.0])
    after: Figures = rec.board_after_elimination
    append(
        ws,
        [
            "Totalt efter eliminering",
            rec.board.budget.revenue,
            rec.board.budget.cost,
            rec.board.budget.net,
            rec.board.budget_to_date.net,
            after.revenue,
            after.cost,
            after.net,
        ],
    )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    number = "#,##0.0;[Red]-#,##0.0"
    for row in ws.iter_rows(min_row=first, max_row=ws.max_row, min_col=2, max_col=13):
        for cell in row:
            cell.number_format = number
    for r in range(first, ws.max_row + 1):
        ws.cell(r, 14).number_format = "0%"
    if rec.excluded:
        append(ws, [])
        append(ws, ["Utanför avstämningen", "Rader", f"Belopp ({rec.unit})"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for x in rec.excluded:
            append(ws, [x.reason, x.rows, x.amount])
            _text_cells(ws, ws.max_row)
            ws.cell(ws.max_row, 3).number_format = "#,##0.00;[Red]-#,##0.00"
    # chart data: net cost (positive) to date, budget against actual
    append(ws, [])
    append(ws, ["Diagramdata: nettokostnad t.o.m. perioden", "Periodiserad budget", "Utfall"])
    data_header = ws.max_row
    for a in rec.areas:
        append(ws, [a.area, -a.budget_to_date.net, -a.actual_to_date.net])
        for col in (2, 3):
            ws.cell(ws.max_row, col).number_format = number
    data_last = ws.max_row
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"Nettokostnad {months} {rec.year}: budget mot utfall ({rec.unit})"
    chart.y_axis.title = rec.unit
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=data_header, max_row=data_last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=data_header + 1, max_row=data_last))
    chart.height, chart.width = 10, 20
    ws.add_chart(chart, f"B{data_last + 2}")
    ws.freeze_panes = f"B{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header}:{header}"
    ws.column_dimensions["A"].width = 40
    for i in range(2, len(SUMMARY_HEADERS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    del last_area

    _write_detail(wb.create_sheet("Huvudboksrader"), rec)
    write_findings(wb.create_sheet("Anmärkningar"), rec.findings)
    return write_atomic(target, lambda tmp: wb.save(tmp))


def _write_detail(ws: Any, rec: Reconciliation) -> None:
    import polars as pl
    from openpyxl.styles import Font

    detail = rec.detail  # built from the ledger lines on each access: once here
    lines = detail.height
    if lines > DETAIL_ROW_LIMIT:
        detail = (
            detail.group_by("area", "ansvar", "verksamhet", "konto", "motpart", "kind", "internal", "month")
            .agg(pl.col("value").sum(), pl.col("amount").sum(), pl.len().alias("rows"))
            .sort("area", "ansvar", "konto", "month")
        )
        append(ws, [f"Huvudboken har {lines} rader i avstämningen; de visas summerade per kodsträng och månad."])
        headers = [
            "Produktionsområde",
            "Ansvar",
            "Verksamhet",
            "Konto",
            "Motpart",
            "Typ",
            "Intern",
            "Månad",
            f"Belopp ({rec.unit})",
            "Belopp (kr, som bokfört)",
            "Antal rader",
        ]
        keys = ["area", "ansvar", "verksamhet", "konto", "motpart", "kind", "internal", "month", "value", "amount", "rows"]
    else:
        headers = [
            "Rad i filen",
            "Period",
            "Produktionsområde",
            "Ansvar",
            "Verksamhet",
            "Konto",
            "Motpart",
            "Typ",
            "Intern",
            f"Belopp ({rec.unit})",
            "Belopp (kr, som bokfört)",
            "Text",
        ]
        keys = [
            "line",
            "period",
            "area",
            "ansvar",
            "verksamhet",
            "konto",
            "motpart",
            "kind",
            "internal",
            "value",
            "amount",
            "text",
        ]
        detail = detail.with_columns(
            (pl.col("year").cast(pl.Utf8) + "-" + pl.col("month").cast(pl.Utf8).str.zfill(2)).alias("period")
        )
    append(ws, headers)
    top = ws.max_row
    for cell in ws[top]:
        cell.font = Font(bold=True)
    kinds = {"revenue": "intäkt", "cost": "kostnad"}
    for row in detail.select(keys).iter_rows():
        values: list[Any] = list(row)
        k = keys.index("kind")
        values[k] = kinds.get(values[k], values[k])
        i = keys.index("internal")
        values[i] = "ja" if values[i] else "nej"
        append(ws, values)
        _text_cells(ws, ws.max_row)
    ws.auto_filter.ref = f"A{top}:{chr(64 + len(headers))}{max(ws.max_row, top)}"
    ws.freeze_panes = f"A{top + 1}"
    for i in range(len(headers)):
        ws.column_dimensions[chr(65 + i)].width = 14
    ws.column_dimensions[chr(64 + len(headers))].width = 40
