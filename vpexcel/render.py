"""Reports for the terminal (rich) and as JSON."""

from __future__ import annotations

import json
import math
from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from vpexcel.findings import SEVERITY_SV, Report, Severity

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from vpexcel.reconcile import AreaResult, Reconciliation

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def finite(data: object) -> object:
    """``data`` with every number that is not finite (inf, nan) replaced by None (null in JSON)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(v) for v in data]
    return data


def strict_json(data: object) -> str:
    """JSON that every reader accepts: never NaN or Infinity (those become null)."""
    return json.dumps(finite(data), ensure_ascii=False, indent=2, allow_nan=False)


def to_json(report: Report, read_as: list[tuple[str, list[str]]] | None = None) -> str:
    """The report as JSON; with ``read_as`` (``--visa``) also the table map, as "karta": one entry per sheet."""
    data = report.to_json_dict()
    if read_as is not None:
        data["karta"] = [{"blad": sheet, "rader": lines} for sheet, lines in read_as]
    return strict_json(data)


def summary_sv(report: Report) -> str:
    s = report.summary
    text = f"{s.error} fel, {s.warning} {'varning' if s.warning == 1 else 'varningar'}, {s.info} info"
    if s.silenced:
        text += f", {s.silenced} undantagna"
    return text


def _console(out: TextIO | None) -> Console:
    import os
    import sys

    from rich.console import Console

    # a file, or the screen's output sent to a file or a pipe ("> rapport.txt"): the whole table, not 80 columns
    redirected = out is None and not sys.stdout.isatty() and not os.environ.get("COLUMNS")
    return Console(file=out, highlight=False, width=140 if out is not None or redirected else None)


def _plain(text: str, style: str = "") -> Text:
    """Text from a user's file (a name, a label, a message quoting one) as it is: never read as rich's
    markup, so "Totalt [tkr]" keeps its brackets and "Summa [/]" cannot break the output."""
    from rich.text import Text

    from vpexcel.textcells import screen_text

    return Text(screen_text(text), style=style)


def print_text(report: Report, out: TextIO | None = None) -> None:
    """A table per sheet, then the summary, all in Swedish."""
    console = _console(out)
    console.print(_plain(f"Validering av {report.file}", "bold"))
    if not report.findings:
        console.print("Inga anmärkningar: budgeten håller för alla kontroller.")
    _print_findings(console, report)
    console.print(f"Summering: {summary_sv(report)}.")


def print_map(read_as: list[tuple[str, list[str]]], out: TextIO | None = None) -> None:
    """The table map in Swedish, sheet by sheet: how vpexcel read the workbook."""
    console = _console(out)
    console.print("[bold]Så lästes arbetsboken[/bold]")
    for sheet, lines in read_as:
        if sheet:
            console.print(_plain(f"Blad: {sheet}", "bold"))
        for line in lines:
            console.print(_plain(line), soft_wrap=True)
    console.print()


def _print_findings(console: Console, report: Report) -> None:
    from rich.table import Table

    number = {id(f): i + 1 for i, f in enumerate(report.findings)}  # "följdfel av F7" points at these
    hidden = {h.sheet: h.note for h in report.hidden_sheets}
    told: set[str] = set()
    for sheet, items in groupby(report.findings, key=lambda f: f.sheet or ""):
        where = "Fil" if sheet.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")) else "Blad"
        title = f"{where}: {sheet}" if sheet else "Hela arbetsboken"
        if sheet in hidden:
            title += " (dolt blad)"
            if sheet not in told:  # once per sheet: how to find it among the tabs
                told.add(sheet)
                console.print(_plain(hidden[sheet], "bold"), soft_wrap=True)
        table = Table(title=_plain(title), title_justify="left", expand=False)
        table.add_column("Nr", no_wrap=True)
        table.add_column("Cell", no_wrap=True)
        table.add_column("Kod", no_wrap=True)
        table.add_column("Nivå", no_wrap=True)
        table.add_column("Meddelande")
        for f in items:
            level = SEVERITY_SV[f.severity] + (" (undantag)" if f.silenced else "")
            message = f.message + (f"\nFörslag: {f.suggestion}" if f.suggestion else "")
            message += f"\nUndantag: {f.silenced}" if f.silenced else ""
            table.add_row(f"F{number[id(f)]}", _plain(f.cell or "–"), f.code, _plain(level, _STYLE[f.severity]), _plain(message))
        console.print(table)


def print_reconciliation(rec: Reconciliation, out: TextIO | None = None) -> None:
    """The reconciliation per area, the board before and after elimination, then the findings."""
    from rich.table import Table

    from vpexcel.numbers import format_amount_sv, format_sv
    from vpexcel.reconcile import MONTHS_SV

    console = _console(out)
    months = f"januari–{MONTHS_SV[rec.month - 1]}" if rec.month > 1 else "januari"
    console.print(_plain(f"Avstämning av {rec.budget_file} mot {rec.ledger_file}, {months} {rec.year} ({rec.unit})", "bold"))
    table = Table(show_footer=False)
    table.add_column("Område", min_width=12)
    keyed = any(a.key != "jämn" for a in rec.areas)  # the key column only when some area is not spread evenly
    titles = ["Budget\nnetto", "Budget\nt.o.m.", "Utfall\nack.", "Avvi-\nkelse", "Förbr."]
    if rec.has_last_year:
        titles += [f"Utfall ack.\n{rec.year - 1}", "Föränd-\nring"]
    for title in titles:
        table.add_column(title, justify="right", no_wrap=True)
    if keyed:
        table.add_column("Periodisering")

    def line(name: str, a: AreaResult) -> list[str]:
        used = (
            ""
            if a.used_share is None
            else f"{abs(a.used_share * 100) if round(a.used_share * 100) == 0 else a.used_share * 100:.0f} %"
        )
        cells = [
            name,
            format_sv(a.budget.net),
            format_sv(a.budget_to_date.net),
            format_sv(a.actual_to_date.net),
            format_sv(rec.deviation_of(a)),
            used,
        ]
        if rec.has_last_year:
            last = a.last_year_to_date
            cells += [format_sv(last.net) if last else "", format_sv(a.change_from_last_year)]
        return [*cells, a.key] if keyed else cells

    for a in rec.areas:
        table.add_row(*map(_plain, line(a.area, a)))
    table.add_row(*map(_plain, line(f"Totalt {rec.board.area}", rec.board)), style="bold")
    console.print(table)
    after = rec.board_after_elimination
    console.print(
        f"Brutto t.o.m. perioden: intäkter {format_sv(rec.board.actual_to_date.revenue, 2)}, "
        f"kostnader {format_sv(rec.board.actual_to_date.cost, 2)}; efter eliminering av nämndinterna poster "
        f"({format_sv(rec.eliminated, 2)}): intäkter {format_sv(after.revenue, 2)}, kostnader {format_sv(after.cost, 2)}, "
        f"netto {format_sv(after.net, 2)} (oförändrat)."
    )
    report = rec.report()
    said = {f.code for f in report.findings}
    for x in rec.excluded:
        if any(f"({code})" in x.reason for code in said):
            continue  # the finding below says it, with the rows and the amount: not twice
        console.print(
            _plain(
                f"Utanför avstämningen: {x.reason}: {x.rows} {'rad' if x.rows == 1 else 'rader'}, {format_amount_sv(x.amount, rec.unit)}."
            )
        )
    if rec.has_last_year:
        console.print(
            _plain(
                f"Utfall ack. {rec.year - 1}: samma månader i fjol (ur {rec.last_year_source}). "
                "Förändring = utfall ack. − utfall samma period i fjol (netto; negativt: högre nettokostnad än i fjol)."
            )
        )
    console.print(
        "Budget t.o.m. = årets budget periodiserad "
        + ("med områdets nyckel (kolumnen Periodisering). " if keyed else "jämnt, en tolftedel per månad. ")
        + f"{rec.deviation_text} "
        "Intäkter visas positiva och kostnader negativa; netto = intäkter + kostnader." + rec.budget_sign_note,
        markup=False,
    )
    _print_findings(console, report)
    console.print(f"Summering: {summary_sv(report)}.")
