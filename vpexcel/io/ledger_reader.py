"""Read a ledger export (huvudbok): CSV as the financial systems write it, or a workbook
(.xlsx, .xlsm, .xlsb, .xls or .ods, read as values through the budget reader and its checks).

CSV: ``;`` with decimal comma or ``,`` with decimal point, UTF-8 with or without
BOM or Windows-1252; columns found by the names the systems use. polars parses
it (all columns as text, then vectorized conversions), so a million lines take
about a second. A line that cannot be read becomes a :class:`LineProblem`
(VP505) and the rest still reconciles; a file that is no ledger at all is an
:class:`InputError`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from vpexcel.errors import InputError, log_detail
from vpexcel.grid import FIGURE_NOTES, CellValue
from vpexcel.io.xlsx_reader import OLE_MAGIC, ZIP_MAGIC, markup_kind, read_workbook
from vpexcel.ledger import (
    MAX_LINE_AMOUNT,
    REQUIRED,
    TEXT_COLUMNS,
    TOTAL_KEYS,
    LedgerData,
    LineProblem,
    aggregate,
    amount_expr,
    match_columns,
    plain_amount_expr,
    regroup,
    unmatched,
)
from vpexcel.numbers import classify, format_sv, parse_swedish_number
from vpexcel.period import parse_period
from vpexcel.settings import COLUMN_FIELDS_SV
from vpexcel.textcells import clean_text

MAX_LEDGER_BYTES = 2 * 1024 * 1024 * 1024
MAX_PROBLEMS = 500
LINE_COLUMN = "__vpexcel_line__"
_BUDGET_KINDS = ("budget", "bu", "b")


def _refuse(path: Path, what: str) -> InputError:
    return InputError(f"Huvudboken {path.name} kan inte läsas: {what}")


def read_ledger(path: str | Path, *, details: bool = True, columns: dict[str, str] | None = None) -> LedgerData:
    """Read a ledger export. Without ``details`` the descriptive columns (Verksamhet, Aktivitet,
    Projekt, Objekt) are left unread and Text is read only for the lines without ansvar and konto (it
    tells a summary line, in every output format): the figures need only the codes. ``columns``: the settings' Kolumner (field -> the
    export's name for it), used before the names the systems use."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"Huvudboken {path} finns inte. Kontrollera sökvägen och filnamnet.")
    if path.is_dir():
        raise InputError(f"{path} är en mapp. Ange huvudbokens fil (.csv, .xlsx, .xls eller .ods).")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(path, "filen är tom. Exportera huvudboken på nytt.")
    if size > MAX_LEDGER_BYTES:
        raise _refuse(path, "filen är större än 2 GB. Exportera en kortare period.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):  # a workbook: .xlsx/.xlsm/.xlsb/.ods (zip) or .xls (OLE2), vetted by the reader
        return _read_xlsx(path, columns or {})
    markup = markup_kind(path)
    if markup is not None:  # an "Excel export" that is a web page or an XML spreadsheet: never read as CSV
        raise _refuse(path, markup)
    return _read_csv(path, details, columns or {})


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


def _require(path: Path, found: dict[str, int], headers: list[str], columns: dict[str, str] | None = None) -> None:
    shown = ", ".join(repr(h) for h in headers[:20] if h) + (" …" if len(headers) > 20 else "")
    wrong = unmatched(headers, columns or {})
    if wrong:
        field, name = wrong[0]
        raise _refuse(
            path,
            f"enligt tabellen Kolumner på bladet Inställningar heter kolumnen {COLUMN_FIELDS_SV[field]} {name!r}, "
            f"men exporten har ingen sådan kolumn (kolumnerna heter {shown}). Skriv kolumnens namn som det står i exporten.",
        )
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        sv = [COLUMN_FIELDS_SV[c] for c in missing]
        names = sv[0] if len(sv) == 1 else ", ".join(sv[:-1]) + " och " + sv[-1]
        raise _refuse(
            path,
            f"{'kolumnen' if len(missing) == 1 else 'kolumnerna'} {names} hittas inte (kolumnerna heter {shown}). "
            "Ange vilken kolumn som är vilken i tabellen Kolumner på bladet Inställningar, en rad per fält: "
            f"fältet ({names}) och kolumnens namn som det står i exporten. "
            "Eller ge kolumnerna de namn ekonomisystemet brukar använda: Period, Ansvar, Konto och Belopp.",
        )


def _read_csv(path: Path, details: bool, columns: dict[str, str]) -> LedgerData:
    with path.open("rb") as fh:
        head = fh.read(65536)
    utf16 = _utf16_codec(head)
    if utf16 is not None:
        # Excel's "Unicode-text" (and some systems' exports): UTF-16, read from a UTF-8 copy
        converted = _utf16_to_utf8(path, utf16)
        try:
            with converted.open("rb") as fh:
                return _read_csv_lines(path, converted, fh.read(65536), details, columns)
        finally:
            converted.unlink(missing_ok=True)
    if b"\r" in head and b"\n" not in head:
        # Excel for Mac's "CSV (Macintosh)": lines end in CR alone, which polars does not see as an end
        converted = _cr_to_lf(path)
        try:
            return _read_csv_lines(path, converted, head.replace(b"\r", b"\n"), details, columns)
        finally:
            converted.unlink(missing_ok=True)
    return _read_csv_lines(path, path, head, details, columns)


def _utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec of a file that starts with a UTF-16 byte-order mark, or with text whose every
    second byte is zero (UTF-16 without the mark); None for any other file."""
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    start = head[:64]
    if len(start) >= 8 and start[0] and not any(start[1::2]) and all(start[0::2]):
        return "utf-16-le"
    if len(start) >= 8 and start[1] and not any(start[0::2]) and all(start[1::2]):
        return "utf-16-be"
    return None


def _utf16_to_utf8(path: Path, codec: str) -> Path:
    """A temporary UTF-8 copy of a UTF-16 file (byte-order mark dropped, line ends LF), written in chunks."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    fd, name = tempfile.mkstemp(prefix=".~vpexcel-huvudbok-", suffix=".csv")
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            text, first = "", True
            while chunk := src.read(1 << 22):
                text += decoder.decode(chunk)
                if first and text:
                    text, first = text.removeprefix("\ufeff"), False
                keep = 1 if text.endswith("\r") else 0  # a CR whose LF is in the next chunk
                dst.write(text[: len(text) - keep].replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
                text = text[len(text) - keep :]
            text += decoder.decode(b"", final=True)
            dst.write(text.replace("\r", "\n").encode("utf-8"))
    except UnicodeDecodeError:
        Path(name).unlink(missing_ok=True)
        raise _refuse(
            path, "filen ser ut som Unicode-text (UTF-16) men har tecken som inte går att läsa. Exportera den på nytt."
        ) from None
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise _refuse(path, "den tillfälliga kopian i UTF-8 kunde inte skrivas. Spara filen som CSV (UTF-8).") from None
    return Path(name)


def _cr_to_lf(path: Path) -> Path:
    """A temporary copy of a CR-only file with LF line ends, written in chunks (the file may be large)."""
    fd, name = tempfile.mkstemp(prefix=".~vpexcel-huvudbok-", suffix=".csv")
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk.replace(b"\r", b"\n"))
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise _refuse(path, "den tillfälliga kopian med radbyten kunde inte skrivas. Spara filen som CSV (UTF-8).") from None
    return Path(name)


def _read_csv_lines(path: Path, source: Path, head: bytes, details: bool, columns: dict[str, str]) -> LedgerData:
    """Read ``source`` (the file itself, or its copy with LF line ends); messages name ``path``.
    ``head``: the file's first bytes, with LF line ends."""
    cp1252 = not _utf8_head(head)  # Windows-1252 (Å, Ä, Ö in a column name): polars would read the header as U+FFFD
    skip, first, above = _header_line(head.decode("cp1252" if cp1252 else "utf-8", "replace").lstrip("\ufeff"), columns)
    sep = _separator(first)
    options: dict[str, Any] = {
        "separator": sep,
        "infer_schema": False,
        "truncate_ragged_lines": True,
        "has_header": True,
        "skip_lines": skip,  # title lines above the header ("Huvudboksutdrag ...", the date of the export)
        # the line number from the reader itself: numbering with pl.len() would hold every line in memory at once
        "row_index_name": LINE_COLUMN,
        "row_index_offset": skip + 2,
    }
    try:
        try:
            if cp1252:
                raise _NotUtf8
            # UTF-8 (a BOM is fine): polars reads the file itself, parsing and converting in one parallel pass
            ledger = _csv_frame(path, pl.scan_csv(source, **options), sep, details, columns, _sample(head, options))
        except (pl.exceptions.ComputeError, _NotUtf8) as exc:
            if not isinstance(exc, _NotUtf8) and "utf-8" not in str(exc).lower() and "utf8" not in str(exc).lower():
                raise
            decoded = pl.read_csv(io.BytesIO(_decode(path, source.read_bytes())), **options)  # Windows-1252
            ledger = _csv_frame(path, decoded.lazy(), sep, details, columns)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        log_detail(f"ledger {path}: {type(exc).__name__}: {exc}")  # polars' English text: the log only
        raise _refuse(path, f"den går inte att tolka som CSV{_where_sv(str(exc))}. Exportera den på nytt.") from None
    if skip:
        shown = ", ".join(repr(clean_text(t).strip()[:60]) for t in above if t.strip())
        ledger.notes.append(
            f"Huvudboken {path.name}: rubrikraden (med Period, Ansvar, Konto och Belopp) står på rad {skip + 1}; "
            f"{'raden' if skip == 1 else f'de {skip} raderna'} ovanför{f' ({shown})' if shown else ''} "
            "är inga bokföringsrader och ingår inte i avstämningen."
        )
    return ledger


class _NotUtf8(Exception):
    """The file's first bytes are no UTF-8: read it as Windows-1252 from the start."""


def _utf8_head(head: bytes) -> bool:
    """Whether the file's first bytes are UTF-8 (a character cut off at the end of the bytes read is fine)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(head) - 3
    return True


MAX_TITLE_LINES = 30


def _header_line(text: str, columns: dict[str, str]) -> tuple[int, str, list[str]]:
    """The header line: the first of the file's first lines that names Period, Ansvar, Konto and Belopp
    (an export may start with a title, the date of the export and a blank line). Its index, its text and
    the lines above it; the first line when none does (the refusal then names its columns)."""
    lines = text.split("\n")[:MAX_TITLE_LINES]
    for i, line in enumerate(lines):
        line = line.rstrip("\r")
        fields = [f.strip().strip('"').strip() for f in line.split(_separator(line))]
        found = match_columns(fields, columns)
        if all(c in found for c in REQUIRED) and not unmatched(fields, columns):
            return i, line, [x.rstrip("\r") for x in lines[:i]]
    return 0, lines[0].rstrip("\r"), []


def _where_sv(polars_text: str) -> str:
    """Where polars stopped, in Swedish: the start of the line it could not split (it quotes it in backticks)."""
    m = re.search(r"`([^`]{1,200})", polars_text)
    if m is None:
        return ""
    line = clean_text(m.group(1)).replace('"', "").strip()[:60]
    return f" (raden som börjar {line!r} har fel antal fält eller ett citattecken som inte avslutas)" if line else ""


def _sample(head: bytes, options: dict[str, Any]) -> pl.DataFrame | None:
    """The whole lines in the file's first bytes, to tell decimal comma from point without a second scan."""
    whole = head[: head.rfind(b"\n") + 1]
    if whole.startswith(b"\xef\xbb\xbf"):
        whole = whole[3:]
    try:
        opts = {k: v for k, v in options.items() if not k.startswith("row_index")}
        return pl.read_csv(io.BytesIO(whole.decode("utf-8", "replace").encode("utf-8")), **opts)
    except (pl.exceptions.PolarsError, ValueError):
        return None


def _csv_frame(
    path: Path,
    lazy: pl.LazyFrame,
    sep: str,
    details: bool,
    columns: dict[str, str],
    sample: pl.DataFrame | None = None,
) -> LedgerData:
    headers = [n for n in lazy.collect_schema().names() if n != LINE_COLUMN]
    found = match_columns(headers, columns)
    _require(path, found, headers, columns)
    cols = {name: pl.col(headers[i]) for name, i in found.items()}
    if sample is not None and sample.width == len(headers):
        amounts = sample.to_series(found["amount"]).drop_nulls()
    else:
        amounts = lazy.select(cols["amount"]).head(2000).collect().to_series().drop_nulls()
    decimal_comma = sep != "," and bool(amounts.str.contains(",", literal=True).any())
    exprs = [
        pl.col(LINE_COLUMN).cast(pl.Int64).alias("line"),
        cols["period"].alias("period_raw"),
        plain_amount_expr(cols["amount"], decimal_comma).alias("amount"),
        cols["amount"].alias("amount_raw"),
    ]
    for name in TEXT_COLUMNS:
        if name not in cols or (not details and name not in ("ansvar", "konto", "motpart")):
            exprs.append(pl.lit(None, pl.Utf8).alias(name))
        elif name in ("ansvar", "konto", "motpart") and details:  # the codes the reconciliation keys on
            exprs.append(cols[name].str.strip_chars().alias(name))  # (streamed: stripped once per group instead)
        else:
            exprs.append(cols[name].alias(name))
    if "budget" in cols:
        exprs.append(amount_expr(cols["budget"], decimal_comma).alias("budget"))
    elif "kind" in cols:
        is_budget = cols["kind"].str.strip_chars().str.to_lowercase().is_in(list(_BUDGET_KINDS))
        exprs.append(pl.when(is_budget).then(pl.lit(True)).otherwise(pl.lit(False)).alias("is_budget"))
    # without the details, the Text of the few lines without ansvar and konto is read afterwards (it tells a summary line)
    texts = None if details or "text" not in cols else lazy.select(exprs[0], cols["text"].alias("text"))
    return _finish(path.name, lazy.select(exprs), decimal_comma, details, "budget" in cols or "kind" in cols, texts)


def _finish(
    name: str, lines: pl.LazyFrame, decimal_comma: bool, details: bool, has_budget: bool, texts: pl.LazyFrame | None = None
) -> LedgerData:
    """Sum the readable lines, keep the problem lines, and the lines themselves when asked for.

    One scan of the file serves all three (polars runs the queries together).
    """
    columns = lines.collect_schema().names()
    if "is_budget" in columns:  # one amount column, a type column says budget or actual
        lines = lines.with_columns(
            pl.when(pl.col("is_budget")).then(pl.col("amount")).otherwise(None).alias("budget"),
            pl.when(pl.col("is_budget")).then(None).otherwise(pl.col("amount")).alias("amount"),
        ).drop("is_budget")
    elif "budget" not in columns:
        lines = lines.with_columns(pl.lit(None, pl.Float64).alias("budget"))
    readable = (
        (pl.col("amount").is_not_null() | (pl.col("budget").is_not_null() & pl.col("amount_raw").is_null()))
        & pl.col("ansvar").is_not_null()
        & pl.col("konto").is_not_null()
        & pl.col("period_raw").is_not_null()
    )
    kept: list[pl.DataFrame] = []
    if details:  # the drill-down needs every line anyway: one in-memory scan serves the sums, the problems and the lines
        totals, odd, *kept = pl.collect_all([aggregate(lines.filter(readable)), lines.filter(~readable), lines.filter(readable)])
    else:
        totals, odd = _stream_groups(lines, readable)
    # amounts such as "1 234,50", "(12,3)" or "−5": the full reading, only on the lines that need it
    odd = odd.with_columns(
        pl.when(pl.col("amount").is_null() & pl.col("amount_raw").is_not_null())
        .then(amount_expr(pl.col("amount_raw"), decimal_comma))
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    if decimal_comma:  # what the vectorized reading left: the validator's reading, once per distinct text
        left = odd.filter(pl.col("amount").is_null() & pl.col("amount_raw").is_not_null()).get_column("amount_raw")
        if left.len():
            read = {v: _swedish_amount(v) for v in left.unique().to_list()}
            odd = odd.with_columns(
                pl.when(pl.col("amount").is_null())
                .then(pl.col("amount_raw").replace_strict(read, default=None, return_dtype=pl.Float64))
                .otherwise(pl.col("amount"))
                .alias("amount")
            )
    recovered = odd.filter(readable)
    if recovered.height:
        totals = pl.concat([totals, aggregate(recovered.lazy()).collect()])
        if kept:
            kept[0] = pl.concat([kept[0], recovered]).sort("line")
    bad = odd.filter(~readable)
    if texts is not None:  # the Text of the lines without ansvar and konto, so a summary line is told as with the details
        codeless = bad.filter(pl.col("ansvar").is_null() & pl.col("konto").is_null() & pl.col("amount").is_not_null())
        if codeless.height:
            wanted = texts.filter(pl.col("line").is_in(codeless.get_column("line").implode())).collect()
            bad = bad.drop("text", strict=False).join(wanted, on="line", how="left").sort("line")
    bad, n_sums, summary_notes = _summary_lines(name, bad, float(totals.get_column("amount").sum() or 0.0))
    # periods repeat: read each distinct text once
    parsed = {v: parse_period(v) for v in totals.get_column("period_raw").unique().to_list()}
    years = {k: p[0] for k, p in parsed.items() if p}
    months = {k: p[1] for k, p in parsed.items() if p}

    def dated(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.col("period_raw").replace_strict(years, default=None, return_dtype=pl.Int32).alias("year"),
            pl.col("period_raw").replace_strict(months, default=None, return_dtype=pl.Int32).alias("month"),
        )

    totals = dated(totals)
    undated = totals.filter(pl.col("year").is_null())
    totals = regroup(
        totals.filter(pl.col("year").is_not_null()).lazy(), ("year", "month", "ansvar", "konto", "motpart")
    ).collect()
    problems = [_problem(row) for row in bad.head(MAX_PROBLEMS).iter_rows(named=True)]
    for row in undated.sort("first_line").iter_rows(named=True):
        more = row["lines"] - 1
        problems.append(
            LineProblem(
                line=row["first_line"],
                column="Period",
                value=row["period_raw"],
                message=f"perioden {row['period_raw']!r} är inget datum (skriv 2024-04)"
                + (f"; samma gäller {more} rader till med ansvar {row['ansvar']} och konto {row['konto']}" if more else ""),
            )
        )
    problems.sort(key=lambda p: p.line)
    n_bad = bad.height + int(undated.get_column("lines").sum() or 0)
    if bad.height > MAX_PROBLEMS:
        problems.append(
            LineProblem(line=0, column="", value=None, message=f"ytterligare {bad.height - MAX_PROBLEMS} rader kunde inte läsas")
        )
    frame = None
    if kept:
        frame = dated(kept[0]).filter(pl.col("year").is_not_null()).drop("period_raw", "amount_raw")
        frame = frame.with_columns(pl.col("amount").fill_null(0.0))
    readable_lines = int(totals.get_column("lines").sum() or 0)
    if readable_lines == 0:
        if not problems:
            raise InputError(
                f"Huvudboken {name} har inga rader under rubrikraden. Exportera huvudboken på nytt med perioden som ska stämmas av."
            )
        first = problems[0]
        raise InputError(
            f"Huvudboken {name} har ingen rad som går att läsa ({n_bad} {'rad' if n_bad == 1 else 'rader'}; "
            f"rad {first.line}: {first.message}). Kontrollera att exporten har semikolon och decimalkomma och exportera på nytt."
        )
    ledger = LedgerData(name, totals, frame, problems, readable_lines + n_bad + n_sums + 1, has_budget)
    ledger.notes.extend(summary_notes)
    return ledger


# a label at the start of the Period or Text column, as a whole word: "Summa", "S:a", "Total", "Totalt"
# ("Total renovering" on a line without ansvar and konto counts; "Saldo" or "Summering" alone does not)
_SUM_LABEL = re.compile(r"(?i)^\s*(summa|s:a|totalt?)\b")
_SUM_LABEL_COLUMNS = ("period_raw", "text")  # read in every output format, so the findings do not depend on it
MAX_SUMMARY_NOTES = 5


def _summary_lines(name: str, bad: pl.DataFrame, lines_sum: float) -> tuple[pl.DataFrame, int, list[str]]:
    """Take out the summary lines many exports end with ("Summa" and the total, no ansvar, konto or
    period): an amount without ansvar and konto that is labelled as a sum at the start of its Period or
    Text, or equals the sum of the readable lines, is no booking to reconcile, and no VP505 either.
    The first few get a note each saying whether the amount matches the lines, the rest one note
    with their number. Returns the lines left, the number of summary lines and the notes."""
    if not bad.height:
        return bad, 0, []
    texts = [c for c in _SUM_LABEL_COLUMNS if c in bad.columns]
    label = pl.any_horizontal(*[pl.col(c).fill_null("").str.contains(_SUM_LABEL.pattern) for c in texts])
    codeless = pl.col("ansvar").is_null() & pl.col("konto").is_null() & pl.col("amount").is_not_null()
    is_sum = codeless & (label | ((pl.col("amount") - lines_sum).abs() < 0.005))
    sums = bad.filter(is_sum)
    notes = []
    for row in sums.head(MAX_SUMMARY_NOTES).iter_rows(named=True):
        amount = float(row["amount"])
        said = next((clean_text(str(row[c])).strip()[:40] for c in texts if row.get(c) and _SUM_LABEL.match(str(row[c]))), "")
        what = f"rad {row['line']}{f' ({said!r}, {format_sv(amount, 2)})' if said else f' ({format_sv(amount, 2)})'}"
        agrees = (
            "den stämmer med summan av raderna"
            if abs(amount - lines_sum) < 0.005
            else f"raderna som lästes summerar till {format_sv(lines_sum, 2)}: kontrollera att exporten är hel"
        )
        notes.append(
            f"Huvudboken {name}: {what} saknar ansvar och konto och är en summarad; den ingår inte i avstämningen ({agrees})."
        )
    more = sums.height - MAX_SUMMARY_NOTES
    if more > 0:
        notes.append(
            f"Huvudboken {name}: och {format_sv(more, 0)} {'summarad' if more == 1 else 'summarader'} till utan ansvar och konto "
            f"(från rad {sums.get_column('line')[MAX_SUMMARY_NOTES]}); de ingår inte heller i avstämningen. "
            "Kontrollera att det är summarader och inte bokningar som saknar ansvar och konto."
        )
    return bad.filter(~is_sum), sums.height, notes


def _stream_groups(lines: pl.LazyFrame, readable: pl.Expr) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sums per period text and kodsträng, and the lines that need a closer look, in one streaming pass.

    Memory follows the number of groups, not of lines: each line that the plain reading
    could not use is a group of its own (keyed by its line number), every other line
    goes into its kodsträng's group.
    """
    odd_line = pl.when(readable).then(None).otherwise(pl.col("line")).alias("odd_line")
    odd_raw = pl.when(readable).then(None).otherwise(pl.col("amount_raw")).alias("odd_raw")
    grouped = (
        lines.with_columns(odd_line, odd_raw)
        .group_by(*TOTAL_KEYS, "odd_line", "odd_raw")
        .agg(
            pl.col("amount").fill_null(0.0).sum().round(2),
            pl.col("budget").fill_null(0.0).sum().round(2),
            pl.col("amount").is_not_null().sum().cast(pl.Int64).alias("rows"),
            pl.col("budget").is_not_null().sum().cast(pl.Int64).alias("budget_rows"),
            pl.len().cast(pl.Int64).alias("lines"),
            pl.col("line").min().alias("first_line"),
        )
        .collect(engine="streaming")
        .with_columns(pl.col(c).str.strip_chars() for c in ("ansvar", "konto", "motpart"))
    )
    totals = grouped.filter(pl.col("odd_line").is_null()).select(
        "period_raw", "ansvar", "konto", "motpart", "amount", "budget", "rows", "lines", "first_line"
    )
    odd = grouped.filter(pl.col("odd_line").is_not_null()).select(
        pl.col("odd_line").alias("line"),
        "period_raw",
        "ansvar",
        "konto",
        "motpart",
        pl.when(pl.col("rows") > 0).then(pl.col("amount")).otherwise(None).alias("amount"),
        pl.when(pl.col("budget_rows") > 0).then(pl.col("budget")).otherwise(None).alias("budget"),
        pl.col("odd_raw").alias("amount_raw"),
    )
    return totals, odd.sort("line")


def _swedish_amount(text: str) -> float | None:
    value = parse_swedish_number(text, units=("kr",))
    return value if value is not None and abs(value) <= MAX_LINE_AMOUNT else None


def _not_finite(text: str) -> str | None:
    """Why an amount text that reads as a float is still no amount: not finite, or beyond any ledger."""
    try:
        value = float(text.strip().replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None
    if not math.isfinite(value):
        return f"beloppet {text!r} är inget ändligt tal"
    if abs(value) > MAX_LINE_AMOUNT:
        return f"beloppet {text!r} är orimligt stort (mer än 10 000 miljarder kronor)"
    return None


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
        raw = str(row["amount_raw"])
        message = _not_finite(raw) or f"beloppet {raw!r} är inget tal"
        return LineProblem(line=line, column="Belopp", value=raw, message=message)
    value = row["period_raw"]
    if value is None or parse_period(str(value)) is None:  # (the lines that could not be read have no year and month yet)
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


def _read_xlsx(path: Path, columns: dict[str, str]) -> LedgerData:
    book = read_workbook(path)
    for sheet in book.sheets:
        for r in range(min(20, sheet.height)):
            headers = [str(v) if v not in (None, "") else "" for v in sheet.rows[r]]
            found = match_columns(headers, columns)
            if all(c in found for c in REQUIRED) and not unmatched(headers, columns):
                ledger = _xlsx_frame(path, sheet.rows, r, found, headers)
                ledger.notes.extend(book.notes_of(*FIGURE_NOTES))  # the values-only note says nothing about a ledger
                return ledger
    first = book.sheets[0]
    headers = [str(v) for v in (first.rows[0] if first.rows else []) if v not in (None, "")]
    _require(path, match_columns(headers, columns), headers, columns)
    raise _refuse(path, "ingen rubrikrad med Period, Ansvar, Konto och Belopp hittades.")


def _cell_amount(v: CellValue) -> float | None:
    if isinstance(v, str):
        return _swedish_amount(v)
    value = classify(v).number
    return value if value is not None and abs(value) <= MAX_LINE_AMOUNT else None


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
        data["amount"].append(_cell_amount(raw_amount))
        data["budget"].append(_cell_amount(cell(line, "budget")) if "budget" in found else None)
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
    return _finish(path.name, frame.lazy(), True, True, "budget" in found)
