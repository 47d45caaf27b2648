"""Each finding code: a workbook that triggers it, and one that must not."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from vpexcel.findings import Report
from vpexcel.rules import RULES, load_all
from vpexcel.samples import SEED_2023, SEED_2024, SUB_AREAS_2024, Rows, area_table, clean_budget, per_area_budget
from vpexcel.settings import BridgeItem, Frame, default_settings

from .conftest import codes, find

TITLE = "Kommunstyrelsen – produktionsområden 2024 (mkr)"
EXACT_2024 = {k: (r, c, round(r + c, 1)) for k, (r, c, _n) in SEED_2024.items()}
EXACT_2024["KS-reserv"] = (0, -4.9, -4.9)  # keeps the exact table's total on the 2024 frame (-253.2)
COST_2024 = round(sum(c for _r, c, _n in EXACT_2024.values()), 1)


def board(year_data: dict | None = None, **kw: object) -> dict[str, Rows]:
    return {"Budget": area_table(TITLE, year_data or {2024: EXACT_2024}, **kw)}  # type: ignore[arg-type]


def with_2024(**changes: tuple) -> dict[str, Rows]:
    data = dict(EXACT_2024)
    data.update(changes)
    return board({2024: data})


def renamed(old: str, new: str) -> dict[str, Rows]:
    return board({2024: {(new if k == old else k): v for k, v in EXACT_2024.items()}})


def row_of(rows: Rows, label: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == label)


def clean_board() -> dict[str, Rows]:
    return board()


def no_bridge() -> object:
    settings = default_settings()
    settings.bridge = []
    return settings


def test_exact_table_is_clean(check: Callable[..., Report]) -> None:
    assert check(clean_board(), no_bridge()).findings == []


# --- VP1xx -------------------------------------------------------------------
def test_vp101_missing_area(check: Callable[..., Report]) -> None:
    data = {k: v for k, v in EXACT_2024.items() if k != "Räddningstjänst"}
    report = check(board({2024: data}))
    (f,) = find(report, "VP101")
    assert "Räddningstjänst" in f.message and f.severity.value == "error"


def test_vp101_missing_sub_area(check: Callable[..., Report]) -> None:
    subs = {k: v for k, v in SUB_AREAS_2024.items() if k != "HR"}
    report = check({"Delområden": area_table("Delområden 2024 (mkr)", {2024: subs}, total=False)})
    assert [f.expected for f in find(report, "VP101")] == ["HR"]


def test_vp102_unknown_area_suggests_closest(check: Callable[..., Report]) -> None:
    report = check(renamed("Samhällsplanering", "Samhällsplanerng"))
    (f,) = find(report, "VP102")
    assert f.cell == "A10" and "Samhällsplanering" in (f.suggestion or "")


def test_vp102_alias_is_known(check: Callable[..., Report]) -> None:
    assert "VP102" not in codes(check(renamed("KS-reserv", "Kommunstyrelsens reserv")))


def test_vp103_duplicate_area(check: Callable[..., Report]) -> None:
    sheets = clean_board()
    rows = sheets["Budget"]
    rows.insert(row_of(rows, "Totalt"), list(rows[row_of(rows, "Vuxenutbildning")]))
    (f,) = find(check(sheets), "VP103")
    assert "Vuxenutbildning" in f.message


def test_vp104_missing_cost_column(check: Callable[..., Report]) -> None:
    rows: Rows = [[TITLE], [], ["Produktionsområde", "Brutto intäkt 2024", "Budgeterat resultat 2024"]]
    rows += [[k, r, n] for k, (r, _c, n) in EXACT_2024.items()]
    report = check({"Budget": rows})
    assert [f.expected for f in find(report, "VP104")] == ["brutto kostnad"]


def test_vp104_net_only_table_is_complete(check: Callable[..., Report]) -> None:
    rows: Rows = [[TITLE], [], ["Produktionsområde", "Budget 2024"]] + [[k, n] for k, (_r, _c, n) in EXACT_2024.items()]
    assert "VP104" not in codes(check({"Budget": rows}))


def test_vp104_no_table_at_all(check: Callable[..., Report]) -> None:
    report = check({"Anteckningar": [["Möte 12 mars"], ["Ta med budgeten"]]})
    assert codes(report) == ["VP104"]


def test_vp105_unit_missing_and_contradicting(check: Callable[..., Report]) -> None:
    none = check({"Budget": area_table("Kommunstyrelsen – produktionsområden 2024", {2024: EXACT_2024})}, no_bridge())
    assert codes(none) == ["VP105"]
    tkr = check({"Budget": area_table("Budget 2024 (tkr)", {2024: EXACT_2024})})
    (f,) = find(tkr, "VP105")
    assert f.actual == "tkr" and f.expected == "mkr"


# --- VP2xx -------------------------------------------------------------------
def test_vp201_text_numbers(check: Callable[..., Report]) -> None:
    report = check(with_2024(Vuxenutbildning=("22,0 ", "\u221245,3", -23.3), Kommundirektör=(0.2, "(13,4)", -13.2)))
    got = {f.cell: f.expected for f in find(report, "VP201")}
    assert got == {"B8": 22.0, "C8": -45.3, "C6": -13.4}
    assert not [f for f in find(report, "VP301") if f.cell in ("D6", "D8")]  # the repaired figures add up
    # Excel's SUM skips text, so the typed-in total is short by exactly those figures
    (total,) = [f for f in find(report, "VP302") if f.cell == "B14"]
    assert total.expected == pytest.approx(total.actual + 22.0)


def test_vp202_not_a_number(check: Callable[..., Report]) -> None:
    report = check(with_2024(Vuxenutbildning=(22.0, "?", -23.3)))
    (f,) = find(report, "VP202")
    assert f.cell == "C8" and f.actual == "?"


def test_vp203_empty_amount(check: Callable[..., Report]) -> None:
    report = check(with_2024(Samhällsplanering=(0, "", -2.9)))
    assert [f.cell for f in find(report, "VP203")] == ["C10"]


def test_vp204_wrong_sign(check: Callable[..., Report]) -> None:
    report = check(with_2024(Räddningstjänst=(-1.0, 33.7, 32.7)))
    assert sorted(f.cell or "" for f in find(report, "VP204")) == ["B12", "C12"]


def test_vp205_error_value(check: Callable[..., Report]) -> None:
    report = check(with_2024(Kommundirektör=(0.2, -13.4, "#REF!")))
    (f,) = find(report, "VP205")
    assert f.cell == "D6" and f.actual == "#REF!"


def test_zero_revenue_and_cost_are_not_wrong_signs(check: Callable[..., Report]) -> None:
    assert "VP204" not in codes(check(clean_board()))


# --- VP3xx -------------------------------------------------------------------
def test_vp301_net_is_not_revenue_plus_cost(check: Callable[..., Report]) -> None:
    report = check(with_2024(Vuxenutbildning=(22.0, -45.3, -24.3)))
    (f,) = [f for f in find(report, "VP301") if f.cell == "D8"]
    assert f.expected == -23.3 and f.actual == -24.3


def test_vp301_within_rounding_is_vp309(check: Callable[..., Report]) -> None:
    report = check(with_2024(Vuxenutbildning=(22.0, -45.3, -23.2)))
    assert "VP301" not in codes(report)
    assert [f.cell for f in find(report, "VP309") if "Vuxenutbildning" in f.message] == ["D8"]


def test_vp302_total_row(check: Callable[..., Report]) -> None:
    report = check(board({2024: EXACT_2024}, sum_rows={2: "const:-285.8"}))
    (f,) = find(report, "VP302")
    assert f.cell == "C14" and f.expected == pytest.approx(COST_2024) and f.actual == -285.8


def test_vp303_sub_areas(check: Callable[..., Report]) -> None:
    subs = dict(SUB_AREAS_2024)
    subs["Kommunledning och verksamhetsstöd"] = (9.7, -150.0, -140.3)
    report = check({"Delområden": area_table("Delområden 2024 (mkr)", {2024: subs}, total=False)})
    cells = {f.cell for f in find(report, "VP303")}
    assert cells == {"C9", "D9"}
    ok = dict(SUB_AREAS_2024)
    ok["Kommunledning och verksamhetsstöd"] = (9.7, -158.0, -148.3)
    assert "VP303" not in codes(check({"Delområden": area_table("Delområden 2024 (mkr)", {2024: ok}, total=False)}))


def test_vp304_frame(check: Callable[..., Report]) -> None:
    settings = default_settings()
    settings.frames = [Frame(year=2024, amount=-250.0)]
    report = check(clean_board(), settings)
    (f,) = find(report, "VP304")
    assert f.expected == -250.0 and f.actual == pytest.approx(-253.2) and f.cell == "D14"


def test_vp305_bridge(check: Callable[..., Report]) -> None:
    settings = default_settings()
    settings.bridge = [BridgeItem(from_year=2023, to_year=2024, text="Löner", amount=2.0)]
    report = check(board({2023: SEED_2023, 2024: EXACT_2024}), settings)
    (f,) = find(report, "VP305")
    assert f.expected == 2.0


def test_vp306_summary_differs_from_area_sheet(check: Callable[..., Report]) -> None:
    sheets = per_area_budget()
    summary = sheets["Sammanställning"]
    i = row_of(summary, "Kommundirektör")
    formula, _cached = summary[i][3]
    summary[i][3] = -14.2  # typed over the link
    report = check(sheets)
    (f,) = find(report, "VP306")
    assert f.cell == "D6" and f.expected == pytest.approx(-13.2) and f.actual == -14.2
    assert formula.startswith("='Kommundirektör'!")
    assert "VP401" in codes(report)  # a constant among links


def test_vp306_cut_sheet_names_still_match(check: Callable[..., Report]) -> None:
    sheets = per_area_budget()
    assert "Kommunledning och verksamhetsst" in sheets  # 31 characters
    assert not [c for c in codes(check(sheets)) if c.startswith("VP1") or c == "VP306"]


def test_vp309_is_info_and_not_an_error(check: Callable[..., Report]) -> None:
    report = check(clean_budget())
    assert set(codes(report)) == {"VP309"}
    assert all(f.severity.value == "info" for f in report.findings)


# --- VP4xx -------------------------------------------------------------------
def test_vp401_constant_among_formulas(check: Callable[..., Report]) -> None:
    report = check(board({2024: EXACT_2024}, sum_rows={2: f"const:{COST_2024}"}))
    (f,) = find(report, "VP401")
    assert f.cell == "C14"


def test_vp402_and_vp403_sum_range(check: Callable[..., Report]) -> None:
    report = check(board({2024: EXACT_2024}, sum_rows={2: "C5:C12"}))
    assert [f.cell for f in find(report, "VP402")] == ["C14"]
    (f,) = find(report, "VP403")
    assert f.cell == "C14" and "rad 13" in f.message and f.expected == "=SUM(C5:C13)"


def test_vp403_sum_taking_in_the_header(check: Callable[..., Report]) -> None:
    report = check(board({2024: EXACT_2024}, sum_rows={1: "B4:B13", 2: "C4:C13", 3: "D4:D13"}))
    assert sorted(f.cell or "" for f in find(report, "VP403")) == ["B14", "C14", "D14"]


def test_vp404_external_link_and_empty_cell(check: Callable[..., Report]) -> None:
    sheets = clean_board()
    rows = sheets["Budget"]
    i = row_of(rows, "Vuxenutbildning")
    rows[i][1] = ("=[1]Blad1!B8", 22.0)
    j = row_of(rows, "Samhällsplanering")
    rows[j][3] = ("=B10+C10+H10", -2.9)
    report = check(sheets)
    assert sorted(f.cell or "" for f in find(report, "VP404")) == ["B8", "D10"]


def test_formulas_following_the_pattern_are_quiet(check: Callable[..., Report]) -> None:
    sheets = clean_board()
    rows = sheets["Budget"]
    for i, r in enumerate(rows):
        if r and r[0] in EXACT_2024:
            rows[i][3] = (f"=B{i + 1}+C{i + 1}", EXACT_2024[r[0]][2])
    report = check(sheets)
    assert not [c for c in codes(report) if c.startswith("VP4")]


# --- registry and exemptions --------------------------------------------------
def test_every_catalogue_code_has_a_rule_and_docs_text() -> None:
    load_all()
    expected = {"VP101", "VP102", "VP103", "VP104", "VP105", "VP201", "VP202", "VP203", "VP204", "VP205"}
    expected |= {"VP301", "VP302", "VP303", "VP304", "VP305", "VP306", "VP309", "VP401", "VP402", "VP403", "VP404"}
    assert expected <= set(RULES)
    for r in RULES.values():
        assert r.title and r.what and r.why and r.example and r.fix


def test_exemption_silences_but_keeps_the_finding(check: Callable[..., Report]) -> None:
    sheets = copy.deepcopy(with_2024(Vuxenutbildning=(22.0, -45.3, -24.3)))
    settings = default_settings()
    settings.bridge = []
    plain = check(sheets, settings)
    assert plain.has_errors
    from vpexcel.settings import Exemption

    settings.exemptions = [Exemption(code="VP301", sheet="Budget", cell="D8", reason="Beslutat av KS 2023-11-12")]
    settings.exemptions.append(Exemption(code="VP302", sheet="Budget", reason="Följer av raden ovan"))
    settings.exemptions.append(Exemption(code="VP301", sheet="Budget", cell="D14", reason="Följer av raden ovan"))
    settings.exemptions.append(Exemption(code="VP304", reason="Följer av raden ovan"))
    silenced = check(sheets, settings)
    f = next(f for f in silenced.findings if f.code == "VP301" and f.cell == "D8")
    assert f.silenced == "Beslutat av KS 2023-11-12"
    assert not silenced.has_errors and silenced.summary.silenced >= 2


# --- the table map's recognisers, each on its own -----------------------------------
def test_column_recogniser_reads_role_measure_and_month() -> None:
    from vpexcel.layout import ColumnKind, Measure, _column_kind

    assert _column_kind("Brutto intäkt", "areas") == (ColumnKind.REVENUE, Measure.BUDGET, None)
    assert _column_kind("Nettokostnad", "areas") == (ColumnKind.NET, Measure.BUDGET, None)
    assert _column_kind("Bokslut 2023", "areas") == (ColumnKind.NET, Measure.ACTUAL, None)
    assert _column_kind("Avvikelse budget-prognos", "areas") == (ColumnKind.NET, Measure.VARIANCE, None)
    assert _column_kind("Mar", "areas") == (ColumnKind.NET, Measure.MONTH, 3)
    assert _column_kind("Helår", "areas") == (ColumnKind.NET, Measure.FULL_YEAR, None)
    assert _column_kind("varav intäkter", "areas") is None
    assert _column_kind("Projekt", "areas") is None


def test_blocks_recogniser_total_at_the_top_covers_the_subtotals() -> None:
    from vpexcel.grid import SheetGrid
    from vpexcel.layout import RowKind, detect_tables

    rows = [
        ["Nettobudget 2024 (mkr)"],
        ["Verksamhet", "Budget 2024"],
        ["Totalt", -30.0],
        ["Ledning"],
        ["Politisk organisation", -10.0],
        ["Kommundirektör", -5.0],
        ["Summa ledning", -15.0],
        ["Räddningstjänst", -15.0],
        ["Summa övrigt", -15.0],
    ]
    (table,) = detect_tables(SheetGrid("B", rows), default_settings())
    sums = {r.label: (r.level, r.block) for r in table.rows if r.kind is RowKind.SUM}
    assert sums == {"Totalt": (0, [6, 8]), "Summa ledning": (1, [4, 5]), "Summa övrigt": (1, [7])}
    assert [r.label for r in table.rows if r.kind is RowKind.GROUP] == ["Ledning"]
    assert table.grand_total() is not None and table.grand_total().label == "Totalt"  # type: ignore[union-attr]


def test_sign_recogniser_tells_costs_shown_positive() -> None:
    from vpexcel.grid import SheetGrid
    from vpexcel.layout import Sign, detect_tables

    head = [["Budget 2024 (mkr)"], ["Verksamhet", "Intäkter", "Kostnader", "Nettokostnad"]]
    positive = [*head, ["Politisk organisation", 1.0, 7.0, 6.0], ["Kommundirektör", 0.2, 13.4, 13.2]]
    negative = [*head, ["Politisk organisation", 1.0, -7.0, -6.0], ["Kommundirektör", 0.2, -13.4, -13.2]]
    assert detect_tables(SheetGrid("B", positive), default_settings())[0].sign is Sign.COSTS_POSITIVE
    assert detect_tables(SheetGrid("B", negative), default_settings())[0].sign is Sign.COSTS_NEGATIVE


def test_rows_recogniser_takes_account_rows_for_items_not_areas() -> None:
    from vpexcel.grid import SheetGrid
    from vpexcel.layout import RowKind, detect_tables

    rows = [["Enhet Norr (tkr)"], ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"]]
    rows += [[str(4000 + i), f"Konto {i}", 0.0, -100.0, -100.0] for i in range(5)]
    (table,) = detect_tables(SheetGrid("Enhet Norr", rows), default_settings())
    assert not table.rows_are_areas and table.label_col == 1
    assert {r.kind for r in table.rows} == {RowKind.ITEM}


def test_vp405_formula_checks_need_xlsx_said_once(tmp_path: Path) -> None:
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.samples import write_book
    from vpexcel.validate import validate

    book = read_workbook(write_book(tmp_path / "b.xlsx", clean_board()))
    assert "VP405" not in codes(validate(book, no_bridge()))  # type: ignore[arg-type]
    book.has_formulas = False  # what the reader says of an .xlsb or .ods
    book.sheets[0].formulas = {}
    report = validate(book, no_bridge())  # type: ignore[arg-type]
    assert codes(report) == ["VP405"] and report.findings[0].severity.value == "info"


def test_tabeller_in_the_settings_describe_a_table_detection_cannot_read(check: Callable[..., Report]) -> None:
    from vpexcel.settings import SECTION_HEADERS, settings_rows

    investments: Rows = [
        ["Investeringar (mkr)"],
        ["Projekt", "2024", "2025"],
        ["Ny brandstation", -12.0, -30.5],
        ["IT-plattform", -3.2, -2.1],
        ["Totalt", -16.2, -32.6],
    ]
    assert [(f.code, f.sheet) for f in check({"Investeringar": investments}).findings] == [
        ("VP104", None),
        ("VP106", "Investeringar"),
    ]
    described = [
        *settings_rows(default_settings()),
        [],
        ["Tabeller"],
        SECTION_HEADERS["Tabeller"],
        ["Investeringar", 2, "B", "netto", "budget", 2024, ""],
        ["Investeringar", "", "C", "netto", "budget", 2025, "kostnader negativa"],
    ]
    report = check({"Investeringar": investments, "Inställningar": described})
    assert [(f.code, f.cell) for f in report.findings if f.severity.value != "info"] == [("VP302", "B5")]


def test_tabeller_sign_overrides_what_the_figures_suggest(check: Callable[..., Report]) -> None:
    from vpexcel.settings import SECTION_HEADERS, settings_rows

    rows: Rows = [["Budget 2024 (mkr)"], ["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"]]
    rows += [[k, r, c, n] for k, (r, c, n) in EXACT_2024.items()]
    described = [
        *settings_rows(no_bridge()),
        [],
        ["Tabeller"],
        SECTION_HEADERS["Tabeller"],
        ["Budget", "", "", "", "", "", "kostnader positiva"],
    ]  # type: ignore[arg-type]
    report = check({"Budget": rows, "Inställningar": described})
    assert len(find(report, "VP204")) == len(EXACT_2024) and find(report, "VP301")  # every cost now has the wrong sign


def test_a_cost_subtotal_with_no_cost_rows_is_no_crash(check) -> None:  # type: ignore[no-untyped-def]
    """An enhet's sheet with "Summa kostnader" but no "Summa intäkter" above it: every account reads as
    revenue, so the cost subtotal covers no row. It was an internal error (exit 3); now the missing
    row is said (VP104) and the subtotal has no block to be checked against."""
    report = check(
        {
            "Ekonomi": [
                ["Ekonomi – budget 2024 (tkr)"],
                ["Kontogrupp", "Budget 2024"],
                ["Lokalhyror", -40.0],
                ["Personal", -60.0],
                ["Summa kostnader", ("=SUM(B3:B4)", -100.0)],
                ["Resultat", ("=B5", -100.0)],
            ]
        }
    )
    assert "VP104" in {f.code for f in report.findings}
    assert "VP403" not in {f.code for f in report.findings}


def test_an_account_named_darav_something_is_an_account_not_a_note(check) -> None:  # type: ignore[no-untyped-def]
    """ "Därav-kontroll projekt" names an account; only "Därav ..." or "Varav: ..." start a note row."""
    rows: list[list[object]] = [
        ["Enhet Norr (tkr)"],
        ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
    ]
    for i, name in enumerate(["Lokaler", "Därav-kontroll projekt", "Resor"]):
        rows.append([4000 + i, name, 5.0, float(-(i + 1) * 10), 5.0 - (i + 1) * 10])
    rows.append(["", "Varav: inventarier", 0.0, -4.0, -4.0])
    rows.append(["", "Totalt", *[(f"=SUM({c}3:{c}5)", v) for c, v in (("C", 15.0), ("D", -60.0), ("E", -45.0))]])
    report = check({"Enhet": rows})
    assert not [f for f in report.findings if f.severity.value != "info"], [(f.code, f.cell, f.message) for f in report.findings]


def test_a_column_whose_header_names_its_year_is_named_once(check: Callable[..., Report]) -> None:
    """ "Summa verksamhet Budget 2024 2024" (found by the tester): a header that already says the year
    is not followed by it again; a header without it still gets it."""
    rows: Rows = [
        ["Verksamhet", "Budget 2023", "Budget 2024"],
        ["Kultur", -10.0, -11.0],
        ["Fritid", -20.0, -21.0],
        ["Summa verksamhet", -30.0, -35.0],
    ]
    (f,) = find(check({"Budget": rows}), "VP302")
    assert f.cell == "C4"
    assert "Summa verksamhet Budget 2024:" in f.message and "2024 2024" not in f.message
    sample = [list(r) for r in clean_budget()["Produktionsområden"]]
    sample[13][4] = ("=SUM(E5:E13)", 40.0)  # Totalt's revenue 2024 off by 2.5
    (g,) = find(check({"Produktionsområden": sample}), "VP302")
    assert g.message.startswith("Totalt Brutto intäkt 2024:")
