from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vpexcel.grid import ErrorValue
from vpexcel.numbers import AmountKind, classify, format_sv, parse_swedish_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9,7", 9.7),
        ("\u2212158,0", -158.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234", 1234.0),
        ("12,3 ", 12.3),
        ("(12,3)", -12.3),
        ("-0,5", -0.5),
        ("1.234.567,8", 1234567.8),
        ("42", 42.0),
        ("3.5", 3.5),
        ("\u2013 7", -7.0),
    ],
)
def test_swedish_numbers_are_read(text: str, expected: float) -> None:
    assert parse_swedish_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["n/a", "?", "", "12,3,4", "1 2a", "nan", "inf", "--5", "kr"])
def test_non_numbers_are_not_read(text: str) -> None:
    assert parse_swedish_number(text) is None


def test_classify_tells_every_kind_apart() -> None:
    assert classify(12.5).kind is AmountKind.NUMBER
    assert classify("12,5").kind is AmountKind.TEXT_NUMBER
    assert classify(None).kind is AmountKind.EMPTY
    assert classify("   ").kind is AmountKind.EMPTY
    assert classify(ErrorValue("#REF!")).kind is AmountKind.ERROR
    assert classify("#REF!").kind is AmountKind.BAD  # typed text that looks like an error is text
    assert classify(dt.date(2024, 1, 1)).kind is AmountKind.BAD
    assert classify(True).kind is AmountKind.BAD


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_what_we_format_the_swedish_way_reads_back(value: object) -> None:
    number = float(value)  # type: ignore[arg-type]
    text = format_sv(number, 2)
    assert parse_swedish_number(text) == pytest.approx(round(number, 2), abs=0.005)


@pytest.mark.parametrize(
    ("text", "units", "expected"),
    [
        ("22000-", (), -22000.0),
        ("22 000,50-", (), -22000.5),
        ("-9 000 kr", ("kr",), -9000.0),
        ("9\u00a0000 kr", ("kr",), 9000.0),
        ("12,5 tkr", ("tkr",), 12.5),
        ("1,5 MKR", ("mkr",), 1.5),
        ("300-kr", ("kr",), -300.0),
    ],
)
def test_trailing_minus_and_the_tables_unit_are_read(text: str, units: tuple[str, ...], expected: float) -> None:
    assert parse_swedish_number(text, units) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "units"),
    [("-9 000 kr", ()), ("5 tkr", ("kr",)), ("--5", ()), ("-5-", ()), ("-", ()), ("kr", ("kr",)), ("1e309", ()), ("9" * 400, ())],
)
def test_wrong_units_double_signs_and_non_finite_are_not_numbers(text: str, units: tuple[str, ...]) -> None:
    assert parse_swedish_number(text, units) is None
