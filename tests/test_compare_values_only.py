"""`vpexcel jämför` with a version saved as .xls, .ods or .xlsb: its formulas are never read, so the
comparison says once that the formulas could not be compared, and never that they are the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from vpexcel.cli import main
from vpexcel.compare import Comparison, compare_books, counts_sv, formulas_sv, text_lines
from vpexcel.grid import SheetGrid, WorkbookGrid
from vpexcel.io.compare_xlsx import write_comparison
from vpexcel.io.xlsx_reader import read_workbook

from .conftest import WORKBOOKS, soffice_convert
from .test_compare import areas

SAMPLE = WORKBOOKS / "budget-2024.xlsx"
UNREAD = "Formlerna kunde inte jämföras"
SAME_FORMULAS = "formler, ram"  # what the summary of an unchanged .xlsx pair claims


def values_only(path: Path, name: str) -> WorkbookGrid:
    """The workbook as the reader gives an .xls/.ods/.xlsb: the same values, no formulas, has_formulas False."""
    book = read_workbook(path)
    return WorkbookGrid(name, [SheetGrid(s.name, s.rows, {}) for s in book.sheets], has_formulas=False)


@pytest.fixture
def budgets(make_book: Callable[..., Path]) -> tuple[Path, Path]:
    """The seed's table (totals are SUM formulas), and the same with one cost changed."""
    old = make_book({"Produktionsområden": areas()}, "budget-v1.xlsx")
    new = make_book({"Produktionsområden": areas({"Vuxenutbildning": (22, -46.3, -24.3)})}, "budget-v2.xlsx")
    return old, new


def test_the_same_budget_against_an_xls_says_the_formulas_were_not_compared(budgets: tuple[Path, Path]) -> None:
    old, _ = budgets
    assert read_workbook(old).sheets[0].formulas  # the .xlsx has SUM formulas the .xls copy loses
    comp = compare_books(read_workbook(old), values_only(old, "budget-v1.xls"))
    assert comp.changes == []
    assert counts_sv(comp) == (
        "Inga ändringar i värdena: samma områden, rader, belopp, ram och budgetbrygga. "
        "Formlerna kunde inte jämföras eftersom den nya versionen (budget-v1.xls) är sparad som .xls, "
        "och ur det formatet läser vpexcel bara värdena. Spara den som .xlsx för att också jämföra formlerna."
    )
    text = "\n".join(text_lines(comp))
    assert text.count(UNREAD) == 1 and SAME_FORMULAS not in text


def test_changes_from_an_older_ods_are_counted_and_the_formulas_said_once(budgets: tuple[Path, Path]) -> None:
    old, new = budgets
    comp = compare_books(values_only(old, "budget-v1.ods"), read_workbook(new))
    assert comp.counts() == {"value_changed": 4}  # the cost, its net, and the two totals: as between two .xlsx
    assert counts_sv(comp).startswith(
        "4 ändringar: 4 belopp ändrade. Formlerna kunde inte jämföras eftersom den tidigare versionen "
        "(budget-v1.ods) är sparad som .ods, och ur det formatet läser vpexcel bara värdena."
    )
    assert "\n".join(text_lines(comp)).count(UNREAD) == 1


def test_both_versions_values_only_name_both_formats(budgets: tuple[Path, Path]) -> None:
    old, new = budgets
    comp = compare_books(values_only(old, "budget-v1.xlsb"), values_only(new, "budget-v2.xls"))
    assert formulas_sv(comp) == (
        "Formlerna kunde inte jämföras eftersom båda versionerna (budget-v1.xlsb och budget-v2.xls) är sparade som "
        ".xlsb och .xls, och ur de formaten läser vpexcel bara värdena. Spara dem som .xlsx för att också jämföra formlerna."
    )


def test_json_says_whether_formulas_were_compared(budgets: tuple[Path, Path]) -> None:
    old, new = budgets
    both_xlsx = compare_books(read_workbook(old), read_workbook(old)).to_json_dict()
    assert both_xlsx["formulas_compared"] is True and "formulas_note" not in both_xlsx
    comp = compare_books(read_workbook(old), values_only(new, "budget-v2.ods"))
    data = comp.to_json_dict()
    assert data["formulas_compared"] is False and data["values_only"] == ["new"]
    assert data["formulas_note"] == formulas_sv(comp) and str(data["formulas_note"]).startswith(UNREAD)


def test_two_xlsx_versions_still_say_the_formulas_are_the_same(budgets: tuple[Path, Path]) -> None:
    old, _ = budgets
    comp = compare_books(read_workbook(old), read_workbook(old))
    assert formulas_sv(comp) is None
    assert counts_sv(comp) == "Inga ändringar i innehållet: samma områden, rader, belopp, formler, ram och budgetbrygga."


def _cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_comparison_workbook_says_it_once(budgets: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = budgets
    comp: Comparison = compare_books(read_workbook(old), values_only(old, "budget-v1.xls"))
    cells = _cells(write_comparison(comp, old, old, tmp_path / "j.xlsx"))
    assert sum(UNREAD in c for c in cells) == 1
    assert "Inga ändringar i värdena." in cells and "Inga ändringar i innehållet." not in cells


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample budget saved by LibreOffice as .xls and as .ods."""
    folder = tmp_path_factory.mktemp("budget")
    return {kind: soffice_convert(SAMPLE, kind, folder) for kind in ("xls", "ods")}


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_cli_against_a_converted_budget(
    kind: str, converted: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = converted[kind]
    assert main(["jämför", str(SAMPLE), str(other)]) == 0
    out, err = capsys.readouterr()
    assert f"den nya versionen ({other.name}) är sparad som .{kind}" in out
    assert (out + err).count(UNREAD) == 1 and SAME_FORMULAS not in out
    assert main(["jämför", str(other), str(SAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == [] and data["formulas_compared"] is False and data["values_only"] == ["old"]
    assert main(["jämför", str(SAMPLE), str(other), "--format", "xlsx", "--output", str(tmp_path / "j.xlsx")]) == 0
    out = capsys.readouterr().out
    assert out.count(UNREAD) == 1  # the line that says where the workbook is
    assert sum(UNREAD in c for c in _cells(tmp_path / "j.xlsx")) == 1
