"""The sample workbooks in workbooks/, built from the seed (Lerum, kommunstyrelsen 2024).

Development tool, not used by the program: ``python scripts/make_samples.py``
rebuilds them. They are written with XlsxWriter because it stores a cached value
with each formula, as Excel does, so a reader sees what an economist sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# A cell in a sample: a value, or ("=FORMULA", cached value).
Cell = Any
Rows = list[list[Cell]]

SEED_2023 = {
    "Politisk organisation": (0, -7.8, -7.8),
    "Kommundirektör": (0.2, -16.5, -16.3),
    "Kommunledning och verksamhetsstöd": (5.8, -149.2, -143.4),
    "Vuxenutbildning": (23.1, -45.4, -22.3),
    "Stöd och utveckling": (2.5, -13.2, -10.6),
    "Samhällsplanering": (0, -2.8, -2.8),
    "Arbetsliv och stöd": (7.2, -17.9, -10.7),
    "Räddningstjänst": (0, -32.9, -32.9),
    "KS-reserv": (0, -10, -10),
}
SEED_2024 = {
    "Politisk organisation": (0, -6.1, -6.1),
    "Kommundirektör": (0.2, -13.4, -13.2),
    "Kommunledning och verksamhetsstöd": (9.7, -158, -148.2),
    "Vuxenutbildning": (22, -45.3, -23.3),
    "Stöd och utveckling": (1, -12.6, -11.6),
    "Samhällsplanering": (0, -2.9, -2.9),
    "Arbetsliv och stöd": (9.6, -18.8, -9.2),
    "Räddningstjänst": (0, -33.7, -33.7),
    "KS-reserv": (0, -5, -5),
}
# Kommunledning och verksamhetsstöd 2024 by sub-area (mkr): revenue, cost, net.
SUB_AREAS_2024 = {
    "Ledning och internservice": (2.1, -52.4, -50.3),
    "Utveckling och hållbarhet": (3.4, -61.7, -58.3),
    "Ekonomi": (1.9, -21.6, -19.7),
    "HR": (2.3, -22.3, -20.0),
}
# The same areas in whole tkr for the per-area workbook (net equals the seed's exactly).
ACCOUNTS_2024_TKR = {
    "Politisk organisation": (
        {"Taxor och avgifter": 0, "Bidrag": 0, "Övriga intäkter": 0},
        {"Personalkostnader": -4_200, "Lokalkostnader": -300, "Köp av verksamhet": -900, "Övriga kostnader": -700},
    ),
    "Kommundirektör": (
        {"Taxor och avgifter": 0, "Bidrag": 200, "Övriga intäkter": 0},
        {"Personalkostnader": -6_900, "Lokalkostnader": -500, "Köp av verksamhet": -3_800, "Övriga kostnader": -2_200},
    ),
    "Kommunledning och verksamhetsstöd": (
        {"Taxor och avgifter": 1_240, "Bidrag": 2_100, "Övriga intäkter": 6_400},
        {"Personalkostnader": -98_600, "Lokalkostnader": -9_340, "Köp av verksamhet": -21_500, "Övriga kostnader": -28_500},
    ),
    "Vuxenutbildning": (
        {"Taxor och avgifter": 300, "Bidrag": 17_900, "Övriga intäkter": 3_800},
        {"Personalkostnader": -29_800, "Lokalkostnader": -6_100, "Köp av verksamhet": -6_900, "Övriga kostnader": -2_500},
    ),
    "Stöd och utveckling": (
        {"Taxor och avgifter": 0, "Bidrag": 1_000, "Övriga intäkter": 0},
        {"Personalkostnader": -8_100, "Lokalkostnader": -700, "Köp av verksamhet": -2_400, "Övriga kostnader": -1_400},
    ),
    "Samhällsplanering": (
        {"Taxor och avgifter": 0, "Bidrag": 0, "Övriga intäkter": 0},
        {"Personalkostnader": -1_900, "Lokalkostnader": 0, "Köp av verksamhet": -600, "Övriga kostnader": -400},
    ),
    "Arbetsliv och stöd": (
        {"Taxor och avgifter": 0, "Bidrag": 7_300, "Övriga intäkter": 2_300},
        {"Personalkostnader": -12_900, "Lokalkostnader": -1_800, "Köp av verksamhet": -2_300, "Övriga kostnader": -1_800},
    ),
    "Räddningstjänst": (
        {"Taxor och avgifter": 0, "Bidrag": 0, "Övriga intäkter": 0},
        {"Personalkostnader": 0, "Lokalkostnader": 0, "Köp av verksamhet": -33_700, "Övriga kostnader": 0},
    ),
    "KS-reserv": (
        {"Taxor och avgifter": 0, "Bidrag": 0, "Övriga intäkter": 0},
        {"Personalkostnader": 0, "Lokalkostnader": 0, "Köp av verksamhet": 0, "Övriga kostnader": -5_000},
    ),
}


def excel_sum(values: Sequence[Cell]) -> float:
    """SUM as Excel computes it: text and empty cells count as nothing."""
    total = 0.0
    for v in values:
        v = v[1] if isinstance(v, tuple) else v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += v
    return round(total, 10)


def letter(col: int) -> str:
    from vpexcel.grid import column_letter

    return column_letter(col)


def area_table(
    title: str,
    years: dict[int, dict[str, tuple[Cell, Cell, Cell]]],
    *,
    total: bool = True,
    notes: Sequence[tuple[str, int, Cell]] = (),
    sum_rows: dict[int, str] | None = None,
    label: str = "Produktionsområde",
) -> Rows:
    """The seed's layout: title, year row over a row of names, one row per area, Totalt.

    ``sum_rows`` may give a column's Totalt formula range by 0-based column, or
    "const:VALUE" for a typed-in total (to make the mistakes sample).
    """
    rows: Rows = [[title], []]
    year_row: list[Cell] = [""]
    names: list[Cell] = [label]
    for y in years:
        year_row += [y, "", ""]
        names += ["Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"]
    rows += [year_row, names]
    areas = list(next(iter(years.values())))
    first_row = len(rows) + 1
    for area in areas:
        line: list[Cell] = [area]
        for data in years.values():
            line += list(data[area])
        rows.append(line)
    if total:
        start, end = first_row, first_row + len(areas) - 1
        line = ["Totalt"]
        for c in range(1, len(names)):
            rng = (sum_rows or {}).get(c, f"{letter(c)}{start}:{letter(c)}{end}")
            if rng.startswith("const:"):
                line.append(float(rng[6:]))
                continue
            a, b = rng.split(":")
            lo, hi = int(a[1:]) - 1, int(b[1:]) - 1
            line.append((f"=SUM({rng})", excel_sum([rows[r][c] if c < len(rows[r]) else None for r in range(lo, hi + 1)])))
        rows.append(line)
    for text, col, value in notes:
        line = [text] + [""] * col
        line[col] = value
        rows.append(line)
    return rows


def account_sheet(
    area: str, unit: str = "tkr", year: int = 2024, accounts: tuple[dict[str, float], dict[str, float]] | None = None
) -> tuple[Rows, int, int, int]:
    """One area's sheet: account groups, Summa intäkter, Summa kostnader, Resultat.

    ``accounts`` (revenue, cost by account group) defaults to the sample's figures for ``area``.
    Returns the rows and the 1-based rows of the three totals.
    """
    revenue, cost = accounts or ACCOUNTS_2024_TKR[area]
    rows: Rows = [[f"{area} – budget {year} ({unit})"], [], ["Kontogrupp", f"Budget {year}"], ["Intäkter"]]
    first = len(rows) + 1
    rows += [[k, v] for k, v in revenue.items()]
    rev_row = len(rows) + 1
    rows.append(["Summa intäkter", (f"=SUM(B{first}:B{rev_row - 1})", excel_sum(list(revenue.values())))])
    rows.append(["Kostnader"])
    first = len(rows) + 1
    rows += [[k, v] for k, v in cost.items()]
    cost_row = len(rows) + 1
    rows.append(["Summa kostnader", (f"=SUM(B{first}:B{cost_row - 1})", excel_sum(list(cost.values())))])
    rows.append([])
    res_row = len(rows) + 1
    net = excel_sum(list(revenue.values())) + excel_sum(list(cost.values()))
    rows.append(["Resultat", (f"=B{rev_row}+B{cost_row}", net)])
    return rows, rev_row, cost_row, res_row


def write_book(
    path: Path,
    sheets: dict[str, Rows],
    *,
    merge_years: bool = True,
    vba: bytes | None = None,
    buttons: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write sheets of rows to an .xlsx with cached formula values (XlsxWriter).

    ``vba`` (a vbaProject.bin) and ``buttons`` ((caption, macro) on a first sheet
    "Start") make a macro workbook; the path should then end in .xlsm.
    """
    import io

    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1), "author": "vpexcel"})  # byte-for-byte rebuilds
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    if buttons:
        start = wb.add_worksheet("Start")
        start.write("A1", "Klicka på en knapp för att köra vpexcel på den här arbetsboken.")
        for i, (caption, macro) in enumerate(buttons):
            start.insert_button(2 + i * 3, 1, {"macro": macro, "caption": caption, "width": 180, "height": 36})
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    number = wb.add_format({"num_format": "#,##0.0;[Red]-#,##0.0"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        ws.set_column(0, 0, 36)
        ws.set_column(1, 12, 14)
        for r, line in enumerate(rows):
            for c, v in enumerate(line):
                if isinstance(v, tuple):
                    ws.write_formula(r, c, v[0], number, v[1])
                elif isinstance(v, str) and v.startswith("#") and v.endswith(("!", "A", "?")):
                    ws.write_formula(r, c, "=1/0" if v == "#DIV/0!" else "=#REF!", None, v)
                elif isinstance(v, str):
                    if v:
                        ws.write_string(r, c, v, title if (r == 0 and c == 0) else None)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, number)
                elif isinstance(v, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, v, date_fmt)
        if merge_years:
            for r, line in enumerate(rows[:20]):
                if line and line[0] == "" and any(isinstance(v, int) and 1900 < v < 2200 for v in line[1:]):
                    for c, v in enumerate(line):
                        if isinstance(v, int) and 1900 < v < 2200:
                            ws.merge_range(r, c, r, c + 2, v, bold)
    wb.close()
    return path


def clean_budget() -> dict[str, Rows]:
    subs = dict(SUB_AREAS_2024)
    subs["Kommunledning och verksamhetsstöd"] = SEED_2024["Kommunledning och verksamhetsstöd"]
    return {
        "Produktionsområden": area_table(
            "Kommunstyrelsen – produktionsområden 2024 (mkr)",
            {2023: SEED_2023, 2024: SEED_2024},
            notes=[("varav nämndinterna intäkter", 1, 0.5)],
        ),
        "Delområden KLV": area_table(
            "Kommunledning och verksamhetsstöd – delområden 2024 (mkr)", {2024: subs}, total=False, label="Delområde"
        ),
    }


def per_area_budget() -> dict[str, Rows]:
    sheets: dict[str, Rows] = {}
    summary: Rows = [
        ["Sammanställning budget 2024 (mkr)"],
        [],
        ["", 2024, "", ""],
        ["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
    ]
    for area in ACCOUNTS_2024_TKR:
        rows, rev_row, cost_row, res_row = account_sheet(area)
        name = area[:31]
        sheets[name] = rows
        q = "'" + name.replace("'", "''") + "'"
        cached = [rows[rev_row - 1][1][1] / 1000, rows[cost_row - 1][1][1] / 1000, rows[res_row - 1][1][1] / 1000]
        summary.append(
            [
                area,
                (f"={q}!B{rev_row}/1000", cached[0]),
                (f"={q}!B{cost_row}/1000", cached[1]),
                (f"={q}!B{res_row}/1000", cached[2]),
            ]
        )
    n = len(ACCOUNTS_2024_TKR)
    summary.append(
        ["Totalt"]
        + [(f"=SUM({c}5:{c}{4 + n})", excel_sum([r[i] for r in summary[4:]])) for i, c in ((1, "B"), (2, "C"), (3, "D"))]
    )
    return {"Sammanställning": summary, **sheets}


def budget_with_mistakes() -> dict[str, Rows]:
    y23: dict[str, tuple[Cell, Cell, Cell]] = dict(SEED_2023)
    y24: dict[str, tuple[Cell, Cell, Cell]] = dict(SEED_2024)
    y24["Kommunledning och verksamhetsstöd"] = ("9,7 ", "\u2212158,0", -148.2)  # numbers typed as text
    y24["Räddningstjänst"] = (0, 33.7, -33.7)  # cost with the wrong sign
    y23["Vuxenutbildning"] = (23.1, -45.4, "n/a")  # not a number
    y24["Stöd och utveckling"] = ("", -12.6, -11.6)  # empty revenue
    y24["Kommundirektör"] = (0.2, -13.4, "#REF!")  # an error value
    y23 = {("Samhällsplanerng" if k == "Samhällsplanering" else k): v for k, v in y23.items()}
    y24 = {("Samhällsplanerng" if k == "Samhällsplanering" else k): v for k, v in y24.items()}
    return {
        "Produktionsområden": area_table(
            "Kommunstyrelsen – produktionsområden 2024 (mkr)",
            {2023: y23, 2024: y24},
            notes=[("varav nämndinterna intäkter", 1, 0.5)],
            sum_rows={2: "const:-295.7", 4: "E5:E12"},
        )
    }


SAMPLES = {
    "budget-2024.xlsx": clean_budget,
    "budget-2024-per-omrade.xlsx": per_area_budget,
    "budget-2024-med-fel.xlsx": budget_with_mistakes,
}


SAMPLE_LEDGER = "huvudbok-2024.csv"


def build_all(folder: Path) -> list[Path]:
    from vpexcel.templates import build_templates

    books = [write_book(folder / name, make()) for name, make in SAMPLES.items()]
    return [*books, write_ledger_csv(folder / SAMPLE_LEDGER, ledger_rows()), *build_templates(folder)]


# --- the sample ledger (huvudbok) ------------------------------------------------
LEDGER_HEADER = ["Period", "Ansvar", "Verksamhet", "Konto", "Aktivitet", "Projekt", "Motpart", "Belopp", "Text"]
# ansvar codes per area (see the default settings' Ansvar table) and a share of the area's budget
LEDGER_ANSVAR = {
    "Politisk organisation": [("1001", 1.0)],
    "Kommundirektör": [("1010", 1.0)],
    "Ledning och internservice": [("1101", 0.6), ("1105", 0.4)],
    "Utveckling och hållbarhet": [("1121", 0.5), ("1130", 0.5)],
    "Ekonomi": [("1151", 1.0)],
    "HR": [("1171", 0.7), ("1180", 0.3)],
    "Vuxenutbildning": [("1201", 0.8), ("1210", 0.2)],
    "Stöd och utveckling": [("1251", 1.0)],
    "Samhällsplanering": [("1271", 1.0)],
    "Arbetsliv och stöd": [("1281", 1.0)],
    "Räddningstjänst": [("1300", 1.0)],
    "KS-reserv": [("1390", 1.0)],
}
REVENUE_ACCOUNTS = ["3110", "3410", "3510"]
COST_ACCOUNTS = ["4010", "5010", "6110", "7010"]


def _sv_amount(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def ledger_rows(year: int = 2024, months: int = 12, seed: int = 20240430, scale: int = 1) -> list[list[str]]:
    """A deterministic ledger export for the sample budget, booked as the systems do (revenue credit, negative).

    Per month and ansvar: revenue and cost rows near the budget's monthly pace; an
    internal sale from HR to Vuxenutbildning (motpart 1); a consultancy cost booked
    on Kommundirektör in March (unusual, VP504); rows on an unknown ansvar (VP501),
    financial items (class 8, left out), rows from the year before, and three broken
    lines (VP505). ``scale`` repeats the ordinary rows to make a large ledger.
    """
    import random

    rnd = random.Random(seed)
    budget = dict(SEED_2024)
    subs = SUB_AREAS_2024
    rows: list[list[str]] = []
    for m in range(1, months + 1):
        period = f"{year}-{m:02d}"
        for area, codes in LEDGER_ANSVAR.items():
            revenue, cost, _net = subs.get(area) or budget[area]
            if area == "KS-reserv":
                continue  # the reserve is not spent
            for code, part in codes:
                for _ in range(scale):
                    for total, accounts in ((revenue, REVENUE_ACCOUNTS), (cost, COST_ACCOUNTS)):
                        if not total:
                            continue
                        month_total = total * 1_000_000 * part / 12 * rnd.uniform(0.94, 1.04) / scale
                        split = [rnd.uniform(0.5, 1.5) for _ in accounts]
                        for account, w in zip(accounts, split, strict=True):
                            amount = month_total * w / sum(split)
                            booked = -amount  # revenue (positive) is booked as credit (-), cost (negative) as debit (+)
                            rows.append([period, code, "100", account, "", "", "", _sv_amount(booked), f"{area} {account}"])
        # internal: HR's staffing unit sells to Vuxenutbildning (the seed's "varav nämndinterna intäkter 0,5")
        internal = 500_000 / 12
        rows.append([period, "1180", "100", "3510", "", "", "1", _sv_amount(-internal), "Bemanning intern försäljning"])
        rows.append([period, "1201", "100", "4010", "", "", "1", _sv_amount(internal), "Bemanning internt köp"])
    rows.append([f"{year}-03", "1010", "100", "6110", "", "", "", _sv_amount(5_200_000), "=Konsultarvode utredning"])
    rows += [
        [f"{year}-02", "1450", "100", "4010", "", "", "", _sv_amount(-x), "Okänt ansvar"] for x in (-120_500, -80_250, -40_000)
    ]
    rows.append([f"{year}-04", "1151", "100", "8410", "", "", "", _sv_amount(35_000), "Räntekostnad"])
    rows.append([f"{year - 1}-12", "1001", "100", "4010", "", "", "", _sv_amount(100_000), "Föregående år"])
    rows.append([f"{year}-02", "1001", "100", "4010", "", "", "", "12,5,0", "Felaktigt belopp"])
    rows.append(["april", "1251", "100", "4010", "", "", "", _sv_amount(10_000), "Felaktig period"])
    rows.append([f"{year}-03", "1271", "100"])  # a line cut short
    return rows


def write_ledger_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig", sep: str = ";") -> Path:
    """Write ledger rows as the systems export them (semicolon, decimal comma, BOM by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write(sep.join(LEDGER_HEADER) + "\r\n")
        for row in rows:
            fh.write(sep.join(row) + "\r\n")
    return path
