"""Read a ledger export (huvudbok): CSV as the financial systems write it, or an .xlsx.

CSV: ``;`` with decimal comma or ``,`` with decimal point, UTF-8 with or without
BOM or Windows-1252; columns found by the names the systems use. polars parses
it (all columns as text, then vectorized conversions), so a million lines take
about a second. A line that cannot be read becomes a :class:`LineProblem`
(VP505) and the rest still reconciles; a file that is no ledger at all is an
:class:`InputError`.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from vpexcel.errors import InputError
from vpexcel.grid import CellValue
from vpexcel.io.xlsx_reader import OLE_MAGIC, ZIP_MAGIC, read_workbook
from vpexcel.ledger import (
    COLUMN_SV,
    REQUIRED,
    TEXT_COLUMNS,
    LedgerData,
    LineProblem,
    amount_expr,
    match_columns,
    period_exprs,
)
from vpexcel.numbers import classify

MAX_LEDGER_BYTES = 2 * 1024 * 1024 * 1024
MAX_PROBLEMS = 500
_BUDGET_KINDS = ("budget", "bu", "b")


def _refuse(path: Path, what: str) -> InputError:
    return InputError(f"Huvudboken {path.name} kan inte läsas: {what}")


def read_ledger(path: str | Path) -> LedgerData:
    path = Path(path)
    if not path.exists():
        raise InputError(f"Huvudboken {path} finns inte. Kontrollera sökvägen och filnamnet.")
    if path.is_dir():
        raise InputError(f"{path} är en mapp. Ange huvudbokens fil (.csv eller .xlsx).")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(path, "filen är tom. Exportera huvudboken på nytt.")
    if size > MAX_LEDGER_BYTES:
        raise _refuse(path, "filen är större än 2 GB. Exportera en kortare period.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(path)
    if head.startswith(OLE_MAGIC):
        raise _refuse(path, "den är i gammalt Excel-format eller lösenordsskyddad. Spara den som .xlsx eller exportera som CSV.")
    return _read_csv(path)


def _decode(path: Path, data: bytes) -> bytes:
    """UTF-8 bytes for polars: a BOM is dropped, Windows-1252 is converted."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(path, "teckenkodningen är varken UTF-8 eller Windows-1252. Exportera filen som UTF-8.") from None


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",", "|")}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    return sep if n else ";"


def _require(path: Path, found: dict[str, int], headers: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        names = ", ".join(COLUMN_SV[c] for c in missing)
        raise _refuse(
            path,
            f"kolumnen {names} hittas inte (kolumnerna heter {', '.join(repr(h) for h in headers[:12])}). "
            "Ge kolumnerna de namn ekonomisystemet använder, till exempel Period, Ansvar, Konto och Belopp.",
        )


def _read_csv(path: Path) -> LedgerData:
    data = _decode(path, path.read_bytes())
    first = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8", "replace")
    sep = _separator(first)
    try:
        raw = pl.read_csv(
            io.BytesIO(data),
            separator=sep,
            infer_schema=False,
            truncate_ragged_lines=True,
            has_header=True,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise _refuse(
            path, f"den går inte att tolka som CSV ({str(exc).splitlines()[0][:120]}). Exportera den på nytt."
        ) from None
    headers = raw.columns
    found = match_columns(headers)
    _require(path, found, headers)
    amounts = raw.get_column(headers[found["amount"]]).drop_nulls().head(2000)
    decimal_comma = sep != "," and bool(amounts.str.contains(",", literal=True).any())
    cols = {name: pl.col(headers[i]) for name, i in found.items()}
    year, month = period_exprs(cols["period"])
    exprs = [
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("line"),
        year.alias("year"),
        month.alias("month"),
        cols["period"].alias("period_raw"),
        amount_expr(cols["amount"], decimal_comma).alias("amount"),
        cols["amount"].alias("amount_raw"),
    ]
    for name in TEXT_COLUMNS:
        exprs.append(cols[name].str.strip_chars().alias(name) if name in cols else pl.lit(None, pl.Utf8).alias(name))
    if "budget" in cols:
        exprs.append(amount_expr(cols["budget"], decimal_comma).alias("budget"))
    elif "kind" in cols:
        is_budget = cols["kind"].str.strip_chars().str.to_lowercase().is_in(list(_BUDGET_KINDS))
        exprs.append(pl.when(is_budget).then(pl.lit(True)).otherwise(pl.lit(False)).alias("is_budget"))
    frame = raw.select(exprs)
    return _split(path.name, frame, "budget" in cols or "kind" in cols)


def _split(name: str, frame: pl.DataFrame, has_budget: bool) -> LedgerData:
    """Readable lines, and a LineProblem for each line that is not."""
    if "is_budget" in frame.columns:  # one amount column, a type column says budget or actual
        frame = frame.with_columns(
            pl.when(pl.col("is_budget")).then(pl.col("amount")).otherwise(None).alias("budget"),
            pl.when(pl.col("is_budget")).then(None).otherwise(pl.col("amount")).alias("amount"),
        ).drop("is_budget")
    elif "budget" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("budget"))
    amount_ok = pl.col("amount").is_not_null() | (pl.col("budget").is_not_null() & pl.col("amount_raw").is_null())
    ok = amount_ok & pl.col("month").is_not_null() & pl.col("ansvar").is_not_null() & pl.col("konto").is_not_null()
    good = frame.filter(ok).drop("period_raw", "amount_raw")
    bad = frame.filter(~ok).head(MAX_PROBLEMS)
    problems: list[LineProblem] = []
    for row in bad.iter_rows(named=True):
        problems.append(_problem(row))
    n_bad = frame.height - good.height
    if n_bad > len(problems):
        problems.append(
            LineProblem(line=0, column="", value=None, message=f"ytterligare {n_bad - len(problems)} rader kunde inte läsas")
        )
    return LedgerData(name, good.with_columns(pl.col("amount").fill_null(0.0)), problems, frame.height + 1, has_budget)


def _problem(row: dict[str, object]) -> LineProblem:
    line = int(row["line"])  # type: ignore[call-overload]
    if row["amount_raw"] is None and row.get("budget") is None:
        missing = _missing(row)
        what = (
            "kolumnen " + " och ".join(missing)
            if len(missing) < 2
            else "kolumnerna " + ", ".join(missing[:-1]) + " och " + missing[-1]
        )
        return LineProblem(line=line, column=missing[0], value=None, message=f"{what} saknas på raden")
    if row["amount"] is None and row.get("budget") is None:
        return LineProblem(
            line=line, column="Belopp", value=str(row["amount_raw"]), message=f"beloppet {row['amount_raw']!r} är inget tal"
        )
    if row["month"] is None:
        value = row["period_raw"]
        what = "kolumnen Period saknas på raden" if value is None else f"perioden {value!r} är inget datum (skriv 2024-04)"
        return LineProblem(line=line, column="Period", value=None if value is None else str(value), message=what)
    column = "Ansvar" if row["ansvar"] is None else "Konto"
    return LineProblem(line=line, column=column, value=None, message=f"kolumnen {column} saknas på raden")


def _missing(row: dict[str, object]) -> list[str]:
    """The required columns a short line lacks, in the file's usual order."""
    return [sv for key, sv in (("ansvar", "Ansvar"), ("konto", "Konto"), ("amount_raw", "Belopp")) if row.get(key) is None]


# --- xlsx ----------------------------------------------------------------------
def _period_text(v: CellValue) -> str | None:
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str):
        return v
    return None


def _code_text(v: CellValue) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_xlsx(path: Path) -> LedgerData:
    book = read_workbook(path)
    for sheet in book.sheets:
        for r in range(min(20, sheet.height)):
            headers = [str(v) if v not in (None, "") else "" for v in sheet.rows[r]]
            found = match_columns(headers)
            if all(c in found for c in REQUIRED):
                return _xlsx_frame(path, sheet.rows, r, found, headers)
    first = book.sheets[0]
    headers = [str(v) for v in (first.rows[0] if first.rows else []) if v not in (None, "")]
    _require(path, match_columns(headers), headers)
    raise _refuse(path, "ingen rubrikrad med Period, Ansvar, Konto och Belopp hittades.")


def _xlsx_frame(path: Path, rows: list[list[CellValue]], header: int, found: dict[str, int], headers: list[str]) -> LedgerData:
    def cell(line: list[CellValue], name: str) -> CellValue:
        i = found.get(name)
        return line[i] if i is not None and i < len(line) else None

    data: dict[str, list[object]] = {k: [] for k in ("line", "period_raw", "amount_raw", "amount", "budget", *TEXT_COLUMNS)}
    for r in range(header + 1, len(rows)):
        line = rows[r]
        if all(v in (None, "") for v in line):
            continue
        data["line"].append(r + 1)
        data["period_raw"].append(_period_text(cell(line, "period")))
        raw_amount = cell(line, "amount")
        data["amount_raw"].append(None if raw_amount in (None, "") else str(raw_amount))
        data["amount"].append(classify(raw_amount).number)
        data["budget"].append(classify(cell(line, "budget")).number if "budget" in found else None)
        for name in TEXT_COLUMNS:
            data[name].append(_code_text(cell(line, name)))
    frame = pl.DataFrame(
        data,
        schema={
            "line": pl.Int64,
            "period_raw": pl.Utf8,
            "amount_raw": pl.Utf8,
            "amount": pl.Float64,
            "budget": pl.Float64,
            **{n: pl.Utf8 for n in TEXT_COLUMNS},
        },
    )
    year, month = period_exprs(pl.col("period_raw"))
    frame = frame.with_columns(year.alias("year"), month.alias("month"))
    return _split(path.name, frame, "budget" in found)
