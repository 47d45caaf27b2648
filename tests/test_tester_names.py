"""Faults the independent tester found in names, numbers, settings and message texts (issue round 2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vpexcel.findings import Report
from vpexcel.numbers import parse_swedish_number

from .conftest import codes, find
from .test_rules import EXACT_2024, board, no_bridge, renamed


# --- 12: a soft hyphen or a line break inside an area name -----------------------------------
def test_a_soft_hyphen_or_a_hyphen_at_a_line_break_does_not_hide_the_area(check: Callable[..., Report]) -> None:
    data = {
        {"Vuxenutbildning": "Vuxen\u00adutbildning", "Samhällsplanering": "Samhälls-\nplanering"}.get(k, k): v
        for k, v in EXACT_2024.items()
    }
    report = check(board({2024: data}), no_bridge())
    assert report.findings == []  # no VP101 "saknar", no VP102 "inget känt produktionsområde"


def test_blanks_and_hyphens_inside_a_name_do_not_count(check: Callable[..., Report]) -> None:
    for written in ("Stöd-och-utveckling", "Samhälls planering", "Vuxen-utbildning", "Kommun\u200bdirektör"):
        real = written.replace("-", " ").replace("\u200b", "").replace(" ", "")
        original = next(k for k in EXACT_2024 if k.replace(" ", "") == real)
        report = check(renamed(original, written), no_bridge())
        assert codes(report) == [], written


def test_an_unknown_name_is_still_unknown(check: Callable[..., Report]) -> None:
    report = check(renamed("Samhällsplanering", "Samhälls-bygge"), no_bridge())
    assert [f.cell for f in find(report, "VP102")] == ["A10"]


# --- 19: whole kronor written "1 500,-" and "12 345:-" ----------------------------------------
def test_whole_kronor_marks_are_no_minus() -> None:
    assert parse_swedish_number("1 500,-") == 1500.0
    assert parse_swedish_number("12 345:-") == 12345.0
    assert parse_swedish_number("1 500,\u2013") == 1500.0
    assert parse_swedish_number("-1 500,-") == -1500.0
    assert parse_swedish_number("22000-") == -22000.0  # the ledger's trailing minus is still a minus


def test_a_revenue_typed_as_whole_kronor_is_repaired_as_a_plus_amount(check: Callable[..., Report]) -> None:
    data = dict(EXACT_2024)
    data["Vuxenutbildning"] = ("22,-", -45.3, -23.3)
    data["Stöd och utveckling"] = ("1:-", -12.6, -11.6)
    report = check(board({2024: data}), no_bridge())
    assert {f.cell: f.expected for f in find(report, "VP201")} == {"B8": 22.0, "B9": 1.0}
    assert [f for f in report.findings if f.code in ("VP202", "VP204")] == []
    assert [f.cell for f in find(report, "VP301") if f.cell in ("D8", "D9")] == []  # the figures add up


# --- 16: the text report says what to do, and quotes formulas as Swedish Excel shows them -----
def test_formulas_are_quoted_as_swedish_excel_shows_them() -> None:
    from vpexcel.formula_sv import formula_sv

    assert formula_sv("SUM(D11:D11)") == "SUMMA(D11:D11)"
    assert formula_sv('=IF(A1>0.5,ROUND(B1,1),"a,b")') == '=OM(A1>0,5;AVRUNDA(B1;1);"a,b")'
    assert formula_sv("'Drift 2.5, KS'!B9+B13") == "'Drift 2.5, KS'!B9+B13"  # a sheet name stays as it is


def test_the_text_report_gives_the_suggestion_and_swedish_formulas(
    make_book: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    from vpexcel.cli import main

    sheets = board(sum_rows={1: "B5:B12"})  # Totalt brutto intäkt leaves out the last area (row 13)
    rc = main(["validate", str(make_book(sheets)), "--ingen-historik"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "Formeln =SUMMA(B5:B12) lämnar ute rad 13" in " ".join(out.split())
    assert "Förslag: Ändra till =SUMMA(B5:B13)." in out
    assert "=SUM(" not in out
