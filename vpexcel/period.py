"""Periods (year and month): as ledger exports write them, and as a user types one on the command line."""

from __future__ import annotations

import re

from vpexcel.errors import InputError

_PERIOD = re.compile(r"^\s*(\d{4})[-/]?(\d{1,2})(?:[-/]?\d{1,2})?(?:[ T].*)?\s*$")
_PERIOD_DMY = re.compile(r"^\s*\d{1,2}[./]([01]?\d)[./](\d{4})\s*$")


def parse_period(text: str) -> tuple[int, int] | None:
    """(year, month) from "2024-04", "202404", "2024-04-15", "2024/04", "15.04.2024"; None if unreadable."""
    m = _PERIOD.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if len(m.group(2)) == 1 and not re.match(r"^\s*\d{4}[-/]", text):
            return None  # "20244" is no period
    else:
        d = _PERIOD_DMY.match(text)
        if not d:
            return None
        year, month = int(d.group(2)), int(d.group(1))
    if 1900 <= year <= 2200 and 1 <= month <= 12:
        return year, month
    return None


def period_option(text: str | None) -> tuple[int, int] | None:
    """A period a user typed (--period 2024-04, or in an Excel dialog); InputError in Swedish if unreadable."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})-?(\d{1,2})\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(f"Perioden {text!r} går inte att läsa. Skriv år och månad, till exempel 2024-04.")
    return int(m.group(1)), int(m.group(2))


# the months as users read them, in one place for every report and message
MONTHS_SV = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
