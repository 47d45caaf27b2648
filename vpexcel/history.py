"""The history of runs: what each validate, reconcile and fill saw and found.

Internal control and the auditors ask what was checked, when, with which files
and figures; the delårsrapport shows how the forecast moved during the year
(prognosutveckling). Each run is kept as a :class:`RunRecord`; this module says
what a record holds and builds one from a command's result. Storing it is the
edge's job (:mod:`vpexcel.io.history_db`). Pure: no files, no clock (the caller
gives the time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from vpexcel.findings import Finding
from vpexcel.numbers import UNIT_FACTOR
from vpexcel.period import MONTHS_SV

if TYPE_CHECKING:
    from vpexcel.fill import Forecast
    from vpexcel.grid import WorkbookGrid
    from vpexcel.reconcile import Reconciliation
    from vpexcel.settings import Settings
    from vpexcel.validate import SheetMapper

# Every run pays for importing this module: named tuples and lean dataclasses are cheap to define.

DB_NAME = "vpexcel-historik.sqlite"
COMMAND_SV = {"validate": "Kontroll av budget", "reconcile": "Avstämning mot huvudbok", "fill": "Ifylld uppföljning"}
ROLE_SV = {"budget": "budget", "ledger": "huvudbok", "template": "mall", "forecast": "prognoser", "settings": "inställningar"}


class FileRef(NamedTuple):
    """An input file as it was when the run read it."""

    role: str  # budget, ledger, template, forecast, settings, output
    name: str
    path: str
    sha256: str
    size: int


class Figure(NamedTuple):
    """One figure the run saw: an area's amount for a period and measure, in ``unit``."""

    area: str
    period: str  # "2024" for a year, "2024-04" for a follow-up period
    measure: str  # budget, budget_to_date, actual_to_date, actual_month, forecast
    kind: str  # revenue, cost, net
    value: float
    unit: str
    sheet: str | None = None
    cell: str | None = None
    note: str | None = None  # e.g. "förslag" for a forecast the tool proposed


@dataclass(repr=False, eq=False)
class RunRecord:
    """One run of a command, as kept in the history."""

    command: str  # validate, reconcile, fill
    when: str  # ISO 8601 with the local offset
    exit_code: int
    municipality: str
    board: str
    year: int
    period: str | None  # "2024-04" for reconcile and fill
    settings_json: str
    files: list[FileRef] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a fill could not place, and the like
    user: str = ""
    version: str = ""
    id: int | None = None

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0, "silenced": 0}
        for f in self.findings:
            out["silenced" if f.silenced else f.severity.value] += 1
        return out

    def summary_sv(self) -> str:
        c = self.counts()
        return f"{c['error']} fel, {_warnings(c['warning'])}, {c['info']} info" + (
            f", {c['silenced']} undantagna" if c["silenced"] else ""
        )


def new_record(
    command: str,
    when: str,
    exit_code: int,
    settings: Settings,
    files: Iterable[FileRef],
    *,
    period: str | None = None,
    findings: Iterable[Finding] = (),
    figures: Iterable[Figure] = (),
    notes: Iterable[str] = (),
    user: str = "",
    version: str = "",
) -> RunRecord:
    return RunRecord(
        command=command,
        when=when,
        exit_code=exit_code,
        municipality=settings.municipality,
        board=settings.board,
        year=int(period[:4]) if period else settings.budget_year,
        period=period,
        settings_json=settings.model_dump_json(),
        files=list(files),
        findings=list(findings),
        figures=list(figures),
        notes=list(notes),
        user=user,
        version=version,
    )


MEASURES = (
    ("avvikelse", re.compile(r"avvik")),
    ("utfall", re.compile(r"utfall|bokslut|bokfört")),
    ("prognos", re.compile(r"prognos")),
    ("förändring", re.compile(r"förändr")),
)


def measure_of(header: str) -> str:
    """What a column holds, from its header: budget (the default), utfall, prognos, avvikelse, förändring."""
    text = header.casefold()
    for name, rx in MEASURES:
        if rx.search(text):
            return name
    return "budget"


def budget_figures_of(book: WorkbookGrid, settings: Settings, mapped: SheetMapper | None = None) -> list[Figure]:
    """The budget per area and year as the workbook states it (what a validate run keeps), first table wins;
    in one sign convention (costs negative) whichever the table keeps, as reconcile and fill store theirs.

    From tables with a row per area, and from an area's own sheet (its result row). ``mapped``
    is the map validate already built (reused where the settings are the same).
    """
    from vpexcel.grid import a1
    from vpexcel.layout import RowKind, Sign
    from vpexcel.validate import find_tables

    out: list[Figure] = []
    seen: set[tuple[str, str, str, str]] = set()
    for t in find_tables(book, settings, mapped=mapped):
        unit = t.unit or settings.unit
        turned = t.sign is Sign.COSTS_POSITIVE
        wanted = t.indices(RowKind.AREA, RowKind.RESULT)  # the only rows that name an area's figure
        for c in t.columns:
            measure, kind, period = measure_of(c.header), c.kind.value, str(c.year or "")
            values = t.values(c.col)
            for row, value in zip(map(t.rows.__getitem__, wanted), map(values.__getitem__, wanted), strict=True):
                area = row.area.name if row.kind is RowKind.AREA and row.area is not None else None
                if t.layout == "accounts" and row.kind is RowKind.RESULT and t.area is not None:
                    area, kind = t.area.name, "net"
                if area is None or value is None or (area, period, measure, kind) in seen:
                    continue
                seen.add((area, period, measure, kind))
                if turned and kind in ("cost", "net") and isinstance(value, (int, float)):
                    value = -value  # kept with costs positive: stored as every other run stores it (costs negative)
                out.append(Figure(area, period, measure, kind, value, unit, t.name, a1(row.row, c.col)))
    return out


def reconciliation_figures(rec: Reconciliation) -> list[Figure]:
    """Budget, budget to date, actual this month and to date per area (what reconcile and fill keep)."""
    period = f"{rec.year}-{rec.month:02d}"
    out: list[Figure] = []
    for a in [*rec.areas, rec.board]:
        for measure, figures, when in (
            ("budget", a.budget, str(rec.year)),
            ("budget_to_date", a.budget_to_date, period),
            ("actual_month", a.actual_month, period),
            ("actual_to_date", a.actual_to_date, period),
        ):
            for kind in ("revenue", "cost", "net"):
                out.append(Figure(a.area, when, measure, kind, getattr(figures, kind), rec.unit))
    return out


def forecast_figures(rec: Reconciliation, forecasts: Mapping[str, Forecast]) -> list[Figure]:
    """The full-year forecast per area that a fill wrote (proposals marked)."""
    period = f"{rec.year}-{rec.month:02d}"
    return [
        Figure(area, period, "forecast", "net", f.net, rec.unit, note="förslag" if f.proposal else None)
        for area, f in sorted(forecasts.items())
    ]


# --- what the history answers ----------------------------------------------------------


@dataclass(repr=False, eq=False)
class ForecastDevelopment:
    """Prognosutveckling: per area the budget and the forecast at each follow-up of the year."""

    year: int
    unit: str
    periods: list[str]  # "2024-02", "2024-04", ... in order
    budget: dict[str, float]  # area -> the year's net budget (from the latest run)
    forecasts: dict[str, dict[str, float]]  # area -> period -> full-year net forecast
    proposals: set[tuple[str, str]]  # (area, period) where the forecast was the tool's proposal
    areas: list[str]  # in the order the latest run gave them

    def rows(self) -> list[list[str | float | None]]:
        """A table for a template or a chart: a heading row, then per area its budget and each follow-up's forecast."""
        head: list[str | float | None] = ["Produktionsområde", f"Budget {self.year}"]
        head += [f"Prognos {MONTHS_SV[int(p[5:7]) - 1]}" if len(p) == 7 else f"Prognos {p}" for p in self.periods]
        out = [head]
        for area in self.areas:
            line: list[str | float | None] = [area, self.budget.get(area)]
            line += [self.forecasts.get(area, {}).get(p) for p in self.periods]
            out.append(line)
        return out


def in_unit(value: float, unit: str, target: str) -> float:
    """A kept figure in ``target``'s unit (it was kept in ``unit``); unchanged where either is unknown."""
    if unit == target or unit not in UNIT_FACTOR or target not in UNIT_FACTOR:
        return value
    return value * UNIT_FACTOR[unit] / UNIT_FACTOR[target]


def forecast_development(runs: Iterable[RunRecord], year: int) -> ForecastDevelopment:
    """From the history: the forecast per area at each earlier follow-up of ``year``, and the budget.

    Only fills record forecasts. When a period was filled more than once, the last run counts.
    """
    latest: dict[str, RunRecord] = {}
    for run in runs:
        if run.command != "fill" or run.year != year or not run.period:
            continue
        if run.period not in latest or run.when >= latest[run.period].when:
            latest[run.period] = run
    periods = sorted(latest)
    forecasts: dict[str, dict[str, float]] = {}
    proposals: set[tuple[str, str]] = set()
    budget: dict[str, float] = {}
    areas: list[str] = []
    # one unit for the whole table, the latest run's: a month kept in tkr and another in mkr read alike
    kept = [f.unit for p in periods for f in latest[p].figures if f.kind == "net" and f.unit in UNIT_FACTOR]
    unit = kept[-1] if kept else ""
    for period in periods:
        for fig in latest[period].figures:
            value = in_unit(fig.value, fig.unit, unit)
            if fig.measure == "forecast" and fig.kind == "net":
                forecasts.setdefault(fig.area, {})[period] = value
                if fig.note == "förslag":
                    proposals.add((fig.area, period))
            elif fig.measure == "budget" and fig.kind == "net":
                budget[fig.area] = value  # the latest run's budget wins
    if periods:
        last = latest[periods[-1]]
        areas = list(dict.fromkeys(f.area for f in last.figures if f.measure in ("budget", "forecast") and f.area != last.board))
    for area in forecasts:
        if area not in areas:
            areas.append(area)
    return ForecastDevelopment(year, unit, periods, budget, forecasts, proposals, areas)


def previous_run(runs: Iterable[RunRecord], command: str, period: str, before: str) -> RunRecord | None:
    """The last ``command`` run for ``period`` that ran before ``before`` (ISO time), or None."""
    best: RunRecord | None = None
    for run in runs:
        if run.command == command and run.period == period and run.when < before and (best is None or run.when > best.when):
            best = run
    return best


def previous_figures(runs: Iterable[RunRecord], command: str, period: str, before: str) -> dict[str, dict[str, float]]:
    """Area -> measure -> net of the last ``command`` run for ``period`` that ran before ``before``.

    What the reconciliation workbook shows as "samma period, förra körningen" beside today's.
    """
    best = previous_run(runs, command, period, before)
    out: dict[str, dict[str, float]] = {}
    if best is not None:
        for fig in best.figures:
            if fig.kind == "net":
                out.setdefault(fig.area, {})[fig.measure] = fig.value
    return out


def _warnings(n: int) -> str:
    return f"{n} varning" if n == 1 else f"{n} varningar"


# --- in words -------------------------------------------------------------------------


def _files_sv(run: RunRecord) -> str:
    return ", ".join(f.name for f in run.files if f.role != "settings") or "–"


def list_lines(runs: Iterable[RunRecord], counts: Mapping[int, Mapping[str, int]] | None = None) -> list[str]:
    """One line per run: id, when, what, period, files, result."""
    out = []
    for r in runs:
        c = (counts or {}).get(r.id or -1) or r.counts()
        result = f"{c['error']} fel, {_warnings(c['warning'])}" + (f", {c['silenced']} undantagna" if c.get("silenced") else "")
        what = COMMAND_SV.get(r.command, r.command)
        period = f" {r.period}" if r.period else f" {r.year}"
        out.append(
            f"{r.id:>5}  {r.when[:16].replace('T', ' ')}  {what}{period}  {_files_sv(r)}  ({result}, slutkod {r.exit_code})"
        )
    return out


def detail_lines(run: RunRecord) -> list[str]:
    """One run in full: when, who, files with their SHA-256, findings, figures."""
    lines = [
        f"Körning {run.id}: {COMMAND_SV.get(run.command, run.command)}"
        + (f" för {run.period}" if run.period else f", budgetår {run.year}"),
        f"Tid: {run.when}   Användare: {run.user or '–'}   vpexcel {run.version}   Slutkod: {run.exit_code}",
        f"{run.municipality}, {run.board}. Resultat: {run.summary_sv()}.",
        "Filer:",
    ]
    lines += [
        f"  {ROLE_SV.get(f.role, f.role)}: {f.name} ({f.size} byte) SHA-256 {f.sha256 or 'kunde inte läsas'}" for f in run.files
    ]
    lines.append("Fynd:" if run.findings else "Fynd: inga.")
    for f in run.findings:
        where = "!".join(x for x in (f.sheet, f.cell) if x) or "hela filen"
        lines.append(f"  {f.code} {where}: {f.message}" + (f" (undantag: {f.silenced})" if f.silenced else ""))
    for note in run.notes:
        lines.append(f"  {note}")
    nets = [g for g in run.figures if g.kind == "net"]
    if nets:
        lines.append("Belopp (netto):")
        for g in nets:
            note = f" ({g.note})" if g.note else ""
            lines.append(f"  {g.area}, {MEASURE_SV.get(g.measure, g.measure)} {g.period}: {_sv(g.value)} {g.unit}{note}")
    return lines


MEASURE_SV = {
    "budget": "budget",
    "budget_to_date": "budget t.o.m. perioden",
    "actual_month": "utfall månaden",
    "actual_to_date": "utfall t.o.m. perioden",
    "forecast": "prognos helår",
    "utfall": "utfall",
    "prognos": "prognos",
    "avvikelse": "avvikelse",
}


def _sv(v: float) -> str:
    from vpexcel.numbers import format_sv

    return format_sv(v, 1)
