"""Knock-on findings across sheets: a mistake on an area's sheet that reaches the board's summary
through formulas makes the summary's findings "Följdfel av F..." pointing at the area's cell.

The workbook is the one kommuner keep: a sheet per produktionsområde (account groups in tkr,
"Summa intäkter", "Summa kostnader", "Resultat") and a summary sheet in mkr whose cells read
them (='Område D'!B8/1000), with the board's total under it; the default (Lerum) settings
give the frame and the bridge.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.sheet import ColumnPlan, Sheet, excel_sum
from corpus.write import write_xlsx
from vpexcel.findings import Finding, Report, Severity
from vpexcel.grid import SheetGrid, WorkbookGrid
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import ACCOUNTS_2024_TKR
from vpexcel.validate import link_knock_ons, validate

AREA_SHEET = {area: f"Område {chr(65 + i)}" for i, area in enumerate(ACCOUNTS_2024_TKR)}


def board(
    tmp_path: Path,
    *,
    text_in: tuple[str, str] | None = None,
    wrong_sign: tuple[str, str] | None = None,
    typed_over: str | None = None,
    three_d_total: bool = False,
) -> Path:
    """The board's workbook; ``text_in`` (area, account) types that amount as text, ``wrong_sign``
    flips a cost's sign, ``typed_over`` types a wrong revenue over the summary's link for that area,
    ``three_d_total`` makes the summary's net total one SUM over every area sheet."""
    summary = Sheet("Sammanställning")
    summary.add(["Sammanställning budget 2024 (mkr)"])
    summary.add()
    summary.add(["", 2024, "", ""])
    plan = summary.table(
        ["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
        "mkr",
        {1: ColumnPlan("revenue", "budget", 2024), 2: ColumnPlan("cost", "budget", 2024), 3: ColumnPlan("net", "budget", 2024)},
    )
    sheets, rows, results = [summary], [], []
    for area, (revenue, cost) in ACCOUNTS_2024_TKR.items():
        s = Sheet(AREA_SHEET[area])
        s.add([f"{area} – budget 2024 (tkr)"])
        s.add()
        own = s.table(["Kontogrupp", "Budget 2024"], "tkr", {1: ColumnPlan("amount", "budget", 2024)})
        s.add(["Intäkter"])
        revenue_rows = [s.add([k, f"{v:,}".replace(",", " ") if (area, k) == text_in else v]) for k, v in revenue.items()]
        rs = s.sum_row("Summa intäkter", [1], revenue_rows, own, "revenue_sum")
        s.add(["Kostnader"])
        cost_rows = [s.add([k, -v if (area, k) == wrong_sign else v]) for k, v in cost.items()]
        cs = s.sum_row("Summa kostnader", [1], cost_rows, own, "cost_sum")
        res = s.add(["Resultat", (f"=B{rs}+B{cs}", excel_sum([s.value(rs, 1), s.value(cs, 1)]))])
        sheets.append(s)
        results.append(s.value(res, 1))
        q = f"'{s.name}'"
        r = summary.add([area] + [(f"={q}!B{x}/1000", round(s.value(x, 1) / 1000, 6)) for x in (rs, cs, res)])
        if area == typed_over:
            summary.set(r, 1, round(s.value(rs, 1) / 1000 + 0.5, 6))
        rows.append(r)
    total = summary.sum_row("Totalt", [1, 2, 3], rows, plan)
    if three_d_total:
        first, last = sheets[1].name, sheets[-1].name
        summary.set(total, 3, (f"=SUM('{first}:{last}'!B{res})/1000", round(excel_sum(results) / 1000, 6)))
    return write_xlsx(tmp_path / "nämnd.xlsx", sheets)


def run(path: Path) -> Report:
    return validate(read_workbook(path))


def loud(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.severity is not Severity.INFO]


def number_of(report: Report, f: Finding) -> int:
    return next(i for i, g in enumerate(report.findings, start=1) if g is f)


def at(report: Report, code: str, sheet: str, cell: str | None = None) -> Finding:
    got = [f for f in report.findings if (f.code, f.sheet) == (code, sheet) and (cell is None or f.cell == cell)]
    assert len(got) == 1, [(f.code, f.sheet, f.cell) for f in report.findings]
    return got[0]


def test_the_correct_workbook_is_quiet(tmp_path: Path) -> None:
    report = run(board(tmp_path))
    assert loud(report) == []
    assert all(f.cause_cell is None for f in report.findings)


def test_a_text_number_on_an_area_sheet_makes_the_boards_findings_its_knock_ons(tmp_path: Path) -> None:
    report = run(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag")))
    area = AREA_SHEET["Vuxenutbildning"]
    cause = at(report, "VP201", area)
    assert cause.cause_cell is None  # the root: what to correct
    pointer = f"Följdfel av F{number_of(report, cause)} (VP201 i {area}!{cause.cell}): rätta den först."
    for code in ("VP304", "VP305"):  # the board's frame and bridge, on the summary sheet
        f = at(report, code, "Sammanställning")
        assert pointer in f.message
        assert (f.cause_sheet, f.cause_cell) == (area, cause.cell)
        assert f.suggestion is None
    own_sum = at(report, "VP302", area)  # the area's own "Summa intäkter" too
    assert (own_sum.cause_sheet, own_sum.cause_cell) == (area, cause.cell)
    data = json.loads(json.dumps(report.to_json_dict()))
    frame = next(f for f in data["findings"] if f["code"] == "VP304")
    assert (frame["cause_sheet"], frame["cause_cell"]) == (area, cause.cell)


def test_a_wrong_sign_on_an_area_sheet_is_the_root_of_the_summarys_wrong_sign(tmp_path: Path) -> None:
    report = run(board(tmp_path, wrong_sign=("Kommundirektör", "Personalkostnader")))
    area = AREA_SHEET["Kommundirektör"]
    typed = [f for f in report.findings if f.code == "VP204" and f.sheet == area and f.cause_cell is None]
    assert len(typed) == 1  # the account typed positive, not its sum
    root = typed[0]
    knock_ons = [f for f in loud(report) if f is not root]
    # the area's "Summa kostnader", the summary's cost (both VP204, computed by formulas), the frame and the bridge
    assert sorted((f.code, f.sheet) for f in knock_ons) == sorted(
        [("VP204", area), ("VP204", "Sammanställning"), ("VP304", "Sammanställning"), ("VP305", "Sammanställning")]
    )
    for f in knock_ons:
        assert (f.cause_sheet, f.cause_cell) == (area, root.cell), f.message
        assert f"Följdfel av F{number_of(report, root)} (VP204 i {area}!{root.cell})" in f.message


def test_an_unrelated_error_on_the_summary_is_not_linked_to_an_area_sheet(tmp_path: Path) -> None:
    report = run(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag"), typed_over="Samhällsplanering"))
    area = AREA_SHEET["Vuxenutbildning"]
    typed = at(report, "VP306", "Sammanställning")  # the revenue typed over Samhällsplanering's link
    assert typed.cause_cell is None and "Följdfel" not in typed.message
    row = typed.cell[1:]  # type: ignore[index]
    row_net = at(report, "VP301", "Sammanställning", f"D{row}")  # that row's net: the summary's own mistake
    assert row_net.cause_sheet != area and "VP201" not in row_net.message
    frame = at(report, "VP304", "Sammanställning")  # the total reads the area's text number: still its knock-on
    assert (frame.cause_sheet, frame.cause_cell) == (area, at(report, "VP201", area).cell)
    # the total's net against its revenue + cost: the text number moves both alike, the typed revenue does not
    total_net = at(report, "VP301", "Sammanställning", frame.cell)
    assert (total_net.cause_sheet, total_net.cause_cell) == ("Sammanställning", row_net.cell)
    assert f"Följdfel av F{number_of(report, row_net)} (VP301 i Sammanställning!{row_net.cell})" in total_net.message


def test_only_the_unrelated_error_leaves_the_area_sheets_out(tmp_path: Path) -> None:
    report = run(board(tmp_path, typed_over="Samhällsplanering"))
    assert loud(report)  # the typed-over revenue is found ...
    assert not any((f.cause_sheet or "").startswith("Område") for f in report.findings)  # ... and blames no area sheet


def test_a_total_over_every_area_sheet_at_once_follows_the_sheets_between(tmp_path: Path) -> None:
    report = run(board(tmp_path, text_in=("Vuxenutbildning", "Bidrag"), three_d_total=True))
    area = AREA_SHEET["Vuxenutbildning"]
    frame = at(report, "VP304", "Sammanställning")
    assert (frame.cause_sheet, frame.cause_cell) == (area, at(report, "VP201", area).cell)


# --- the tracing itself, on small grids -----------------------------------------------------------


def finding(code: str, sheet: str, cell: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(code=code, severity=severity, sheet=sheet, cell=cell, message=f"{code}.", suggestion="Gör så här.")


def grid(name: str, rows: int, formulas: dict[tuple[int, int], str]) -> SheetGrid:
    return SheetGrid(name, [[None, None, None] for _ in range(rows)], formulas)


def linked(book: WorkbookGrid, findings: list[Finding]) -> list[str | None]:
    out = link_knock_ons(book, findings, {})
    return [f"{f.cause_sheet}!{f.cause_cell}" if f.cause_cell else None for f in out]


def test_a_defined_name_is_followed_to_the_cell_it_names() -> None:
    book = WorkbookGrid(
        "b.xlsx",
        [grid("Summa", 3, {(1, 1): "=Vux_netto+0"}), grid("Vux", 5, {(4, 1): "=SUM(B1:B4)"})],
        defined_names={"Vux_netto": "Vux!$B$5"},
    )
    found = [finding("VP304", "Summa", "B2"), finding("VP201", "Vux", "B3", Severity.WARNING)]
    assert linked(book, found) == ["Vux!B3", None]
    assert re.search(r"Följdfel av F2 \(VP201 i Vux!B3\)", found[0].message)


def test_text_in_quotes_that_reads_like_a_defined_name_is_not_followed() -> None:
    book = WorkbookGrid(
        "b.xlsx",
        [grid("Summa", 3, {(1, 1): '=IF(A1="Vux_netto",0,1)'}), grid("Vux", 5, {(4, 1): "=SUM(B1:B4)"})],
        defined_names={"Vux_netto": "Vux!$B$5"},
    )
    found = [finding("VP304", "Summa", "B2"), finding("VP201", "Vux", "B3", Severity.WARNING)]
    assert linked(book, found) == [None, None]


def test_a_reference_into_another_workbook_is_not_followed() -> None:
    """[1]Vux!B5 is the sheet Vux of another file: this workbook's Vux!B3 is not its cause."""
    book = WorkbookGrid(
        "b.xlsx", [grid("Summa", 3, {(1, 1): "=[1]Vux!B5+'[Budget.xlsx]Vux'!B5"}), grid("Vux", 5, {(4, 1): "=SUM(B1:B4)"})]
    )
    found = [finding("VP304", "Summa", "B2"), finding("VP201", "Vux", "B3", Severity.WARNING)]
    assert linked(book, found) == [None, None]
    assert "Följdfel" not in found[0].message and found[0].suggestion == "Gör så här."


@pytest.mark.parametrize("formula", ["=SUM(Jan:Mar!B2)", "=SUM('Jan:Mar'!B2)"])
def test_a_range_over_several_sheets_reads_every_sheet_between(formula: str) -> None:
    book = WorkbookGrid("b.xlsx", [grid("Helår", 3, {(1, 1): formula})] + [grid(m, 3, {}) for m in ("Jan", "Feb", "Mar", "Apr")])
    found = [finding("VP302", "Helår", "B2"), finding("VP204", "Feb", "B2"), finding("VP204", "Apr", "B2")]
    assert linked(book, found) == ["Feb!B2", None, None]  # April is outside Jan:Mar


def test_a_typed_wrong_sign_is_a_root_and_a_computed_one_a_knock_on() -> None:
    book = WorkbookGrid("b.xlsx", [grid("A", 6, {(5, 1): "=SUM(B1:B5)"})])
    typed, computed = finding("VP204", "A", "B2"), finding("VP204", "A", "B6")
    assert linked(book, [typed, computed]) == [None, "A!B2"]
    alone = finding("VP204", "A", "B6")  # a computed wrong sign with no blamed cell under it stays as it is
    assert linked(book, [alone]) == [None]


# --- hostile and odd chains (found by the reviewer) -------------------------------------------------


def test_the_link_does_not_depend_on_which_finding_asked_first() -> None:
    """C1 = C2, C2 = C3, ..., C20 holds a text number. C10 is within reach of C20 whether or not
    a finding at C1 (beyond the tracing's depth) asked first and stopped short on the way."""
    chain = {(r, 2): f"=C{r + 2}" for r in range(19)}
    book = WorkbookGrid("b.xlsx", [SheetGrid("S", [[None] * 3 for _ in range(20)], chain)])
    alone = [finding("VP306", "S", "C10"), finding("VP201", "S", "C20")]
    after_c1 = [finding("VP306", "S", "C1"), finding("VP306", "S", "C10"), finding("VP201", "S", "C20")]
    assert linked(book, alone) == ["S!C20", None]
    assert linked(book, after_c1)[1:] == ["S!C20", None]


def test_a_range_far_beyond_the_sheet_is_read_only_as_far_as_the_sheet_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    """=SUM(B1:B10000000) on a 5-row sheet: the cause in B3 is found, and the cells past the sheet's
    last row are never visited (counted through the tracing's budget)."""
    import vpexcel.validate as v

    book = WorkbookGrid("b.xlsx", [grid("A", 5, {(4, 2): "=SUM(B1:B10000000)"})])
    monkeypatch.setattr(v, "_TRACE_BUDGET", 10)  # the sheet has 5 rows: 10 visits are plenty
    found = [finding("VP302", "A", "C5"), finding("VP201", "A", "B3", Severity.WARNING)]
    assert linked(book, found) == ["A!B3", None]


def test_a_chain_of_formulas_past_the_budget_leaves_findings_unlinked_not_stuck(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every visit is counted against one budget for the workbook: a hostile web of references (a
    defined name over many ranges, used many times) ends the linking there; the findings stay as found."""
    import vpexcel.validate as v

    names = {"Alla": ",".join(f"Vux!$A${k * 1000 + 1}:$C${k * 1000 + 1000}" for k in range(10))}
    web = "=SUM(B1:B4)+0*SUM(" + ",".join(["Alla"] * 200) + ")"
    book = WorkbookGrid("b.xlsx", [grid("Summa", 3, {(1, 1): web}), grid("Vux", 10_000, {})], defined_names=names)
    monkeypatch.setattr(v, "_TRACE_BUDGET", 1_000)
    visits = []
    real = v.islice
    monkeypatch.setattr(v, "islice", lambda it, n: visits.append(n) or real(it, n))
    found = [finding("VP304", "Summa", "B2"), finding("VP201", "Vux", "B9000", Severity.WARNING)]
    assert linked(book, found) == [None, None]
    assert "Följdfel" not in found[0].message and found[0].suggestion == "Gör så här."
    assert len(visits) < 10  # the budget ended the search in the first ranges, not after 2,000 of them


def test_names_scoped_to_one_sheet_are_read_on_their_own_sheet(tmp_path: Path) -> None:
    """Found by the reviewer: copying an area sheet in Excel gives each copy its own name 'Intakt'
    (localSheetId); the last one read overwrote the others, so Område A's finding was blamed on Område B."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Område A"
    second = wb.create_sheet("Område B")
    for ws in (first, second):
        ws["A1"], ws["B1"], ws["C1"] = "Konto", "Budget", "Netto"
        ws["B2"], ws["C2"] = 100, "=Intakt*2"
        ws.defined_names["Intakt"] = DefinedName("Intakt", attr_text=f"'{ws.title}'!$B$2")
    wb.save(tmp_path / "lokala.xlsx")
    book = read_workbook(tmp_path / "lokala.xlsx")
    on_b = [finding("VP306", "Område A", "C2"), finding("VP201", "Område B", "B2", Severity.WARNING)]
    assert linked(book, on_b) == [None, None]
    on_a = [finding("VP306", "Område A", "C2"), finding("VP201", "Område A", "B2", Severity.WARNING)]
    assert linked(book, on_a) == ["Område A!B2", None]


def test_a_computed_wrong_sign_is_a_knock_on_only_of_a_wrong_sign() -> None:
    """Found by the reviewer: a summary whose formula turns the sign itself (=-'Område A'!B15/1000) was
    told it was a knock-on of a text number on the area sheet, which moves the figure but never its sign."""
    area = grid("Område A", 20, {(14, 1): "=SUM(B2:B14)"})
    summary = grid("Sammanställning", 10, {(4, 2): "=-'Område A'!B15/1000"})
    book = WorkbookGrid("b.xlsx", [summary, area])
    text = [finding("VP204", "Sammanställning", "C5"), finding("VP201", "Område A", "B12", Severity.WARNING)]
    assert linked(book, text) == [None, None]
    sign = [finding("VP204", "Sammanställning", "C5"), finding("VP204", "Område A", "B12")]
    assert linked(book, sign) == ["Område A!B12", None]


def test_an_error_the_formula_makes_itself_is_not_a_knock_on() -> None:
    """#REF! in the formula is its own fault, whatever else the formula reads; #VALUE! from a text in
    the arithmetic is the text's knock-on."""
    area = grid("Område A", 20, {})
    summary = grid("Sammanställning", 10, {(4, 1): "#REF!+'Område A'!B12/1000", (5, 1): "'Område A'!B12/1000"})
    book = WorkbookGrid("b.xlsx", [summary, area])
    ref = finding("VP205", "Sammanställning", "B5")
    ref.actual = "#REF!"
    value = finding("VP205", "Sammanställning", "B6")
    value.actual = "#VALUE!"
    found = [ref, value, finding("VP201", "Område A", "B12", Severity.WARNING)]
    assert linked(book, found) == [None, "Område A!B12", None]
    assert found[0].suggestion == "Gör så här."
