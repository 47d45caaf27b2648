from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from vpexcel.io.openpyxl_text import append, put
from vpexcel.textcells import clean_text, formula_like


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|'/C calc'!A0"])
def test_text_that_excel_would_take_for_a_formula_is_told(text: str) -> None:
    assert formula_like(text)


def test_control_characters_are_removed_and_tab_kept() -> None:
    assert clean_text("a\x00b\x1fc\td\ne") == "abc\td\ne"


def test_openpyxl_rows_keep_hostile_text_as_text() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    append(ws, ["=cmd|'/C calc'!A0", 1.5, "\t=1"])
    append(ws, [])
    append(ws, ["ok\x01", "+1"])
    put(ws.cell(5, 1), "@x")
    buf = io.BytesIO()
    wb.save(buf)
    xml = zipfile.ZipFile(buf).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert back["A1"].value == "=cmd|'/C calc'!A0" and back["A1"].data_type == "s"
    assert back["C1"].value == "\t=1"
    assert back["A3"].value == "ok" and back["B3"].value == "+1"
    assert back["A5"].value == "@x"
