"""The reconciliation workbook: a printable summary per area, a chart with its data on its own sheet,
the ledger rows behind it, the findings.

Every value goes in through :mod:`vpexcel.io.openpyxl_text` (``append``/``put``), so text from the
settings or the ledger never becomes a formula. Figures are written exact to the öre (no float noise,
nothing booked rounded away) and shown with one decimal; a figure that one decimal would show as 0,0 or
"-0,0" is shown with the decimals it needs (0,05). The only colour in the table is the deviation that is
an underskott under the settings' convention.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vpexcel.io.atomic import write_atomic
from vpexcel.io.openpyxl_text import append, put
from vpexcel.io.report_xlsx import write_findings
from vpexcel.reconcile import MONTHS_SV, SHARE_PLACES, AreaResult, Figures, Reconciliation, money_places

DETAIL_ROW_LIMIT = 50_000
CHART_SHEET = "Diagramdata"
# number formats: a zero section, so a value that rounds to nothing shows "0,0" and never "-0,0"
AMOUNT_FORMAT = "#,##0.0;-#,##0.0;0.0"
KRONOR_FORMAT = "#,##0.00;-#,##0.00;0.00"
SHARE_FORMAT = "0%;-0%;0%"
DEFICIT_COLOUR = "C00000"
# printing: A4 landscape, body text 11 pt, never printed below 8 pt
A4_LANDSCAPE_WIDTH_PT = 841.9
SIDE_MARGIN_IN = 0.4
BODY_FONT_PT = 11
MIN_PRINTED_PT = 8.0


def _gross_budget(budget: Figures, value: float) -> float | None:
    """A gross budget figure; empty for a budget kept as net only (revenue and cost 0, the net not)."""
    return None if budget.revenue == budget.cost == 0 != budget.net else _r(value)


_PLACES = [8]  # the decimals that keep the workbook being written exact to the öre (set per workbook)


def _r(value: float | None, decimals: int | None = None) -> float | None:
    """Exact to the öre in the report's unit (or ``decimals``); -0.0 becomes 0.0."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, _PLACES[0] if decimals is None else decimals) + 0.0


def shown_format(value: object, decimals: int = 1) -> str:
    """The number format for an amount: ``decimals`` decimals, or as many as a small amount needs to show
    itself (never "0,0" or "-0,0" for an amount that is not zero); a zero shows as 0,0."""
    places = decimals
    if isinstance(value, float) and value != 0:
        while places < _PLACES[0] and round(abs(value), places) == 0:
            places += 1
    digits = "0." + "0" * places if places else "0"
    return f"#,##0{digits[1:]};-#,##0{digits[1:]};{digits}"


def column_points(width: float) -> float:
    """Printed width in points at 100 % of an Excel column ``width`` characters wide (Calibri 11)."""
    return math.trunc(width * 7 + 5) * 0.75


def pages_wide(widths: list[float], repeated: int, scale: float) -> int:
    """How many pages wide the columns ``widths`` print at ``scale`` (A4 landscape), the first ``repeated``
    columns printed again on every page; one page more than the plain quotient, since pages break
    between columns."""
    usable = A4_LANDSCAPE_WIDTH_PT - 2 * SIDE_MARGIN_IN * 72
    pts = [column_points(w) * scale for w in widths]
    fixed = sum(pts[:repeated])
    per_page = usable - fixed - max(pts[repeated:], default=0.0)
    return max(1, math.ceil(sum(pts[repeated:]) / per_page))


def print_setup(ws: Any, header_row: int, widths: list[float], repeated_cols: int = 1) -> None:
    """A4 landscape, as many pages wide as the table needs at a readable size, heading rows and the first
    column repeated on every page, as many pages down as it takes."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = pages_wide(widths, repeated_cols, MIN_PRINTED_PT / BODY_FONT_PT * 1.1)
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=0.6, bottom=0.6)
    ws.print_title_rows = f"{header_row}:{header_row}"
    if repeated_cols:
        from openpyxl.utils import get_column_letter

        ws.print_title_cols = f"A:{get_column_letter(repeated_cols)}"
    ws.print_options.gridLines = False


def _headers(rec: Reconciliation) -> list[str]:
    last = rec.year - 1
    return [
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
        *([f"Utfall netto ack. samma period {last}", f"Förändring mot {last}"] if rec.has_last_year else []),
        "Kvar av budget (budget − utfall ack.)",
        "Avvikelse mot periodiserad budget",
        "Förbrukning av årets budget",
        "Rader",
        "Periodiseringsnyckel",
    ]


def _area_row(rec: Reconciliation, a: AreaResult) -> list[Any]:
    last = a.last_year_to_date
    return [
        a.area,
        _gross_budget(a.budget, a.budget.revenue),
        _gross_budget(a.budget, a.budget.cost),
        _r(a.budget.net),
        _r(a.budget_to_date.net),
        _r(a.actual_to_date.revenue),
        _r(a.actual_to_date.cost),
        _r(a.actual_to_date.net),
        _r(a.internal_revenue),
        _r(a.internal_cost),
        _r(a.actual_month.net),
        *([_r(last.net) if last else None, _r(a.change_from_last_year)] if rec.has_last_year else []),
        _r(a.variance),
        _r(rec.deviation_of(a)),
        _r(a.used_share, SHARE_PLACES),
        a.rows,
        a.key,
    ]


def write_reconciliation(
    rec: Reconciliation, target: Path, last_run: tuple[str, Mapping[str, Mapping[str, float]]] | None = None
) -> Path:
    """The reconciliation workbook; ``last_run`` (when, area -> measure -> net) is the same period's previous run
    from the history, shown in a small table below today's figures."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    _PLACES[0] = money_places(rec.unit)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Avstämning"
    months = f"januari–{MONTHS_SV[rec.month - 1]}" if rec.month > 1 else "januari"
    headers = _headers(rec)
    col = {h: i for i, h in enumerate(headers, start=1)}
    deviation_col = col["Avvikelse mot periodiserad budget"]
    share_col, rows_col, key_col = col["Förbrukning av årets budget"], col["Rader"], col["Periodiseringsnyckel"]

    ws["A1"].font = Font(bold=True, size=14)
    put(ws["A1"], f"Avstämning mot huvudbok {months} {rec.year} ({rec.unit})")
    append(ws, [f"Budget: {rec.budget_file}. Huvudbok: {rec.ledger_file}. Skapad {dt.datetime.now():%Y-%m-%d %H:%M} av vpexcel."])
    convention = (
        f"{rec.deviation_text} Underskott visas i rött. Intäkter positiva, kostnader negativa; netto = intäkter + kostnader. "
        "Kvar av budget = årets budget − utfall ack."
    ) + rec.budget_sign_note
    if rec.has_last_year:
        convention += f" Fjolårets utfall ur {rec.last_year_source}; förändring = utfall ack. − samma period {rec.year - 1}."
    append(ws, [convention])
    ws["A3"].alignment = Alignment(wrap_text=False)
    header = append(ws, [None]) + 1
    append(ws, headers)
    for cell in ws[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[header].height = 60
    first = header + 1
    for a in rec.areas:
        append(ws, _area_row(rec, a))
    board = append(ws, _area_row(rec, rec.board))
    put(ws.cell(board, 1), f"Totalt {rec.board.area}")
    for cell in ws[board]:
        cell.font = Font(bold=True)
    e = _r(rec.eliminated) or 0.0
    append(ws, ["Eliminering nämndinterna poster", None, None, None, None, _r(-e), _r(e), 0.0])
    after: Figures = rec.board_after_elimination
    b = rec.board
    total = append(
        ws,
        [
            "Totalt efter eliminering",
            _gross_budget(b.budget, b.budget.revenue),
            _gross_budget(b.budget, b.budget.cost),
            _r(b.budget.net),
            _r(b.budget_to_date.net),
            _r(after.revenue),
            _r(after.cost),
            _r(after.net),
        ],
    )
    for cell in ws[total]:
        cell.font = Font(bold=True)
    for r in range(first, total + 1):
        for c in range(2, deviation_col + 1):
            ws.cell(r, c).number_format = shown_format(ws.cell(r, c).value)
        ws.cell(r, share_col).number_format = SHARE_FORMAT
        ws.cell(r, rows_col).number_format = "#,##0"
        ws.cell(r, key_col).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        value = ws.cell(r, deviation_col).value
        if isinstance(value, float) and value != 0 and rec.is_deficit(value):
            ws.cell(r, deviation_col).font = Font(color=DEFICIT_COLOUR, bold=r in (board, total))
    last_table_row = total
    if rec.excluded:
        append(ws, [])
        head = append(ws, ["Utanför avstämningen", "Rader", f"Belopp ({rec.unit})"])
        for cell in ws[head]:
            cell.font = Font(bold=True)
        for x in rec.excluded:
            r = append(ws, [x.reason, x.rows, _r(x.amount)])
            ws.cell(r, 2).number_format = "#,##0"
            ws.cell(r, 3).number_format = shown_format(ws.cell(r, 3).value, 2)
            ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        last_table_row = ws.max_row
    if last_run is not None:
        last_table_row = _last_run_table(ws, rec, *last_run)

    # chart data on its own sheet; the chart itself below the table
    data = wb.create_sheet(CHART_SHEET)
    append(data, [f"Nettokostnad t.o.m. {MONTHS_SV[rec.month - 1]} {rec.year} ({rec.unit}), underlag för diagrammet"])
    data_header = append(data, ["Produktionsområde", "Periodiserad budget", "Utfall"])
    for a in rec.areas:
        r = append(data, [a.area, _r(-a.budget_to_date.net), _r(-a.actual_to_date.net)])
        for c in (2, 3):
            data.cell(r, c).number_format = shown_format(data.cell(r, c).value)
    data_last = data.max_row
    data.column_dimensions["A"].width = 36
    data.column_dimensions["B"].width = data.column_dimensions["C"].width = 18
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"Nettokostnad {months} {rec.year}: budget mot utfall ({rec.unit})"
    chart.y_axis.title = rec.unit
    chart.add_data(Reference(data, min_col=2, max_col=3, min_row=data_header, max_row=data_last), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=data_header + 1, max_row=data_last))
    chart.height, chart.width = 10, 20
    ws.add_chart(chart, f"B{last_table_row + 3}")

    ws.freeze_panes = f"B{first}"
    widths = [34.0] + [12.0] * (len(headers) - 2) + [22.0]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    print_setup(ws, header, widths)
    ws.print_area = f"A1:{get_column_letter(len(headers))}{last_table_row + 24}"

    _write_detail(wb.create_sheet("Huvudboksrader", 1), rec)
    notes = wb.create_sheet("Anmärkningar", 2)
    write_findings(notes, rec.findings)
    print_setup(notes, 1, [notes.column_dimensions[get_column_letter(c)].width for c in range(1, notes.max_column + 1)], 0)
    return write_atomic(target, lambda tmp: wb.save(tmp))


def _last_run_table(ws: Any, rec: Reconciliation, when: str, figures: Mapping[str, Mapping[str, float]]) -> int:
    """Net to date per area at the same period's previous run, today's, and the change; the last row written."""
    from openpyxl.styles import Font

    append(ws, [])
    stamp = when[:16].replace("T", " ")
    title = append(
        ws,
        [
            f"Samma period vid förra avstämningen ({stamp}): utfall netto ack. då och i dag ({rec.unit}). "
            "En ändring betyder att huvudboken för perioden har ändrats sedan dess (sena bokningar, rättelser)."
        ],
    )
    ws.cell(title, 1).font = Font(italic=True)
    head = append(ws, ["Produktionsområde", "Utfall netto ack. förra körningen", "Utfall netto ack. i dag", "Förändring"])
    for cell in ws[head]:
        cell.font = Font(bold=True)
    for a in [*rec.areas, rec.board]:
        before = figures.get(a.area, {}).get("actual_to_date")
        now = a.actual_to_date.net
        r = append(
            ws,
            [
                a.area if a is not rec.board else f"Totalt {a.area}",
                _r(before),
                _r(now),
                _r(now - before) if before is not None else None,
            ],
        )
        for c in (2, 3, 4):
            ws.cell(r, c).number_format = shown_format(ws.cell(r, c).value)
        if a is rec.board:
            for cell in ws[r]:
                cell.font = Font(bold=True)
    return int(ws.max_row)


def _write_detail(ws: Any, rec: Reconciliation) -> None:
    import polars as pl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

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
    top = append(ws, headers)
    for cell in ws[top]:
        cell.font = Font(bold=True)
    kinds = {"revenue": "intäkt", "cost": "kostnad"}
    k, i = keys.index("kind"), keys.index("internal")
    v_col, a_col = keys.index("value"), keys.index("amount")
    for row in detail.select(keys).iter_rows():
        values: list[Any] = list(row)
        values[k] = kinds.get(values[k], values[k])
        values[i] = "ja" if values[i] else "nej"
        values[v_col] = _r(values[v_col])
        values[a_col] = _r(values[a_col], 2)
        append(ws, values)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{top}:{last}{max(ws.max_row, top)}"
    ws.freeze_panes = f"A{top + 1}"
    widths = [14.0] * (len(headers) - 1) + [40.0]
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    print_setup(ws, top, widths, repeated_cols=0)
