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


def match_columns(headers: list[str]) -> dict[str, int]:
    """Normalized column -> position in the header, by the names the systems use."""
    found: dict[str, int] = {}
    keys = [normalize(h or "") for h in headers]
    for column, names in COLUMN_NAMES.items():
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
    """The readable lines as a frame, and what could not be read.

    Frame columns: line (file line, 1 = header), year, month, ansvar, verksamhet,
    konto, aktivitet, projekt, objekt, motpart, text (str), amount, budget (f64).
    """

    name: str
    frame: pl.DataFrame
    problems: list[LineProblem] = field(default_factory=list)
    lines: int = 0
    has_budget: bool = False


def amount_expr(raw: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """Text amounts the way ledger exports write them -> Float64 (null where no number)."""
    s = raw.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f]", "").str.replace_all("\u2212", "-", literal=True)
    negative = s.str.starts_with("(") & s.str.ends_with(")")
    s = s.str.strip_chars("()")
    if decimal_comma:
        grouped = s.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
        s = pl.when(grouped).then(s.str.replace_all(".", "", literal=True)).otherwise(s)
        s = s.str.replace(",", ".", literal=True)
    else:
        s = s.str.replace_all(",", "", literal=True)
    value = s.cast(pl.Float64, strict=False)
    return pl.when(negative).then(-value).otherwise(value)


def period_exprs(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Year and month from "2024-04", "202404", "2024-04-15", "2024/04"; null where unreadable."""
    s = raw.str.strip_chars()
    year = s.str.extract(r"^(\d{4})[-/]?\d{2}", 1).cast(pl.Int32, strict=False)
    month = s.str.extract(r"^\d{4}[-/]?(\d{2})", 1).cast(pl.Int32, strict=False)
    month = pl.when((month >= 1) & (month <= 12)).then(month).otherwise(None)
    return year, month
