"""Numbers the Swedish way: "1 234,5", "−12,3" (U+2212), "(12,3)", no-break spaces.

Economists type amounts as text more often than they know. This module tells a
real number from a number stored as text (repairable) and from something that is
no number at all.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from enum import Enum

from vpexcel.grid import CellValue, ErrorValue

# kronor in one unit of each table unit (mkr, tkr, kr)
UNIT_FACTOR: dict[str, float] = {"kr": 1.0, "tkr": 1_000.0, "mkr": 1_000_000.0}


class AmountKind(Enum):
    NUMBER = "number"  # a real number in the cell
    TEXT_NUMBER = "text_number"  # text that reads as a number (VP201)
    EMPTY = "empty"  # nothing in the cell (VP203 where needed)
    ERROR = "error"  # an Excel error value (VP205)
    BAD = "bad"  # something that is no number (VP202)


@dataclass(frozen=True, slots=True)
class Amount:
    kind: AmountKind
    number: float | None = None


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007\t")
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SV_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")


UNIT_SUFFIXES = ("kr", "tkr", "mkr")
_UNIT_SUFFIX = re.compile(r"(?<=[\d)\-])(tkr|mkr|kr)\.?$", re.IGNORECASE)


def unit_suffix(text: str) -> str | None:
    """The unit typed after a number ("-9 000 kr" gives "kr"), lower case; None when there is none."""
    m = _UNIT_SUFFIX.search(text.strip().translate(_SPACES))
    return m.group(1).lower() if m else None


def parse_swedish_number(text: str, units: tuple[str, ...] = ()) -> float | None:
    """Read text typed the Swedish way; None when it is not a number.

    Accepts decimal comma or point, spaces, no-break spaces and dots between
    groups of thousands, U+2212 and dashes as minus, "(12,3)" as negative, a
    trailing minus as ledgers write it ("22000-"), the whole-kronor marks ",-" and ":-"
    ("1 500,-", "12 345:-": a plus amount), and blanks around it. A unit
    after the number ("-9 000 kr") is accepted only when it is one of ``units``
    (the table's own unit): "5 tkr" in a table in kr is no number to repair.
    Non-finite values ("inf", 1e309 digits) are never numbers.
    """
    s = text.strip().translate(_SPACES).translate(_MINUSES)
    if not s:
        return None
    if units:
        m = _UNIT_SUFFIX.search(s)
        if m:
            if m.group(1).lower() not in units:
                return None
            s = s[: m.start()]
    if len(s) > 2 and s[-1] == "-" and s[-2] in ",:." and s[-3].isdigit():
        s = s[:-2]  # "1 500,-" and "12 345:-": whole kronor, not a minus
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative = True
        s = s[1:-1]
    elif len(s) > 1 and s.endswith("-") and s[0] not in "+-":
        negative = True
        s = s[:-1]
    if _SV_GROUPED.match(s):
        s = s.replace(".", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not _PLAIN.match(s):
        return None
    value = float(s)
    if math.isnan(value) or math.isinf(value):
        return None
    return -value if negative else value


def classify(value: CellValue) -> Amount:
    """Tell what an amount cell holds."""
    if value is None or value == "":
        return Amount(AmountKind.EMPTY)
    if isinstance(value, ErrorValue):
        return Amount(AmountKind.ERROR)
    if isinstance(value, bool):
        return Amount(AmountKind.BAD)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return Amount(AmountKind.BAD)
        return Amount(AmountKind.NUMBER, float(value))
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta)):
        return Amount(AmountKind.BAD)
    if isinstance(value, str):
        if not value.strip():
            return Amount(AmountKind.EMPTY)
        parsed = parse_swedish_number(value)
        if parsed is None:
            return Amount(AmountKind.BAD)
        return Amount(AmountKind.TEXT_NUMBER, parsed)
    return Amount(AmountKind.BAD)


def format_sv(value: float | None, decimals: int = 1) -> str:
    """Format a figure for a Swedish reader: "−1 234,5"."""
    if value is None:
        return ""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return ("\u2212" if value < 0 and round(abs(value), decimals) != 0 else "") + text


def format_amount_sv(value: float, unit: str, decimals: int = 2) -> str:
    """An amount with its unit; one too small to show in ``unit`` is shown in kronor ("4 000 kr", not "0,00 mkr")."""
    factor = UNIT_FACTOR.get(unit, 1.0)
    if value != 0 and factor > 1 and round(abs(value), decimals) == 0:
        return f"{format_sv(value * factor, 0)} kr"
    return f"{format_sv(value, decimals)} {unit}"


# an ISO 8601 duration as .ods files store a time ("PT12H24M00S"); calamine hands on as text those it
# cannot turn into a time of day (no seconds, 24 hours or more, days, a minus)
# (at most 9 digits a part: a longer one is no time a sheet holds, and would overflow the arithmetic)
_ISO_DURATION = re.compile(r"^(-)?P(?:(\d{1,9})D)?T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{0,9})?)S)?$")
_ISO_DURATION_IN_TEXT = re.compile(r"(?<![\w-])-?P(?:\d{1,9}D)?T(?:\d{1,9}H)?(?:\d{1,9}M)?(?:\d{1,9}(?:\.\d{0,9})?S)?(?!\w)")


def _clock(seconds: float) -> str:
    """Seconds as hours:minutes, with :seconds only when there are any ("12:24", "36:00", "0:00:05")."""
    sign = "-" if seconds < 0 else ""
    whole = round(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def format_time_sv(value: object) -> str | None:
    """A time of day or a duration the Swedish way ("12:24", "36:05"), or None for any other value.

    Reads what the readers give for time cells: ``datetime.time`` and ``datetime.timedelta``
    (.xlsx, .xls), and an .ods time calamine leaves as ISO 8601 text ("PT12H24M").
    """
    if isinstance(value, _dt.time):
        return f"{value.hour}:{value.minute:02d}" + (f":{value.second:02d}" if value.second else "")
    if isinstance(value, _dt.timedelta):
        return _clock(value.total_seconds())  # a timedelta is at most 10**9 days: no overflow
    if isinstance(value, str) and value[:2] in ("PT", "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "-P"):
        m = _ISO_DURATION.match(value)
        if m is None or not any(m.group(i) for i in (2, 3, 4, 5)):
            return None
        days, hours, minutes, secs = (float(m.group(i) or 0) for i in (2, 3, 4, 5))
        total = ((days * 24 + hours) * 60 + minutes) * 60 + secs
        return _clock(-total if m.group(1) else total)
    return None


def format_cell_sv(value: object) -> str:
    """Any cell value as a Swedish reader expects to see it: a time "12:24", a date "2024-03-01",
    a date with a time "2024-03-01 12:24", a number "12,5", SANT/FALSKT, text as it is."""
    shown = format_time_sv(value)
    if shown is not None:
        return shown
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()} {format_time_sv(value.time())}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    return "" if value is None else str(value)


def times_sv(text: str) -> str:
    """``text`` with every .ods time written as ISO 8601 ("PT12H24M") shown the Swedish way ("12:24")."""
    if "P" not in text:
        return text

    def shown(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        if after == "!" or (before == "'" and text[m.end() : m.end() + 2] == "'!"):
            return m.group(0)  # a sheet's name in a reference (PT2H30M!B5, 'PT1H'!B5), not a time
        return format_time_sv(m.group(0)) or m.group(0)

    return _ISO_DURATION_IN_TEXT.sub(shown, text)
