"""The seed's own table (verksamhetsplan 2024, Produktionsområden) and the shipped samples."""

from __future__ import annotations

from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import RowKind, detect_tables
from vpexcel.settings import default_settings
from vpexcel.validate import validate

from .conftest import WORKBOOKS, codes, find


def test_seed_table_has_exactly_the_four_rounding_differences() -> None:
    report = validate(read_workbook(WORKBOOKS / "budget-2024.xlsx"))
    seed = [f for f in report.findings if f.sheet == "Produktionsområden" and f.code != "VP305"]
    rows = {(f.code, f.cell) for f in seed if f.code == "VP309" and "budgetbryggan" not in f.message}
    # Stöd och utveckling 2023, Kommunledning och verksamhetsstöd 2024, and both Totalt rows
    assert rows == {("VP309", "D9"), ("VP309", "G7"), ("VP309", "D14"), ("VP309", "G14")}
    assert all(f.code == "VP309" for f in seed)
    assert not codes(report, "error") and not codes(report, "warning")


def test_seed_bridge_agrees_with_the_frame_within_rounding() -> None:
    report = validate(read_workbook(WORKBOOKS / "budget-2024.xlsx"))
    bridge = [f for f in find(report, "VP309") if "budgetbryggan" in f.message]
    assert len(bridge) == 1
    # net cost falls by 3.6 (-256.8 -> -253.2); the bridge items sum to -3.65
    assert bridge[0].actual == -3.6 and bridge[0].expected == -3.65
    assert not find(report, "VP305")


def test_varav_line_is_a_note_not_an_area() -> None:
    book = read_workbook(WORKBOOKS / "budget-2024.xlsx")
    sheet = book.sheet("Produktionsområden")
    assert sheet is not None
    (table,) = detect_tables(sheet, default_settings())
    notes = table.rows_of(RowKind.NOTE)
    assert [r.label for r in notes] == ["varav nämndinterna intäkter"]
    areas = [r.area.name for r in table.rows_of(RowKind.AREA) if r.area]
    assert len(areas) == 9 and "varav nämndinterna intäkter" not in areas
    assert table.unit == "mkr"
    assert table.years == [2023, 2024]


def test_per_area_workbook_with_summary_is_clean() -> None:
    report = validate(read_workbook(WORKBOOKS / "budget-2024-per-omrade.xlsx"))
    assert not codes(report, "error") and not codes(report, "warning")


def test_mistakes_sample_shows_the_typical_mistakes() -> None:
    report = validate(read_workbook(WORKBOOKS / "budget-2024-med-fel.xlsx"))
    found = set(codes(report))
    assert {"VP101", "VP102", "VP201", "VP202", "VP203", "VP204", "VP205", "VP301", "VP304", "VP401", "VP402", "VP403"} <= found
    (typo,) = find(report, "VP102")
    assert typo.suggestion and "Samhällsplanering" in typo.suggestion
    text = {f.cell: f for f in find(report, "VP201")}
    assert text["E7"].expected == 9.7 and text["F7"].expected == -158.0
