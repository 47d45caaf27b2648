"""A workbook saved by a program that does not calculate (openpyxl: formulas without the value Excel
computed): every corpus layout's correct workbook gives one VP206 sentence and nothing else that is an
error or a warning; sum and result rows whose amounts are formulas are read as sums, not headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.layouts import LAYOUTS
from corpus.sheet import Sheet
from corpus.write import write_xlsx
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import RowKind, detect_tables
from vpexcel.settings import Settings, settings_rows
from vpexcel.validate import validate


def _uncalculated(name: str, folder: Path) -> Path:
    """The layout's correct workbook, written as a program that does not calculate writes it."""
    case = LAYOUTS[name](False)
    sheets = list(case.sheets)
    if case.settings is not None:
        settings_sheet = Sheet("Inställningar")
        for line in settings_rows(case.settings):
            settings_sheet.add(list(line))
        sheets.append(settings_sheet)
    return write_xlsx(folder / f"{name}-oräknad.xlsx", sheets, calculated=False)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_uncalculated_correct_workbook_says_only_vp206(name: str, tmp_path: Path) -> None:
    path = _uncalculated(name, tmp_path)
    book = read_workbook(path)
    has_formulas = any(s.formulas for s in book.sheets if s.name != "Inställningar")
    report = validate(book, None, [])
    said = [(f.code, f.sheet, f.cell, f.message) for f in report.findings if f.severity.value in ("error", "warning")]
    codes = [c for c, *_ in said]
    if has_formulas:
        assert codes == ["VP206"], said
        (f,) = [f for f in report.findings if f.code == "VP206"]
        assert "Öppna arbetsboken i Excel" in (f.suggestion or "")
    else:
        assert codes == [], said


def test_sum_rows_holding_only_formulas_are_sums_not_headings(tmp_path: Path) -> None:
    path = _uncalculated("kommunbas_enheter", tmp_path)
    book = read_workbook(path)
    kinds = {
        (t.name, r.label): r.kind
        for s in book.sheets
        if s.name != "Inställningar"
        for t in detect_tables(s, Settings())
        for r in t.rows
    }
    sums = {k: v for k, v in kinds.items() if k[1].lower().startswith("summa verksamhetens")}
    assert sums and all(v in (RowKind.REVENUE_SUM, RowKind.COST_SUM) for v in sums.values()), sums
    assert not [k for k, v in kinds.items() if v is RowKind.GROUP and k[1].lower().startswith("summa")]


def _write_sample_uncalculated(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, line in enumerate(rows, start=1):
            for c, v in enumerate(line, start=1):
                if isinstance(v, tuple):
                    ws.cell(r, c).value = v[0]  # the formula; openpyxl stores no value
                elif v != "" and v is not None:
                    ws.cell(r, c).value = v  # type: ignore[assignment]
    wb.save(path)
    return path


@pytest.mark.parametrize("builder", ["clean_budget", "per_area_budget"])
def test_uncalculated_sample_budget_says_only_vp206(builder: str, tmp_path: Path) -> None:
    from vpexcel import samples

    sheets = getattr(samples, builder)()
    book = read_workbook(_write_sample_uncalculated(tmp_path / f"{builder}.xlsx", sheets))
    report = validate(book, None, [])
    said = [(f.code, f.sheet, f.cell, f.message) for f in report.findings if f.severity.value in ("error", "warning")]
    assert [c for c, *_ in said] == ["VP206"], said
    (f,) = [f for f in report.findings if f.code == "VP206"]
    assert f.actual == sum(len(s.formulas) for s in book.sheets)
