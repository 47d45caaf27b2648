"""The ledger (huvudbok) as the core sees it: one normalized frame plus the lines it could not read.

Reading files is an edge (``vpexcel.io.ledger_reader``); this module holds the
shape both readers produce and the vectorized parsing of text columns, which is
pure (polars expressions over strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from pydantic import BaseModel

from vpexcel.settings import normalize

# normalized column -> the names financial systems use for it (normalized)
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "period": (
        "period",
        "period",
        "bokf.datum",
        "bokf. datum",
        "bokf datum",
        "bokföringsdatum",
        "datum",
        "månad",
        "år-mån",
        "ar-man",
        "bokföringsperiod",
    ),
    "ansvar": ("ansvar", "ansv", "ansvarskod", "ansvarsområde kod"),
    "verksamhet": ("verksamhet", "verks", "vht", "verksamhetskod"),
    "konto": ("konto", "slag", "kontonr", "kostnadsslag", "konto kod"),
    "aktivitet": ("aktivitet", "akt"),
    "projekt": ("projekt", "proj"),
    "objekt": ("objekt", "obj"),
    "motpart": ("motpart", "motp", "mp", "motpartskod"),
    "amount": ("belopp", "utfall", "belopp sek", "belopp kr", "belopp (kr)", "summa", "redovisat"),
    "budget": ("budget", "budgetbelopp", "budget kr"),
    "kind": ("typ", "belopptyp", "beloppstyp"),
    "text": ("text", "beskrivning", "verifikationstext", "vertext"),
}
REQUIRED = ("period", "ansvar", "konto", "amount")


def unmatched(headers: list[str], columns: dict[str, str]) -> list[tuple[str, str]]:
    """The Kolumner entries (field, name) that name no column of this export."""
    keys = {normalize(h or "") for h in headers}
    return [(field, name) for field, name in columns.items() if normalize(name) not in keys]


COLUMN_SV = {
    "period": "Period/Bokf.datum",
    "ansvar": "Ansvar",
    "konto": "Konto/Slag",
    "amount": "Belopp/Utfall",
    "verksamhet": "Verksamhet",
    "motpart": "Motpart",
    "budget": "Budget",
}
TEXT_COLUMNS = ("ansvar", "verksamhet", "konto", "aktivitet", "projekt", "objekt", "motpart", "text")


def match_columns(headers: list[str], columns: dict[str, str] | None = None) -> dict[str, int]:
    """Normalized column -> position in the header: first the settings' Kolumner (field -> the export's
    name for it), then the names the systems use."""
    found: dict[str, int] = {}
    keys = [normalize(h or "") for h in headers]
    for column, name in (columns or {}).items():
        if normalize(name) in keys:
            found[column] = keys.index(normalize(name))
    for column, names in COLUMN_NAMES.items():
        if column in found:
            continue
        for i, key in enumerate(keys):
            if key in names and i not in found.values():
                found[column] = i
                break
    return found


class LineProblem(BaseModel):
    """A ledger line that could not be read (VP505)."""

    line: int
    column: str
    value: str | None
    message: str


@dataclass
class LedgerData:
    """A ledger export as the reconciliation needs it.

    ``totals``: the readable lines summed per year, month, ansvar, konto and motpart
    (columns amount, budget, rows = lines with an actual amount, lines = all lines); small
    whatever the size of the file. ``frame``: the readable lines one by one (line,
    year, month, codes, text, amount, budget), kept only when details were asked
    for. ``problems``: the lines that could not be read (VP505).
    """

    name: str
    totals: pl.DataFrame
    frame: pl.DataFrame | None = None
    problems: list[LineProblem] = field(default_factory=list)
    lines: int = 0
    has_budget: bool = False
    notes: list[str] = field(default_factory=list)  # what the user should be told once (a misnamed workbook)


TOTAL_KEYS = ("period_raw", "ansvar", "konto", "motpart")


def aggregate(lines: pl.LazyFrame, keys: tuple[str, ...] = TOTAL_KEYS) -> pl.LazyFrame:
    """Sum readable lines per key; ``first_line`` keeps a line number to point at.

    Sums are rounded to öre: ledger amounts have two decimals, and a parallel sum's
    order (and so its last binary digit) differs from run to run; rounding makes the
    result the same every time.
    """
    return lines.group_by(*keys).agg(
        pl.col("amount").fill_null(0.0).sum().round(2),
        pl.col("budget").fill_null(0.0).sum().round(2),
        pl.col("amount").is_not_null().sum().cast(pl.Int64).alias("rows"),  # lines with an actual (not budget only)
        pl.len().cast(pl.Int64).alias("lines"),
        pl.col("line").min().alias("first_line"),
    )


def regroup(groups: pl.LazyFrame, keys: tuple[str, ...]) -> pl.LazyFrame:
    """Sum groups already made by :func:`aggregate` into coarser ones: the line counts add up
    (counting the groups instead would report one line where the ledger has seven)."""
    return groups.group_by(*keys).agg(
        pl.col("amount").sum().round(2),
        pl.col("budget").sum().round(2),
        pl.col("rows").sum().cast(pl.Int64),
        pl.col("lines").sum().cast(pl.Int64),
        pl.col("first_line").min(),
    )


# No ledger line of a municipality comes near 10,000 billion kronor; a larger amount (1e308,
# "inf") is a broken export. Bounding each line also keeps every sum finite.
MAX_LINE_AMOUNT = 1e13


def bounded(value: pl.Expr) -> pl.Expr:
    """The amount where it is a finite number no larger than :data:`MAX_LINE_AMOUNT`; null otherwise (NaN too)."""
    return pl.when(value.abs() <= MAX_LINE_AMOUNT).then(value).otherwise(None)


def plain_amount_expr(raw: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """The common case at full speed: "-1234,50" (or "-1234.50"); null for anything else.

    With decimal comma a dot means thousands, so any value with a dot is left to
    :func:`amount_expr`.
    """
    if decimal_comma:
        return bounded(
            pl.when(raw.str.contains(".", literal=True))
            .then(None)
            .otherwise(raw.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False))
        )
    return bounded(raw.cast(pl.Float64, strict=False))


def amount_expr(raw: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """Text amounts the way ledger exports write them -> Float64 (null where no number).

    Spaces and no-break spaces between thousands, U+2212 minus, "(12,3)" negatives,
    a trailing minus ("22000-") and the unit kr after the amount ("-9 000 kr"), as
    :func:`vpexcel.numbers.parse_swedish_number` reads them, vectorized.
    """
    s = raw.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f\u2009\u2007]", "").str.replace_all("\u2212", "-", literal=True)
    s = s.str.replace(r"(?i)(\d|\)|-)kr\.?$", "$1")  # the ledger's unit, kronor; "5 tkr" stays unreadable
    negative = s.str.starts_with("(") & s.str.ends_with(")")
    s = s.str.strip_chars("()")
    trailing = s.str.ends_with("-") & ~s.str.contains(r"^[+-]") & (s.str.len_chars() > 1)
    s = pl.when(trailing).then(s.str.strip_chars_end("-")).otherwise(s)
    if decimal_comma:
        grouped = s.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
        s = pl.when(grouped).then(s.str.replace_all(".", "", literal=True)).otherwise(s)
        s = s.str.replace(",", ".", literal=True)
    else:
        s = s.str.replace_all(",", "", literal=True)
    s = pl.when(s.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")).then(s).otherwise(None)  # no "inf", "nan", "1e5"
    value = s.cast(pl.Float64, strict=False)
    return bounded(pl.when(negative | trailing).then(-value).otherwise(value))
