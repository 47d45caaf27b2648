"""The Inställningar sheet as users edit it: a row typed into the blank line before the next table."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from vpexcel.io.settings_io import load_settings_file, write_settings_workbook


def _row_of(ws: object, text: str) -> int:
    return next(c.row for c in ws["A"] if c.value == text)  # type: ignore[attr-defined]


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "installningar.xlsx"
    write_settings_workbook(path)
    return path


def test_rows_typed_into_the_blank_line_before_the_next_table_are_read(sheet: Path) -> None:
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Inställningar"]
    ws.cell(_row_of(ws, "Ramar") - 1, 1).value = "Kulturskola"  # a new area where the blank line was
    ws.cell(_row_of(ws, "Budgetbrygga") - 1, 1).value = 2025  # a new frame, likewise
    ws.cell(_row_of(ws, "Budgetbrygga") - 1, 2).value = -260.0
    wb.save(sheet)
    settings = load_settings_file(sheet)
    assert settings.find_area("Kulturskola") is not None
    assert settings.frame(2025) is not None and settings.frame(2025).amount == -260.0  # type: ignore[union-attr]
    assert settings.frame(2024) is not None  # the next table still starts where its title stands


def test_a_blank_line_inside_a_table_does_not_hide_the_rows_after_it(sheet: Path) -> None:
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Inställningar"]
    last = _row_of(ws, "Ramar") - 2  # the areas' last row
    ws.insert_rows(last + 1, 2)  # a blank line, then a new area, then the original blank line
    ws.cell(last + 2, 1).value = "Kulturskola"
    wb.save(sheet)
    assert load_settings_file(sheet).find_area("Kulturskola") is not None


def test_the_kolumner_tables_ansvar_line_is_no_table_title(sheet: Path) -> None:
    """'Ansvar' is a table's title and also a line of the Kolumner table (with its column name empty)."""
    settings = load_settings_file(sheet)
    assert len(settings.ledger.ansvar) > 5  # the Ansvar table is read
    assert settings.ledger.columns == {}
