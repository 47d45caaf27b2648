"""Ledger exports as they come: trailing minus and "kr" (issue 12), non-finite and huge amounts,
CR-only line endings and exports without lines (issue 9, items 3 and 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.errors import InputError
from vpexcel.io.ledger_reader import read_ledger

from .conftest import WORKBOOKS

BUDGET = WORKBOOKS / "budget-2024.xlsx"
HEADER = "Period;Ansvar;Konto;Belopp"


def csv(tmp_path: Path, lines: list[str], name: str = "h.csv", newline: str = "\r\n", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(newline.join([HEADER, *lines]).encode(encoding) + newline.encode())
    return p


def total(path: Path) -> float:
    return float(read_ledger(path).totals.get_column("amount").sum())


def test_trailing_minus_and_kr_are_read(tmp_path: Path) -> None:
    p = csv(
        tmp_path,
        [
            "2024-01;1001;4010;22000-",
            "2024-01;1001;4010;-9 000 kr",
            "2024-01;1001;4010;1.234,50-",
            "2024-01;1001;4010;500,25 kr",
            "2024-01;1001;4010;100,00",
        ],
    )
    ledger = read_ledger(p)
    assert ledger.problems == []
    assert total(p) == pytest.approx(-22000 - 9000 - 1234.50 + 500.25 + 100)


def test_another_unit_after_an_amount_is_no_krona_amount(tmp_path: Path) -> None:
    ledger = read_ledger(csv(tmp_path, ["2024-01;1001;4010;5 tkr", "2024-01;1001;4010;10,00"]))
    assert [(p.line, p.column) for p in ledger.problems] == [(2, "Belopp")]


@pytest.mark.parametrize("bad", ["inf", "-inf", "NaN", "nan", "1e309", "1e308"])
def test_non_finite_and_absurd_amounts_are_vp505_not_summed(tmp_path: Path, bad: str) -> None:
    ledger = read_ledger(csv(tmp_path, [f"2024-01;1001;4010;{bad}", "2024-01;1001;4010;10,00"]))
    assert [(p.line, p.column) for p in ledger.problems] == [(2, "Belopp")]
    assert float(ledger.totals.get_column("amount").sum()) == pytest.approx(10.0)


def test_two_lines_whose_sum_overflows_are_vp505_and_json_is_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = csv(tmp_path, ["2024-01;1001;4010;1e308", "2024-01;1001;4010;1e308", "2024-01;1001;3110;inf", "2024-01;1001;4010;10"])
    rc = main(["reconcile", str(BUDGET), str(p), "--period", "2024-01", "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "Infinity" not in out and "NaN" not in out
    data = json.loads(out)
    assert [f["code"] for f in data["findings"]].count("VP505") == 3
    pol = next(a for a in data["areas"] if a["area"] == "Politisk organisation")
    assert pol["actual_to_date"]["cost"] == pytest.approx(-10 / 1e6)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_reads_alike(tmp_path: Path, newline: str) -> None:
    lines = ["2024-01;1001;4010;100,00", "2024-02;1001;4010;200,00", "2024-02;1201;3110;-50,00"]
    ledger = read_ledger(csv(tmp_path, lines, newline=newline))
    assert ledger.problems == []
    assert ledger.totals.height == 3 and total(csv(tmp_path, lines, newline=newline)) == pytest.approx(250.0)


def test_cr_only_in_windows_1252_reads_too(tmp_path: Path) -> None:
    # Excel for Mac's "CSV (Macintosh)" in the old encoding
    p = tmp_path / "mac.csv"
    p.write_bytes("Period;Ansvar;Konto;Belopp;Text\r2024-01;1001;4010;100,00;Kaffe åt nämnden\r".encode("cp1252"))
    ledger = read_ledger(p)
    assert ledger.frame is not None and ledger.frame.get_column("text").to_list() == ["Kaffe åt nämnden"]


@pytest.mark.parametrize(
    "body", [[], [""], ["2024-01;1001;4010;inf", "mars;1001;4010;10"]], ids=["header", "blank", "unreadable"]
)
def test_a_ledger_without_usable_lines_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: list[str]) -> None:
    p = csv(tmp_path, body)
    with pytest.raises(InputError, match=r"Huvudboken h\.csv"):
        read_ledger(p)
    assert main(["reconcile", str(BUDGET), str(p), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "Huvudboken" in err and "Traceback" not in err


def test_the_streaming_sums_match_the_line_by_line_reading(tmp_path: Path) -> None:
    # without details the lines are summed in one streaming pass; with details every line is kept
    lines = [
        "2024-01;1001;4010;100,00",
        "2024-01;1001;4010;100,00",
        "2024-01; 1001 ;4010 ;1 234,50",  # needs the full reading; blanks around the codes
        "2024-02;1001;4010;22000-",
        "2024-02;1001;4010;12,5,0",  # no number
        "mars;1001;4010;10,00",  # no period
        "2024-03;1201;3110;-50,00",
        "2024-03;1201",  # a short line
    ]
    p = csv(tmp_path, lines)
    full, streamed = read_ledger(p, details=True), read_ledger(p, details=False)
    assert streamed.frame is None and full.frame is not None
    order = ["year", "month", "ansvar", "konto", "motpart"]
    assert streamed.totals.sort(order).equals(full.totals.sort(order))
    assert streamed.problems == full.problems and [x.line for x in full.problems] == [6, 7, 9]
    assert streamed.lines == full.lines == 9
    assert streamed.totals.filter(streamed.totals["month"] == 1).height == 1  # " 1001 " is 1001
