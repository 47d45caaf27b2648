"""`vpexcel jämför`: two versions of a budget compared by meaning, each pair stating the exact changes expected."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vpexcel.cli import main
from vpexcel.compare import Comparison, compare_books
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.samples import SEED_2023, SEED_2024, Rows, account_sheet, area_table
from vpexcel.settings import SETTINGS_SHEET, Frame, default_settings, settings_rows

TITLE = "Kommunstyrelsen – produktionsområden 2024 (mkr)"


def areas(y24: dict[str, Any] | None = None, order: list[str] | None = None, **kw: Any) -> Rows:
    """The seed's table of areas for 2023 and 2024; ``y24`` replaces 2024 rows, ``order`` reorders them."""
    y23, y24 = dict(SEED_2023), {**SEED_2024, **(y24 or {})}
    if order:
        y23, y24 = {k: y23[k] for k in order}, {k: y24[k] for k in order}
    return area_table(TITLE, {2023: y23, 2024: y24}, **kw)


def rename(rows: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if k == old else k): v for k, v in rows.items()}


def accounts(area: str, revenue: dict[str, float], cost: dict[str, float]) -> Rows:
    """An area's own sheet: account rows, Summa intäkter, Summa kostnader and Resultat (tkr)."""
    return account_sheet(area, accounts=(revenue, cost))[0]


REVENUE = {"Taxor och avgifter": 300.0, "Bidrag": 17_900.0, "Övriga intäkter": 3_800.0}
COST = {"Personalkostnader": -29_800.0, "Lokalkostnader": -6_100.0, "Köp av verksamhet": -6_900.0, "Övriga kostnader": -2_500.0}


@pytest.fixture
def pair(make_book: Callable[..., Path]) -> Callable[[dict[str, Rows], dict[str, Rows]], Comparison]:
    def run(old: dict[str, Rows], new: dict[str, Rows]) -> Comparison:
        return compare_books(read_workbook(make_book(old)), read_workbook(make_book(new)))

    return run


def changes(comp: Comparison) -> list[tuple[Any, ...]]:
    """What the user reads, without the cell addresses: kind, row, column, before, after."""
    return [
        (c.kind, c.line, c.column, round(c.old, 6) if isinstance(c.old, float) else c.old, round(c.new, 6) if isinstance(c.new, float) else c.new)
        for c in comp.changes
    ]  # fmt: skip


def test_the_same_budget_has_no_changes(pair: Callable[..., Comparison]) -> None:
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": areas()})
    assert comp.changes == []
    net = {(s.area, s.year): (s.old, s.new, s.change) for s in comp.summary}
    assert net[("Vuxenutbildning", 2024)] == (-23.3, -23.3, 0.0)
    assert net[("Kommunstyrelsen totalt", 2024)][0] == pytest.approx(-253.2)


def test_an_area_renamed_is_one_rename_and_nothing_else(pair: Callable[..., Comparison]) -> None:
    new = area_table(
        TITLE,
        {
            2023: rename(SEED_2023, "Räddningstjänst", "Räddningstjänsten"),
            2024: rename(SEED_2024, "Räddningstjänst", "Räddningstjänsten"),
        },
    )
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": new})
    assert changes(comp) == [("line_renamed", "Räddningstjänsten", None, "Räddningstjänst", "Räddningstjänsten")]
    assert comp.changes[0].old_cell == comp.changes[0].new_cell == "Produktionsområden!A12"
    # the summary keeps the area as one, under the name the settings know
    rows = [(s.area, s.old, s.new) for s in comp.summary if s.year == 2024 and s.area.startswith("Rädd")]
    assert rows == [("Räddningstjänst", -33.7, -33.7)]


def test_a_new_name_no_matcher_knows_at_the_same_place_with_the_same_figures_is_a_rename(
    pair: Callable[..., Comparison],
) -> None:
    """Found by the independent tester: reported as removed + added + three formula 'changes' to the same SUM."""
    new = area_table(
        TITLE,
        {
            2023: rename(SEED_2023, "Samhällsplanering", "Samhällsbyggnad"),
            2024: rename(SEED_2024, "Samhällsplanering", "Samhällsbyggnad"),
        },
    )
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": new})
    assert changes(comp) == [("line_renamed", "Samhällsbyggnad", None, "Samhällsplanering", "Samhällsbyggnad")]


def test_a_row_moved_is_a_move_not_a_change(pair: Callable[..., Comparison]) -> None:
    order = list(SEED_2024)
    moved = [order[-1], *order[:-1]]  # KS-reserv from the bottom to the top
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": areas(order=moved)})
    assert changes(comp) == [("line_moved", "KS-reserv", None, None, None)]
    assert comp.changes[0].message == "Raden 'KS-reserv' är flyttad från rad 13 till rad 5."


def test_a_figure_changed_gives_its_amount_and_the_totals_that_follow(pair: Callable[..., Comparison]) -> None:
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": areas({"Vuxenutbildning": (22, -46.3, -24.3)})})
    assert changes(comp) == [
        ("value_changed", "Vuxenutbildning", "Budget 2024, brutto kostnad", -45.3, -46.3),
        ("value_changed", "Vuxenutbildning", "Budget 2024, netto", -23.3, -24.3),
        ("value_changed", "Totalt", "Budget 2024, brutto kostnad", -295.8, -296.8),
        ("value_changed", "Totalt", "Budget 2024, netto", -253.2, -254.2),
    ]
    first = comp.changes[0]
    assert first.delta == pytest.approx(-1.0) and first.old_cell == "Produktionsområden!F8" == first.new_cell
    assert "−45,3 → −46,3 (−1,0)" in first.message
    net = {(s.area, s.year): s.change for s in comp.summary}
    assert net[("Vuxenutbildning", 2024)] == pytest.approx(-1.0)
    assert net[("Kommunstyrelsen totalt", 2024)] == pytest.approx(-1.0)


def test_a_sum_range_changed_and_a_formula_replaced_by_its_value(pair: Callable[..., Comparison]) -> None:
    new = areas(sum_rows={5: "F5:F12", 3: "const:-256.8"})  # the 2024 cost total leaves out KS-reserv; a 2023 total typed
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": new})
    assert changes(comp) == [
        ("formula_to_constant", "Totalt", "Budget 2023, netto", -256.8, -256.8),
        ("formula_changed", "Totalt", "Budget 2024, brutto kostnad", -295.8, -290.8),
        ("value_changed", "Totalt", "Budget 2024, brutto kostnad", -295.8, -290.8),
    ]
    typed, summed = comp.changes[0], comp.changes[1]
    assert typed.old_formula == "SUM(D5:D13)" and typed.new_formula is None
    assert summed.message == (
        "Totalt, Budget 2024, brutto kostnad: Summan har ändrat område (SUM(F5:F13) → SUM(F5:F12)): "
        "räknar inte längre med 'KS-reserv'."
    )


def test_a_sheet_added(pair: Callable[..., Comparison]) -> None:
    old = {"Produktionsområden": areas()}
    comp = pair(old, {**old, "Vuxenutbildning": accounts("Vuxenutbildning", REVENUE, COST)})
    assert changes(comp) == [("sheet_added", None, None, None, None)]
    assert comp.changes[0].sheet == "Vuxenutbildning" and comp.changes[0].message == "Bladet 'Vuxenutbildning' är nytt."


def test_account_rows_inserted_changed_and_sheet_renamed(pair: Callable[..., Comparison]) -> None:
    """An account row inserted mid-block shifts the rows below: only the row, its sum and the result change."""
    cost = dict(COST)
    cost = {
        **{k: cost[k] for k in ("Personalkostnader", "Lokalkostnader")},
        "Lokalhyror": -100.0,
        **{k: cost[k] for k in ("Köp av verksamhet", "Övriga kostnader")},
    }
    revenue = {**REVENUE, "Bidrag": 18_400.0}
    comp = pair(
        {"Vuxenutbildning": accounts("Vuxenutbildning", REVENUE, COST)},
        {"Vuxenutb": accounts("Vuxenutbildning", revenue, cost)},  # the sheet renamed; the title still names the area
    )
    assert changes(comp) == [
        ("sheet_renamed", None, None, "Vuxenutbildning", None),
        ("value_changed", "Bidrag", "Budget 2024", 17_900.0, 18_400.0),
        ("value_changed", "Summa intäkter", "Budget 2024", 22_000.0, 22_500.0),
        ("line_added", "Lokalhyror", None, None, None),
        ("formula_changed", "Summa kostnader", "Budget 2024", -45_300.0, -45_400.0),
        ("value_changed", "Summa kostnader", "Budget 2024", -45_300.0, -45_400.0),
        ("value_changed", "Resultat", "Budget 2024", -23_300.0, -22_900.0),
    ]
    assert "räknar nu också med 'Lokalhyror'" in comp.changes[4].message
    assert comp.changes[0].message == "Bladet 'Vuxenutbildning' heter nu 'Vuxenutb'."


def test_frame_and_bridge_before_and_after(pair: Callable[..., Comparison]) -> None:
    s_old = default_settings()
    s_new = default_settings().model_copy(deep=True)
    s_new.frames = [Frame(year=2023, amount=-256.8), Frame(year=2024, amount=-255.0)]
    s_new.bridge[0] = s_new.bridge[0].model_copy(update={"amount": 9.2})
    book = {"Produktionsområden": areas()}
    comp = pair({**book, SETTINGS_SHEET: settings_rows(s_old)}, {**book, SETTINGS_SHEET: settings_rows(s_new)})
    assert changes(comp) == [
        ("frame_changed", None, "Ram 2024", -253.2, -255.0),
        ("bridge_changed", "Ökade priser och löner", "Budgetbrygga 2023→2024", 7.4, 9.2),
    ]
    assert comp.frames == [(2023, -256.8, -256.8), (2024, -253.2, -255.0)]
    ((f, t, before, after),) = comp.bridge
    assert (f, t) == (2023, 2024) and after - before == pytest.approx(1.8)


def test_cli_text_json_and_xlsx(make_book: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    old = make_book({"Produktionsområden": areas()}, "budget-v1.xlsx")
    new = make_book({"Produktionsområden": areas({"Vuxenutbildning": (22, -46.3, -24.3)})}, "budget-v2.xlsx")
    assert main(["jämför", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "4 ändringar: 4 belopp ändrade." in out
    assert "Vuxenutbildning, Budget 2024, brutto kostnad: −45,3 → −46,3 (−1,0)." in out
    assert "Vuxenutbildning 2024: −23,3 → −24,3 (−1,0)" in out
    assert main(["jamfor", str(old), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"value_changed": 4}
    assert data["changes"][0]["old_cell"] == "Produktionsområden!F8" and data["changes"][0]["delta"] == pytest.approx(-1.0)
    assert main(["jämför", str(old), str(new), "--format", "xlsx", "--output", str(tmp_path / "ut") + "/"]) == 0
    target = tmp_path / "ut" / "budget-v2-jamforelse.xlsx"
    assert str(target) in capsys.readouterr().out
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Ändringar", "Sammanfattning"]
    ws = wb["Ändringar"]
    first = [c for c in ws[5]]
    assert [c.value for c in first[:8]] == [
        "Belopp ändrat", "Produktionsområden", "Vuxenutbildning", "Vuxenutbildning", "Budget 2024, brutto kostnad", -45.3, -46.3,
        pytest.approx(-1.0),
    ]  # fmt: skip
    assert first[8].hyperlink.target == "../budget-v1.xlsx#'Produktionsområden'!F8"
    assert first[9].hyperlink.target == "../budget-v2.xlsx#'Produktionsområden'!F8"
    sm = [[c.value for c in r] for r in wb["Sammanfattning"].iter_rows(min_row=5)]
    vux = next(r for r in sm if r[0] == "Vuxenutbildning" and r[1] == 2024)
    assert vux[3:5] == [-23.3, -24.3] and vux[5] == pytest.approx(-1.0)


def test_formula_text_in_the_workbook_stays_text(make_book: Callable[..., Path], tmp_path: Path) -> None:
    import openpyxl

    from vpexcel.io.compare_xlsx import compare_files

    old = make_book({"Produktionsområden": areas()}, "a.xlsx")
    new = make_book({"Produktionsområden": areas(sum_rows={5: "F5:F12"})}, "b.xlsx")
    _comp, target = compare_files(old, new, tmp_path / "j.xlsx")
    ws = openpyxl.load_workbook(target)["Ändringar"]
    row = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "Formel ändrad")
    assert row[10].value == "=SUM(F5:F13)" and row[10].data_type == "s" and row[11].value == "=SUM(F5:F12)"


def test_a_version_that_cannot_be_read_is_refused_in_swedish(
    make_book: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = make_book({"Produktionsområden": areas()})
    (tmp_path / "trasig.xlsx").write_bytes(b"inte en arbetsbok")
    assert main(["jämför", str(old), str(tmp_path / "trasig.xlsx")]) == 2
    assert "trasig.xlsx kan inte läsas" in capsys.readouterr().err


def test_links_between_sheets_are_compared_by_the_rows_they_read(pair: Callable[..., Comparison]) -> None:
    """A row inserted on an area's sheet moves the rows the summary links to: the links' text changes, not their meaning."""
    from vpexcel.samples import per_area_budget

    old = per_area_budget()
    new = per_area_budget()
    cost = {**COST, "Lokalhyror": 0.0}  # a new account row with nothing budgeted yet, above nothing that changes value
    cost = {k: cost[k] for k in ("Personalkostnader", "Lokalhyror", "Lokalkostnader", "Köp av verksamhet", "Övriga kostnader")}
    new["Vuxenutbildning"] = accounts("Vuxenutbildning", REVENUE, cost)
    summary = new["Sammanställning"]
    line = next(r for r in summary if r and r[0] == "Vuxenutbildning")
    # the links follow the rows, as Excel moves them when a row is inserted: Summa kostnader 14 -> 15, Resultat 16 -> 17
    line[2] = (line[2][0].replace("!B14", "!B15"), line[2][1])
    line[3] = (line[3][0].replace("!B16", "!B17"), line[3][1])
    comp = pair(old, new)
    assert changes(comp) == [
        ("line_added", "Lokalhyror", None, None, None),
        ("formula_changed", "Summa kostnader", "Budget 2024", -45_300.0, -45_300.0),
    ]
    assert "räknar nu också med 'Lokalhyror'" in comp.changes[1].message

    # had the links stayed where they were, they would now read other rows: that is a change
    stale = per_area_budget()
    stale["Vuxenutbildning"] = new["Vuxenutbildning"]
    comp = pair(old, stale)
    kinds = [(c.kind, c.sheet, c.line) for c in comp.changes if c.sheet == "Sammanställning"]
    assert kinds == [
        ("formula_changed", "Sammanställning", "Vuxenutbildning"),
        ("formula_changed", "Sammanställning", "Vuxenutbildning"),
    ]
    assert comp.changes[0].message == (
        "Vuxenutbildning, Budget 2024, brutto kostnad: Formeln är densamma men läser nu 'Övriga kostnader' "
        "i stället för 'Summa kostnader'."
    )


def test_a_version_kept_in_tkr_compares_by_amount_with_one_in_mkr(pair: Callable[..., Comparison]) -> None:
    """The same budget typed in tkr: every net per area is unchanged in the settings' unit (found by review)."""
    tkr = {y: {k: tuple(v * 1000 for v in t) for k, t in rows.items()} for y, rows in ((2023, SEED_2023), (2024, SEED_2024))}
    new = area_table(TITLE.replace("(mkr)", "(tkr)"), tkr)  # type: ignore[arg-type]
    comp = pair({"Produktionsområden": areas()}, {"Produktionsområden": new})
    assert comp.unit == "mkr"
    net = {(s.area, s.year): (s.old, s.new) for s in comp.summary}
    assert net[("Vuxenutbildning", 2024)] == (pytest.approx(-23.3), pytest.approx(-23.3))
    assert all(s.change is None or abs(s.change) < 1e-6 for s in comp.summary)
    assert comp.changes == []  # the same amounts, typed in another unit
