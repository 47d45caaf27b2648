"""One non-zero cost cannot tell a wrong sign from a table's convention: vpexcel then asks the nets beside
it, then the workbook's other tables, and with neither says so once (VP108) instead of guessing silently."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vpexcel.findings import Report
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import ACCOUNTS_2024_TKR, account_sheet
from vpexcel.settings import TableSpec, default_settings
from vpexcel.validate import validate

AREAS = [a for a in ACCOUNTS_2024_TKR if len(a) <= 31]
THIN = AREAS[0]
OTHERS = AREAS[1:3]


def thin_sheet(revenue: float, cost: float, *, net: str = "sum") -> list[list[object]]:
    """An area's sheet whose one non-zero cost is ``cost`` (Personalkostnader, row 8); Resultat computed by
    Excel as intäkt + kostnad ("sum") or as kostnad − intäkt ("net cost")."""
    rows, rev_row, cost_row, res_row = account_sheet(
        THIN, accounts=({"Taxor och avgifter": revenue} if revenue else {}, {"Personalkostnader": cost, "Lokalkostnader": 0.0})
    )
    if net == "net cost":
        rows[res_row - 1] = ["Resultat", (f"=B{cost_row}-B{rev_row}", cost - revenue)]
    return rows


def cost_cell(rows: list[list[object]]) -> str:
    return f"B{next(i for i, r in enumerate(rows, start=1) if r and r[0] == 'Personalkostnader')}"


def findings(report: Report, code: str, sheet: str = THIN) -> list[str]:
    return [f.cell or "" for f in report.findings if f.code == code and f.sheet == sheet]


def flipped(area: str) -> list[list[object]]:
    """An area's sheet showing costs positive, its Resultat the net cost (kostnad − intäkt)."""
    revenue, cost = ACCOUNTS_2024_TKR[area]
    rows, rev_row, cost_row, res_row = account_sheet(area, accounts=(revenue, {k: -v for k, v in cost.items()}))
    net = -sum(cost.values()) - sum(revenue.values())
    rows[res_row - 1] = ["Resultat", (f"=B{cost_row}-B{rev_row}", net)]
    return rows


def test_a_wrong_positive_cost_is_told_by_the_net_beside_it(make_book: Callable[..., Path]) -> None:
    rows = thin_sheet(300.0, 500.0)  # Resultat = 300 + 500: the sheet adds its costs, so they are negative
    report = validate(read_workbook(make_book({THIN: rows})))
    assert cost_cell(rows) in findings(report, "VP204")
    assert findings(report, "VP108") == []


def test_a_costs_positive_sheet_whose_net_shows_it_stays_quiet(make_book: Callable[..., Path]) -> None:
    rows = thin_sheet(300.0, 500.0, net="net cost")  # Resultat = 500 − 300: nettokostnad
    report = validate(read_workbook(make_book({THIN: rows})))
    assert findings(report, "VP204") == [] and findings(report, "VP108") == []


def test_with_no_net_the_other_area_sheets_tell_the_convention(make_book: Callable[..., Path]) -> None:
    rows = thin_sheet(0.0, 500.0)  # no revenue: Resultat equals the cost either way
    book = {THIN: rows, **{a: account_sheet(a)[0] for a in OTHERS}}  # the other areas show costs negative
    report = validate(read_workbook(make_book(book)))
    assert cost_cell(rows) in findings(report, "VP204")
    assert findings(report, "VP108") == []


def test_with_no_net_other_costs_positive_sheets_keep_a_positive_cost_quiet(make_book: Callable[..., Path]) -> None:
    book = {THIN: thin_sheet(0.0, 500.0), **{a: flipped(a) for a in OTHERS}}
    report = validate(read_workbook(make_book(book)))
    assert findings(report, "VP204") == [] and findings(report, "VP108") == []


def test_with_no_evidence_at_all_vpexcel_says_once_how_to_state_the_sign(make_book: Callable[..., Path]) -> None:
    rows = thin_sheet(0.0, 500.0)
    path = make_book({THIN: rows})
    report = validate(read_workbook(path))
    (note,) = [f for f in report.findings if f.code == "VP108"]
    assert "bara en kostnad som inte är noll" in note.message and "läste dem som negativa" in note.message
    assert note.suggestion is not None
    assert "Tabeller" in note.suggestion and "Inställningar" in note.suggestion and "kostnader positiva" in note.suggestion
    assert cost_cell(rows) in findings(report, "VP204")  # read as the usual convention, and said so
    settings = default_settings()
    settings.tables = [TableSpec(sheet=THIN, sign="kostnader positiva")]
    stated = validate(read_workbook(path), settings)
    assert findings(stated, "VP108") == [] and findings(stated, "VP204") == []
