"""Formulas as a Swedish Excel user sees them: =SUMMA(D11:D12), =OM(A1>0;1;2), 1,5.

Workbooks store formulas in English with commas ("SUM(D11:D12)"); Swedish Excel shows
them with Swedish function names, semicolons between arguments and decimal commas. Every
formula a message quotes goes through :func:`formula_sv`, so a message and its suggestion
speak the same language. Pure: text in, text out.
"""

from __future__ import annotations

import re

# English function name (as stored) -> the name Swedish Excel shows; names alike in both are left out
_NAMES = {
    "SUM": "SUMMA", "SUMIF": "SUMMA.OM", "SUMIFS": "SUMMA.OMF", "SUMPRODUCT": "PRODUKTSUMMA",
    "SUBTOTAL": "DELSUMMA", "AGGREGATE": "MÄNGD", "PRODUCT": "PRODUKT", "AVERAGE": "MEDEL",
    "COUNT": "ANTAL", "COUNTA": "ANTALV", "COUNTIF": "ANTAL.OM", "COUNTIFS": "ANTAL.OMF",
    "IF": "OM", "IFERROR": "OMFEL", "AND": "OCH", "OR": "ELLER", "NOT": "ICKE",
    "ROUND": "AVRUNDA", "ROUNDUP": "AVRUNDA.UPPÅT", "ROUNDDOWN": "AVRUNDA.NEDÅT", "INT": "HELTAL",
    "TRUNC": "AVKORTA", "MOD": "REST", "VLOOKUP": "LETARAD", "HLOOKUP": "LETAKOLUMN",
    "XLOOKUP": "XLETAUPP", "MATCH": "PASSA", "INDIRECT": "INDIREKT", "OFFSET": "FÖRSKJUTNING",
    "ISBLANK": "ÄRTOM", "ISERROR": "ÄRFEL", "ISNUMBER": "ÄRTAL", "VALUE": "TEXTNUM",
    "CONCATENATE": "SAMMANFOGA", "LEFT": "VÄNSTER", "RIGHT": "HÖGER", "MID": "EXTEXT",
    "LEN": "LÄNGD", "TODAY": "IDAG", "YEAR": "ÅR", "MONTH": "MÅNAD", "DATE": "DATUM",
    "EOMONTH": "SLUTMÅNAD", "ROW": "RAD", "COLUMN": "KOLUMN",
}  # fmt: skip
_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"]|"")*")"""  # a text constant: as it is
    r"""|(?P<sheet>'(?:[^']|'')*')"""  # a quoted sheet name: as it is
    r"""|(?P<func>(?:_xlfn\.|_xlws\.)?[A-Za-z][A-Za-z0-9.]*)(?=\()"""  # a function call
    r"""|(?P<name>[A-Za-z_$][A-Za-z0-9_.$]*)"""  # a reference or a name: as it is
    r"""|(?P<number>\d+\.\d+(?:[Ee][+-]?\d+)?)"""  # a decimal number
    r"""|(?P<comma>,)"""
)


def _swap(m: re.Match[str]) -> str:
    if (func := m.group("func")) is not None:
        bare = re.sub(r"^_xl(?:fn|ws)\.", "", func, flags=re.IGNORECASE)
        return _NAMES.get(bare.upper(), bare)
    if m.group("number") is not None:
        return m.group("number").replace(".", ",")
    if m.group("comma") is not None:
        return ";"
    return m.group(0)


def formula_sv(formula: str) -> str:
    """``formula`` (stored, English, with or without its "=") written as Swedish Excel shows it."""
    return _TOKEN.sub(_swap, formula)
