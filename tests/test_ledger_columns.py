"""Issue 12 point 2: an export with the system's own column names, mapped in the settings' Kolumner table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.errors import InputError
from vpexcel.io.ledger_reader import read_ledger
from vpexcel.io.settings_io import load_settings_file, write_settings_workbook
from vpexcel.samples import write_book
from vpexcel.settings import default_settings

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
MAPPING = {"Period": "År/Mån", "Konto": "Kto", "Belopp": "Belopp i SEK"}


def export(tmp_path: Path) -> Path:
    p = tmp_path / "visma.csv"
    p.write_text(
        "År/Mån;Ansv;Kto;Mp;Belopp i SEK;Vertext\n"
        "202401;1001;4010;;1 000,00;Kaffe\n"
        "202402;1001;4010;;22000-;Kreditering\n"
        "202402;1201;3110;2;-500,00 kr;Intern försäljning\n",
        encoding="utf-8",
    )
    return p


def settings_json(tmp_path: Path) -> Path:
    data = default_settings().model_dump()
    data["ledger"]["columns"] = MAPPING
    p = tmp_path / "installningar.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_unusual_names_are_refused_naming_the_columns_and_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_ledger(export(tmp_path))
    text = str(err.value)
    assert "'År/Mån'" in text and "'Kto'" in text and "'Belopp i SEK'" in text
    assert "Kolumner" in text and "Inställningar" in text


def test_the_kolumner_mapping_reads_the_export(tmp_path: Path) -> None:
    ledger = read_ledger(export(tmp_path), columns=load_settings_file(settings_json(tmp_path)).ledger.columns)
    assert ledger.problems == []
    t = ledger.totals.sort("month", "ansvar")
    assert t.get_column("amount").to_list() == [1000.0, -22000.0, -500.0]
    assert t.get_column("motpart").to_list() == [None, None, "2"]  # "Mp" is a name the systems use
    assert ledger.frame is not None and "Intern försäljning" in ledger.frame.get_column("text").to_list()


def test_the_mapping_from_the_installningar_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = default_settings()
    s.ledger.columns = {"period": "År/Mån", "konto": "Kto", "amount": "Belopp i SEK"}
    book = write_settings_workbook(tmp_path / "inst.xlsx", s)
    assert load_settings_file(book).ledger.columns == s.ledger.columns
    rc = main(["reconcile", str(BUDGET), str(export(tmp_path)), "--settings", str(book), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc in (0, 1) and data["period"] == "2024-02"
    pol = next(a for a in data["areas"] if a["area"] == "Politisk organisation")
    assert pol["actual_to_date"]["cost"] == pytest.approx(-(1000 - 22000) / 1e6)


def test_a_mapping_that_names_no_column_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Belopp i kronor"):
        read_ledger(export(tmp_path), columns={"period": "År/Mån", "konto": "Kto", "amount": "Belopp i kronor"})


def test_the_mapping_works_for_an_xlsx_export(tmp_path: Path) -> None:
    rows = [
        ["År/Mån", "Ansvar", "Kto", "Belopp i SEK"],
        ["2024-01", "1001", "4010", "1 000,00 kr"],
        ["2024-01", "1001", "4010", 5.5],
    ]
    p = write_book(tmp_path / "h.xlsx", {"Huvudbok": rows}, merge_years=False)
    ledger = read_ledger(p, columns={"period": "År/Mån", "konto": "Kto", "amount": "Belopp i SEK"})
    assert float(ledger.totals.get_column("amount").sum()) == pytest.approx(1005.5)


def test_an_unknown_field_in_kolumner_is_refused_with_its_cell(tmp_path: Path) -> None:
    from vpexcel.grid import SheetGrid

    sheet = SheetGrid("Inställningar", [["Kolumner"], ["Fält", "Kolumnens namn"], ["Beloppet", "Belopp i SEK"]])
    from vpexcel.settings import settings_from_sheet

    with pytest.raises(InputError, match=r"Inställningar!A3"):
        settings_from_sheet(sheet)
