"""Follow-up workbooks as kommuner already have them (not vpexcel's own templates), for the fill tests.

A test tool, not part of vpexcel: each builder writes one workbook with XlsxWriter,
which stores formulas with a cached value as Excel does (0 for a template whose
inputs are empty).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

# The areas of the default settings (Lerum's KS) as people write them in their own template.
AS_WRITTEN = {
    "Politisk organisation": "Politisk organisation",
    "Kommundirektören": "Kommundirektör",
    "Kommunledning & verksamhetsstöd": "Kommunledning och verksamhetsstöd",
    "Vuxenutbildning": "Vuxenutbildning",
    "Stöd och utveckling": "Stöd och utveckling",
    "Samhällsplanering": "Samhällsplanering",
    "Arbetsliv och stöd": "Arbetsliv och stöd",
    "Räddningstjänsten": "Räddningstjänst",
    "KS-reserv": "KS-reserv",
}
FOLLOWUP_HEADS = [
    "Produktionsområde",
    "Årsbudget",
    "Budget ack",
    "Utfall ack",
    "Avvikelse ack",
    "Helårsprognos",
    "Avvikelse helår",
    "Kommentar",
]
FIRST_ROW = 4  # 0-based row of the first area
# Another kommun's names for the same areas, and the aliases its settings give them.
OTHER_KOMMUN = {
    "Politiken": "Politisk organisation",
    "Kommunchefen": "Kommundirektör",
    "Stab och service": "Kommunledning och verksamhetsstöd",
    "Vuxenutbildningen": "Vuxenutbildning",
    "Stöd & utveckling": "Stöd och utveckling",
    "Samhällsbyggnad": "Samhällsplanering",
    "Arbetsmarknadsenheten": "Arbetsliv och stöd",
    "Räddningstjänsten": "Räddningstjänst",
    "Reserv KS": "KS-reserv",
}


def _workbook(path: Path) -> Any:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1), "author": "Ekonomi"})
    return wb


def monthly_followup(
    path: Path,
    unit: str | None = "tkr",
    *,
    title: str = "Månadsuppföljning Kommunstyrelsen april 2024",
    comments: dict[str, str] | None = None,
    last_year: dict[str, float] | None = None,
    labels: list[str] | None = None,
) -> Path:
    """The issue's "Månadsuppföljning": unit line, deviations as formulas, a Summa row of SUMs.

    ``comments`` puts a user's own text in Kommentar; ``last_year`` adds a column
    "Utfall 2023" holding numbers (to test a unit the numbers contradict).
    """
    wb = _workbook(path)
    bold = wb.add_format({"bold": True})
    num = wb.add_format({"num_format": "# ##0"})
    ws = wb.add_worksheet("Månadsuppföljning")
    ws.write(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    if unit is not None:
        ws.write(1, 0, f"Belopp i {unit}")
    heads = [*FOLLOWUP_HEADS, *(["Utfall 2023"] if last_year else [])]
    ws.write_row(FIRST_ROW - 1, 0, heads, bold)
    labels = list(AS_WRITTEN) if labels is None else labels
    for i, label in enumerate(labels):
        r = FIRST_ROW + i
        n = r + 1
        ws.write(r, 0, label)
        for c in (1, 2, 3, 5):
            ws.write_blank(r, c, None, num)
        ws.write_formula(r, 4, f"=D{n}-C{n}", num, 0)
        ws.write_formula(r, 6, f"=F{n}-B{n}", num, 0)
        text = (comments or {}).get(label)
        if text:
            ws.write(r, 7, text)
        if last_year:
            ws.write_number(r, 8, last_year[label], num)
    total = FIRST_ROW + len(labels)
    ws.write(total, 0, "Summa Kommunstyrelsen", bold)
    for c in range(1, 7):
        col = chr(65 + c)
        ws.write_formula(total, c, f"=SUM({col}{FIRST_ROW + 1}:{col}{total})", num, 0)
    ws.set_column(0, 0, 34)
    wb.close()
    return path


def other_kommun(path: Path) -> Path:
    """Another kommun's follow-up: its own column names and its own names for the areas."""
    wb = _workbook(path)
    ws = wb.add_worksheet("Uppföljning KS")
    ws.write(0, 0, "Driftuppföljning Kommunstyrelsen (tkr)")
    ws.write_row(2, 0, ["Verksamhet", "Budget 2024", "Utfall jan–apr", "Prognos 2024", "Avvikelse mot budget", "Kommentar"])
    for i, label in enumerate(OTHER_KOMMUN):
        ws.write(3 + i, 0, label)
    total = 3 + len(OTHER_KOMMUN)
    ws.write(total, 0, "Summa")
    for c in range(1, 5):
        col = chr(65 + c)
        ws.write_formula(total, c, f"=SUM({col}4:{col}{total})", None, 0)
    wb.close()
    return path


def not_a_template(path: Path) -> Path:
    """A workbook of something else: a project budget with Budget and Utfall columns and a Summa row, an inventory with a Status."""
    wb = _workbook(path)
    ws = wb.add_worksheet("Projekt")
    ws.write_row(0, 0, ["Projekt", "Budget", "Utfall", "Kommentar"])
    for i, (name, budget, actual) in enumerate([("Ny förskola", 12.5, 3.1), ("Gång- och cykelväg", 4.0, 4.4)]):
        ws.write_row(1 + i, 0, [name, budget, actual])
    ws.write(3, 0, "Summa")  # a sum row alone does not make a driftredovisning
    ws.write_formula(3, 1, "=SUM(B2:B3)", None, 16.5)
    ws.write_formula(3, 2, "=SUM(C2:C3)", None, 7.5)
    inv = wb.add_worksheet("Inventarier")
    inv.write_row(0, 0, ["Artikel", "Antal", "Status"])
    inv.write_row(1, 0, ["Projektor", 4, "ok"])
    wb.close()
    return path
