"""Reports for the terminal (rich) and as JSON."""

from __future__ import annotations

import json
from itertools import groupby
from typing import TextIO

from vpexcel.findings import SEVERITY_SV, Report, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def to_json(report: Report) -> str:
    return json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2)


def summary_sv(report: Report) -> str:
    s = report.summary
    text = f"{s.error} fel, {s.warning} {'varning' if s.warning == 1 else 'varningar'}, {s.info} info"
    if s.silenced:
        text += f", {s.silenced} undantagna"
    return text


def print_text(report: Report, out: TextIO | None = None) -> None:
    """A table per sheet, then the summary, all in Swedish."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False, width=None if out is None else 140)
    console.print(f"[bold]Validering av {report.file}[/bold]")
    if not report.findings:
        console.print("Inga anmärkningar: budgeten håller för alla kontroller.")
    for sheet, items in groupby(report.findings, key=lambda f: f.sheet or ""):
        table = Table(title=f"Blad: {sheet}" if sheet else "Hela arbetsboken", title_justify="left", expand=False)
        table.add_column("Cell", no_wrap=True)
        table.add_column("Kod", no_wrap=True)
        table.add_column("Nivå", no_wrap=True)
        table.add_column("Meddelande")
        for f in items:
            level = SEVERITY_SV[f.severity] + (" (undantag)" if f.silenced else "")
            message = f.message + (f"\nUndantag: {f.silenced}" if f.silenced else "")
            table.add_row(f.cell or "–", f.code, f"[{_STYLE[f.severity]}]{level}[/]", message)
        console.print(table)
    console.print(f"Summering: {summary_sv(report)}.")
