"""Fill a follow-up template: find where each figure goes the way a person would, and say what could not be placed.

Pure: takes the template as a cell grid (values, formulas, defined names) and the
data (reconciliation, forecasts, indicators, statuses) and returns the cell values
to write. Writing them into the template's file is ``vpexcel.io.xlsx_patch``.

What is recognised:
* placeholders ``{{period}}``, ``{{datum}}``, ``{{namnd}}``, ``{{kommun}}``, ``{{ar}}``,
  ``{{rapport}}``, ``{{prognoskalla}}`` anywhere in a cell's text, and defined names
  ``vp_period``, ``vp_datum``, ... pointing at a cell;
* a driftredovisning table: a header row with known column names (Budget helår,
  Periodiserad budget, Utfall ack., Prognos helår, Avvikelse, Förbrukning % ...)
  and rows whose first cell names an area or the total;
* an indicator table (Indikator, years, expected direction, outcome);
* a table of financial targets (Mål, Målvärde, Utfall, Uppfyllt);
* status tables (internal control plan, priorities): a Status column per row.
Formula cells and columns the tool does not know (Kommentar, Åtgärder) are never written;
the formulas that read filled cells get new stored results (``formula_eval``) so a
preview shows the right totals. Amounts go in the unit the template states, rows are
matched by the one area matcher, and a December (or bokslut) template is filled as
year-end: outcome and budget deviation, no forecast.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vpexcel.errors import InputError
from vpexcel.formula_eval import recalculate
from vpexcel.grid import CellValue, SheetGrid, WorkbookGrid, a1, parse_a1
from vpexcel.kolada import KoladaCache
from vpexcel.layout import find_unit
from vpexcel.numbers import classify, format_sv
from vpexcel.reconcile import MONTHS_SV, AreaResult, Reconciliation
from vpexcel.settings import UNIT_FACTOR, Indicator, Settings, normalize

if TYPE_CHECKING:
    from vpexcel.history import ForecastDevelopment

REPORT_NAMES = {
    2: "Månadsrapport februari",
    4: "Tertialrapport 1",
    8: "Delårsrapport",
    10: "Månadsrapport oktober",
    12: "Verksamhetsberättelse och årsbokslut",
}
STATUSES = ("grön", "gul", "röd")
HEADER_SCAN = 60


@dataclass(frozen=True)
class Forecast:
    net: float  # full-year net in the report's unit
    comment: str | None = None
    proposal: bool = False  # proposed by the tool: actual to date plus the budget of the remaining months


@dataclass(frozen=True)
class StatusLine:
    key: str  # the row's text (a risk, a control, a priority), matched on its beginning
    status: str  # grön, gul or röd
    comment: str | None = None


@dataclass
class FillData:
    settings: Settings
    rec: Reconciliation
    forecasts: dict[str, Forecast]
    statuses: list[StatusLine] = field(default_factory=list)
    kolada: KoladaCache | None = None
    report_date: dt.date = field(default_factory=dt.date.today)
    development: ForecastDevelopment | None = None  # the year's earlier forecasts, from the history (read by the edge)

    @property
    def year(self) -> int:
        return self.rec.year

    @property
    def month(self) -> int:
        return self.rec.month

    def board_forecast(self) -> Forecast:
        nets = [self.forecasts[a.area].net for a in self.rec.areas if a.area in self.forecasts]
        return Forecast(sum(nets), None, any(f.proposal for f in self.forecasts.values()))


@dataclass
class FillPlan:
    updates: dict[str, dict[tuple[int, int], CellValue]] = field(default_factory=dict)
    filled: list[str] = field(default_factory=list)  # Swedish lines: what was filled
    missing: list[str] = field(default_factory=list)  # Swedish lines: what could not be placed (exit code 1)
    no_data: list[str] = field(default_factory=list)  # Swedish lines: a place found, but no figure for it yet
    warnings: list[str] = field(default_factory=list)  # Swedish lines: filled, but worth a look
    headings: list[str] = field(default_factory=list)  # Swedish lines: unit and deviation convention used
    notes: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # cell notes (vpexcel's proposals)
    cached: dict[str, dict[tuple[int, int], CellValue]] = field(default_factory=dict)  # formulas' new stored results
    left_to_excel: int = 0  # formulas that read filled cells but that vpexcel does not compute
    left_cells: list[str] = field(default_factory=list)  # where those formulas are (Blad!A1), for the summary
    proposals: list[str] = field(default_factory=list)  # areas whose written forecast is vpexcel's proposal
    recognised: int = 0  # structures of the template vpexcel understood and found data for

    def put(self, sheet: SheetGrid, row: int, col: int, value: CellValue) -> bool:
        """Plan a value unless the template has a formula there (formulas stay the template's)."""
        if sheet.formula(row, col) is not None:
            return False
        if isinstance(value, float) and not math.isfinite(value):  # inf/nan: no figure to write
            self.missing.append(
                f"{sheet.name}!{a1(row, col)}: värdet är inget ändligt tal (oändligt eller NaN) och har inte skrivits; kontrollera budgeten och huvudboken."
            )
            return False
        self.updates.setdefault(sheet.name, {})[(row, col)] = value
        return True

    def note(self, sheet: SheetGrid, row: int, col: int, text: str) -> None:
        self.notes.setdefault(sheet.name, {})[(row, col)] = text

    def merge(self, other: FillPlan) -> None:
        """Take over another plan's cells, notes and lines (a table planned on its own)."""
        for sheet, cells in other.updates.items():
            self.updates.setdefault(sheet, {}).update(cells)
        for sheet, notes in other.notes.items():
            self.notes.setdefault(sheet, {}).update(notes)
        for name in ("filled", "missing", "no_data", "warnings", "headings", "proposals"):
            getattr(self, name).extend(getattr(other, name))

    @property
    def count(self) -> int:
        return sum(len(c) for c in self.updates.values())

    @property
    def exit_code(self) -> int:
        """0 when everything found its place, 1 when something could not be placed (the lines in ``missing``)."""
        return 1 if self.missing else 0


def propose_forecasts(rec: Reconciliation, given: dict[str, Forecast]) -> dict[str, Forecast]:
    """Given forecasts, and a proposal for every area without one: actual to date + budget of the remaining months."""
    out = dict(given)
    rest = (12 - rec.month) / 12
    for a in rec.areas:
        if a.area not in out:
            out[a.area] = Forecast(a.actual_to_date.net + a.budget.net * rest, None, True)
    return out


# --- single values --------------------------------------------------------------
def single_values(data: FillData) -> dict[str, CellValue]:
    month = MONTHS_SV[data.month - 1]
    proposal = any(f.proposal for f in data.forecasts.values())
    return {
        "period": f"januari–{month} {data.year}" if data.month > 1 else f"januari {data.year}",
        "periodkod": f"{data.year}-{data.month:02d}",
        "datum": data.report_date.isoformat(),
        "namnd": data.settings.board,
        "kommun": data.settings.municipality,
        "ar": data.year,
        "rapport": REPORT_NAMES.get(data.month, f"Uppföljning {month}"),
        "enhet": data.rec.unit,
        "prognoskalla": "Bokslut: utfall helår, ingen prognos"
        if data.month == 12
        else "Förslag: utfall hittills plus budget för resterande månader"
        if proposal
        else "Produktionsområdenas prognoser",
        "avvikelse": deviation_text(data.settings),
    }


# --- deviations, months, units -------------------------------------------------------
def deviation(settings: Settings, budget: float, outcome: float) -> float:
    """A net deviation under the settings' convention (net: revenue + cost, a cost is negative).

    negativ_underskott (default): outcome − budget, so a result worse than budget is negative;
    positiv_underskott: budget − outcome, so a worse result is positive.
    """
    return outcome - budget if settings.deviation == "negativ_underskott" else budget - outcome


def deviation_text(settings: Settings) -> str:
    if settings.deviation == "negativ_underskott":
        return "Avvikelse = utfall/prognos − budget: ett negativt tal är ett underskott (sämre än budget)."
    return "Avvikelse = budget − utfall/prognos: ett positivt tal är ett underskott (sämre än budget)."


def _months(first: int, last: int) -> str:
    names = [m[:3] for m in MONTHS_SV]
    return names[first - 1] if first == last else f"{names[first - 1]}–{names[last - 1]}"


def proposal_text(month: int) -> str:
    """What a proposed forecast is made of, for its cell note and the comment column."""
    if month >= 12:
        return "Förslag från vpexcel: utfall helår"
    return f"Förslag från vpexcel: utfall {_months(1, month)} + budget {_months(month + 1, 12)}"


_PLACEHOLDER = re.compile(r"\{\{\s*([a-zåäö_]+)\s*\}\}", re.IGNORECASE)


def _singles(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    values = single_values(data)
    for name, ref in book.defined_names.items():
        key = name.rsplit("!", 1)[-1].lower()  # a name scoped to one sheet is kept as "Sheet!name"
        if not key.startswith("vp_"):
            continue
        field_name = key[3:]
        m = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)", ref.strip())
        if field_name not in values:
            plan.missing.append(f"Namnet {name} pekar på {ref}, men vpexcel har inget värde som heter {field_name}.")
            continue
        sheet = book.sheet(m.group(1).replace("''", "'")) if m else None
        if m is None or sheet is None:
            plan.missing.append(f"Namnet {name} pekar inte på en enskild cell ({ref}); peka det på en cell.")
            continue
        row, col = parse_a1(m.group(2) + m.group(3))
        if plan.put(sheet, row, col, values[field_name]):
            plan.filled.append(f"{sheet.name}!{a1(row, col)} ({name}) = {values[field_name]}")
            plan.recognised += 1
    for sheet in book.sheets:
        for r, line in enumerate(sheet.rows):
            for c, v in enumerate(line):
                if not isinstance(v, str) or "{{" not in v:
                    continue
                keys = _PLACEHOLDER.findall(v)
                if not keys:
                    continue
                unknown = [k for k in keys if k.lower() not in values]
                if unknown:
                    plan.missing.append(f"{sheet.name}!{a1(r, c)}: platshållaren {{{{{unknown[0]}}}}} är okänd.")
                    continue
                whole = _PLACEHOLDER.fullmatch(v.strip())
                new: CellValue = (
                    values[whole.group(1).lower()] if whole else _PLACEHOLDER.sub(lambda mm: str(values[mm.group(1).lower()]), v)
                )
                if plan.put(sheet, r, c, new):
                    plan.filled.append(f"{sheet.name}!{a1(r, c)} = {new}")
                    plan.recognised += 1


# --- the driftredovisning table -------------------------------------------------
Measure = Callable[[AreaResult, Forecast | None], float | str | None]
FORECAST_KINDS = ("prognos helår", "prognoskommentar", "avvikelse mot prognos")
YEAR_END_WORDS = ("bokslut", "årsredovisning", "årsbokslut", "verksamhetsberättelse")
_COMMENT_WORDS = ("kommentar", "åtgärd", "analys", "förklaring")


def _column(header: str, settings: Settings, year_end: bool = False) -> tuple[str, Measure] | None:
    """What a driftredovisning column holds, from its heading; None for columns left to the user.

    Amounts come in the reconciliation's unit; the caller scales them to the template's.
    At year-end the year's actual is the outcome, deviations are against the budget, and
    forecast columns are left empty.
    """
    h = normalize(header)
    if not h or (any(w in h for w in _COMMENT_WORDS) and "prognos" not in h):
        return None
    part = "revenue" if "intäkt" in h else "cost" if ("kostnad" in h and "netto" not in h) else "net"

    def pick(figures_of: Callable[[AreaResult], object], budget: bool = False) -> Measure:
        # a net-only budget (revenue and cost 0, the net not): its gross budget columns are left empty, not 0
        net_only = budget and part != "net"
        return lambda a, f: (
            None if net_only and a.budget.revenue == a.budget.cost == 0 != a.budget.net else float(getattr(figures_of(a), part))
        )

    def dev(budget: float, outcome: float) -> float:
        return deviation(settings, budget, outcome)

    if "prognos" in h and "kommentar" in h:
        return "prognoskommentar", lambda a, f: f.comment if f else None
    if ("avvikelse" in h and "prognos" in h) or h in ("avvikelse", "budgetavvikelse", "avvikelse helår"):
        if year_end and "prognos" not in h:
            return "budgetavvikelse", lambda a, f: dev(a.budget.net, a.actual_to_date.net)
        return "avvikelse mot prognos", lambda a, f: dev(a.budget.net, f.net) if f else None
    if "avvikelse" in h and not any(w in h for w in ("ack", "period", "hittills", "t.o.m", "månad")):
        # "Avvikelse mot budget", "Avvikelse helår": the year's deviation, as "Avvikelse" alone
        if year_end:
            return "budgetavvikelse", lambda a, f: dev(a.budget.net, a.actual_to_date.net)
        return "avvikelse mot prognos", lambda a, f: dev(a.budget.net, f.net) if f else None
    if "avvikelse" in h:
        return "avvikelse mot periodiserad budget", lambda a, f: dev(a.budget_to_date.net, a.actual_to_date.net)
    if "förbrukning" in h or "förbrukat" in h:
        return "förbrukning", lambda a, f: a.used_share
    if "prognos" in h:
        return "prognos helår", lambda a, f: f.net if f else None
    if "periodiserad" in h or ("budget" in h and any(w in h for w in ("ack", "t.o.m", "tom ", "perioden"))):
        return "periodiserad budget", pick(lambda a: a.budget_to_date, budget=True)
    if "utfall" in h and ("månad" in h or "perioden" in h):
        return "utfall månaden", pick(lambda a: a.actual_month)
    if "utfall" in h:
        return ("utfall helår" if year_end else "utfall ack."), pick(lambda a: a.actual_to_date)
    if "budget" in h:
        return "budget helår", pick(lambda a: a.budget, budget=True)
    return None


def _text(v: CellValue) -> str:
    return v.strip() if isinstance(v, str) else ""


def _says_year_end(text: str) -> bool:
    """A title or sheet name of a year-end report; "Bokslutsprognos" is a forecast, not a bokslut."""
    t = normalize(text)
    return any(w in t for w in YEAR_END_WORDS) and "prognos" not in t


def is_year_end(book: WorkbookGrid, data: FillData) -> bool:
    """December, or a template that calls itself a bokslut or årsredovisning (in a sheet name or a title)."""
    if data.month == 12:
        return True
    for sheet in book.sheets:
        if _says_year_end(sheet.name):
            return True
        for line in sheet.rows[:6]:
            if any(_says_year_end(t) for v in line if (t := _text(v)) and "{{" not in t):
                return True
    return False


_AMOUNT_KINDS = ("budget helår", "periodiserad budget", "utfall ack.", "utfall helår", "utfall månaden", "prognos helår")
_SKIP_UNIT_WORDS = ("%", "förbrukning", "andel", "procent", "antal", "årsarbet", "index")  # columns of no amounts


def _unit_check(sheet: SheetGrid, unit: str, where: str | None, pairs: list[tuple[float, float]], plan: FillPlan) -> None:
    """Warn when the numbers already in the table are about a thousand times off the figures in the stated unit."""
    ratios = sorted(abs(old) / abs(new) for old, new in pairs if old and new)
    if len(ratios) < 2:
        return
    ratio = ratios[len(ratios) // 2]
    if 1 / 100 < ratio < 100:
        return
    steps = round(math.log10(ratio) / 3)
    units = list(UNIT_FACTOR)  # kr, tkr, mkr
    i = units.index(unit) - steps
    looks = units[i] if 0 <= i < len(units) else "en annan enhet"
    plan.warnings.append(
        f"{sheet.name}: mallen anger {unit}" + (f" ({where})" if where else "") + f", men talen som redan står i tabellen "
        f"ser ut att vara i {looks} (ungefär {format_sv(max(ratio, 1 / ratio), 0)} gånger {'större' if ratio > 1 else 'mindre'} "
        f"än budgeten i {unit}). vpexcel har skrivit i {unit}; rätta enheten eller talen i mallen."
    )


def _formulas_on_forecasts(sheet: SheetGrid, header: int, end: int, heads: dict[int, str], plan: FillPlan) -> None:
    """At year-end: warn about the table's formulas that read a forecast column left empty."""
    from vpexcel.formulas import references

    forecast_cols = {c for c, h in heads.items() if "prognos" in h and "kommentar" not in h and "avvikelse" not in h}
    cells = sorted(
        (r, c)
        for (r, c), text in sheet.formulas.items()
        if header < r < end
        and any(ref.col1 <= fc <= ref.col2 and ref.sheet is None for ref in references(text) for fc in forecast_cols)
    )
    if cells:
        first = a1(*cells[0])
        plan.warnings.append(
            f"{sheet.name}: {len(cells)} formler (till exempel {first}) räknar med prognoskolumnen, som lämnas tom i bokslutet; "
            "de visar därför inget rättvisande värde. Räkna avvikelsen mot utfallet i bokslutet."
        )


def _other_year(header: str, year: int) -> int | None:
    """A year the heading names other than the report's ("Utfall 2023" in a 2024 report): not a column to fill."""
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", header)]
    return next((y for y in years if y != year), None) if years and year not in years else None


def _operating_tables(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    settings = data.settings
    by_area = {normalize(a.area): a for a in data.rec.areas}
    total_words = ("totalt", "summa", "nämnden totalt", "total", normalize(settings.board))
    year_end = is_year_end(book, data)
    note_text = proposal_text(data.month)
    placed: set[str] = set()
    suggested: set[str] = set()  # areas a row that names no area was asked about ("menar du ...?")
    tables = 0
    for sheet in book.sheets:
        r = 0
        while r < min(sheet.height, HEADER_SCAN):
            cols = {
                c: m
                for c, v in enumerate(sheet.rows[r])
                if (m := _column(_text(v), settings, year_end)) and _other_year(_text(v), data.year) is None
            }
            if len(cols) < 2 or _is_development(sheet, r):
                r += 1
                continue
            heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
            label_col = min(c for c, v in enumerate(sheet.rows[r]) if _text(v)) if any(_text(v) for v in sheet.rows[r]) else 0
            label_col = min(label_col, min(cols))
            skipped = sorted({w for w, _ in cols.values() if year_end and w in FORECAST_KINDS})
            if year_end:
                cols = {c: m for c, m in cols.items() if m[0] not in FORECAST_KINDS}
            comment_col = next((c for c, m in cols.items() if m[0] == "prognoskommentar"), None)
            if comment_col is None and not year_end:
                comment_col = next(
                    (c for c, h in heads.items() if c not in cols and c != label_col and "kommentar" in h and "prognos" not in h),
                    None,
                )
            forecast_col = next((c for c, m in cols.items() if m[0] == "prognos helår"), None)
            table = FillPlan()  # this table's cells, kept only when a row names an area
            unit, unit_cell = find_unit(sheet, r)
            if unit is None:
                unit = settings.unit
                table.headings.append(
                    f"{sheet.name}: mallen anger ingen enhet; beloppen skrivs i {unit} (inställningarnas enhet). "
                    f"Skriv till exempel 'Belopp i tkr' ovanför tabellen om den ska vara i en annan enhet."
                )
            else:
                table.headings.append(f"{sheet.name}: beloppen skrivs i {unit}, som mallen anger ({unit_cell}).")
            factor = UNIT_FACTOR[data.rec.unit] / UNIT_FACTOR[unit]
            pairs: list[tuple[float, float]] = []
            filled_rows = area_rows = 0
            own_formulas: list[str] = []  # cells of the table that hold the template's own formula
            row_of_area: dict[str, str] = {}  # area -> the cell of its first row in this table
            rr = r + 1
            blank = 0
            while rr < sheet.height and blank < 2:
                label = _text(sheet.value(rr, label_col))
                if not label:
                    blank += 1
                    rr += 1
                    continue
                blank = 0
                key = normalize(label)
                area = settings.find_area(label)
                result = by_area.get(normalize(area.name)) if area else None
                forecast = data.forecasts.get(result.area) if result else None
                is_total = False
                if result is None and key.startswith(total_words):
                    result, forecast, is_total = data.rec.board, data.board_forecast(), True
                if result is None:
                    if area is not None and area.parent is not None:
                        table.missing.append(
                            f"{sheet.name}!{a1(rr, label_col)}: {label} är ett delområde; avstämningen redovisar områden, "
                            "så raden lämnas orörd."
                        )
                    elif not key.startswith(("varav", "därav")):
                        hint = settings.suggest(label)
                        if hint:
                            suggested.add(hint)
                        table.missing.append(
                            f"{sheet.name}!{a1(rr, label_col)}: '{label}' är inget produktionsområde i inställningarna"
                            + (f" (menar du {hint}?)" if hint else "")
                            + "; raden lämnas orörd. Lägg till namnet som alias under Produktionsområden i Inställningar."
                        )
                    rr += 1
                    continue
                if not is_total:
                    first = row_of_area.setdefault(result.area, a1(rr, label_col))
                    if first != a1(rr, label_col):  # two rows for one area: a total over them would count it twice
                        table.missing.append(
                            f"{sheet.name}!{a1(rr, label_col)}: '{label}' är samma produktionsområde ({result.area}) som "
                            f"raden {first}; raden lämnas orörd så att summan inte räknar området två gånger. "
                            "Ta bort den ena raden eller byt namn på den."
                        )
                        rr += 1
                        continue
                    placed.add(result.area)
                    area_rows += 1
                for c, (what, measure) in cols.items():
                    value = measure(result, forecast)
                    if c == comment_col and what != "prognoskommentar":
                        continue
                    if value is None:
                        continue
                    if isinstance(value, float):
                        if what != "förbrukning":
                            value *= factor
                            old = classify(sheet.value(rr, c)).number
                            if what in _AMOUNT_KINDS and old is not None:
                                pairs.append((old, value))
                        value = round(value, 6)
                    if not table.put(sheet, rr, c, value) and sheet.formula(rr, c) is not None:
                        own_formulas.append(a1(rr, c))
                if forecast is not None and forecast.proposal and not is_total and not year_end and forecast_col is not None:
                    table.note(sheet, rr, forecast_col, note_text)
                    table.proposals.append(result.area)
                    if comment_col is not None and (
                        cols.get(comment_col, ("",))[0] == "prognoskommentar" or sheet.value(rr, comment_col) in (None, "")
                    ):
                        table.put(sheet, rr, comment_col, note_text)
                if not is_total:
                    for c, h in heads.items():  # numbers in the table's other amount columns (last year, ...)
                        old = classify(sheet.value(rr, c)).number if c not in cols and c != label_col else None
                        if old is not None and h and not any(w in h for w in _SKIP_UNIT_WORDS) and result.budget.net:
                            pairs.append((old, result.budget.net * factor))
                filled_rows += 1
                rr += 1
            kept = [
                _text(v)
                for c, v in enumerate(sheet.rows[r])
                if _text(v)
                and c not in cols
                and c != label_col
                and (_column(_text(v), settings, year_end) or ("",))[0] not in skipped
                and not (c == comment_col and table.proposals)
            ]
            if comment_col is not None and table.proposals and comment_col not in cols:
                kept.append(f"{_text(sheet.rows[r][comment_col])} (bara 'Förslag från vpexcel' i tomma celler)")
            table.filled.append(
                f"{sheet.name}: driftredovisningen på rad {r + 1}, {_count_sv(filled_rows, 'rad', 'rader')} × "
                f"{_count_sv(len(cols), 'kolumn', 'kolumner')} i {unit} "
                f"({', '.join(w for w, _ in cols.values())})"
                + (f"; orörda kolumner: {', '.join(kept)}" if kept else "")
                + (f"; celler med egna formler lämnas orörda: {', '.join(own_formulas)}" if own_formulas else "")
                + (f"; bokslut: {', '.join(skipped)} lämnas tomma" if skipped else "")
            )
            _unit_check(sheet, unit, unit_cell, pairs, table)
            if skipped:
                _formulas_on_forecasts(sheet, r, rr, heads, table)
            if area_rows:
                plan.merge(table)
                plan.recognised += 1
                tables += 1
            else:
                plan.warnings.append(
                    f"{sheet.name}: tabellen på rad {r + 1} har kolumner som en driftredovisning, men ingen rad heter som "
                    "ett produktionsområde i inställningarna; den lämnas orörd."
                )
            r = rr
    # an area a row above was told to be meant ("menar du ...?") is not said again as missing
    absent = [a.area for a in data.rec.areas if a.area not in placed and a.area not in suggested]
    if tables and absent:
        plan.missing.append(
            f"{_count_sv(len(absent), 'produktionsområde', 'produktionsområden')} i budgeten "
            f"har ingen rad i mallens driftredovisning: {', '.join(absent)}. "
            + (
                "Lägg till rader för dem, eller deras namn i mallen som alias i Inställningar."
                if len(absent) > 1
                else "Lägg till en rad för det, eller dess namn i mallen som alias i Inställningar."
            )
        )


# --- prognosutveckling ---------------------------------------------------------------
_FORECAST_MONTH = re.compile(r"^prognos (" + "|".join(MONTHS_SV) + r")\b")


def _month_columns(sheet: SheetGrid, row: int) -> dict[int, int]:
    """Column -> month of the headings "Prognos februari", "Prognos april", ... in a row."""
    out = {}
    for c, v in enumerate(sheet.rows[row]):
        m = _FORECAST_MONTH.match(normalize(_text(v)))
        if m:
            out[c] = MONTHS_SV.index(m.group(1)) + 1
    return out


def _is_development(sheet: SheetGrid, row: int) -> bool:
    """A prognosutveckling header: forecasts of two follow-ups side by side, or one on a sheet named so."""
    months = _month_columns(sheet, row)
    return len(months) >= 2 or (len(months) == 1 and "prognosutveckling" in normalize(sheet.name))


def _development_tables(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    """Budget and the full-year forecast at each follow-up of the year, per area.

    Earlier follow-ups come from the history (``data.development``); the report's own
    month from this fill's forecasts; later months stay empty. With no history the
    table is left empty and the summary says so (not a failure).
    """
    dev = data.development
    year_end = is_year_end(book, data)
    by_area = {a.area: a for a in data.rec.areas}
    for sheet in book.sheets:
        for r in range(min(sheet.height, HEADER_SCAN)):
            if not _is_development(sheet, r):
                continue
            months = _month_columns(sheet, r)
            heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
            label_col = min(c for c, h in heads.items() if h)
            budget_col = next((c for c, h in heads.items() if h.startswith("budget")), None)
            outcome_col = next((c for c, h in heads.items() if h.startswith("utfall")), None) if year_end else None
            plan.recognised += 1
            if dev is None or not dev.periods:
                plan.no_data.append(
                    f"{sheet.name}: Ingen prognoshistorik ännu; prognosutvecklingen på rad {r + 1} lämnas tom. "
                    "Den fylls när årets tidigare uppföljningar har fyllts med vpexcel (historiken sparar varje fill)."
                )
                continue
            unit, _ = find_unit(sheet, r)
            unit = unit or data.settings.unit
            to_unit = 1 / UNIT_FACTOR[unit]
            history_factor = UNIT_FACTOR.get(dev.unit or data.rec.unit, UNIT_FACTOR[data.rec.unit]) * to_unit
            rec_factor = UNIT_FACTOR[data.rec.unit] * to_unit
            used: set[int] = set()
            rows = 0
            rr, blank = r + 1, 0
            while rr < sheet.height and blank < 2:
                label = _text(sheet.value(rr, label_col))
                if not label:
                    blank, rr = blank + 1, rr + 1
                    continue
                blank = 0
                area = data.settings.find_area(label)
                result = by_area.get(area.name) if area else None
                if area is None or result is None:
                    rr += 1
                    continue  # the total (a formula in the template) and rows that name no area
                rows += 1
                if budget_col is not None:
                    plan.put(sheet, rr, budget_col, round(result.budget.net * rec_factor, 6))
                if outcome_col is not None:
                    plan.put(sheet, rr, outcome_col, round(result.actual_to_date.net * rec_factor, 6))
                for c, month in months.items():
                    value: float | None = None
                    if month == data.month and not year_end and area.name in data.forecasts:
                        value = data.forecasts[area.name].net * rec_factor
                    elif month < data.month or year_end:
                        got = dev.forecasts.get(area.name, {}).get(f"{data.year}-{month:02d}")
                        value = None if got is None else got * history_factor
                    if value is not None and plan.put(sheet, rr, c, round(value, 6)):
                        used.add(month)
                        proposed = (area.name, f"{data.year}-{month:02d}") in dev.proposals
                        if month == data.month and not year_end:
                            proposed = data.forecasts[area.name].proposal
                        if proposed:
                            plan.note(sheet, rr, c, f"{proposal_text(month)} (ingen prognos från området)")
                rr += 1
            earlier = [m for m in months.values() if m < data.month or year_end]
            lacking = [MONTHS_SV[m - 1] for m in sorted(earlier) if m not in used]
            names = [MONTHS_SV[m - 1] for m in sorted(used)]
            plan.filled.append(
                f"{sheet.name}: prognosutvecklingen på rad {r + 1}, {rows} produktionsområden i {unit}, "
                f"prognoser från {', '.join(names) if names else 'ingen uppföljning'}"
            )
            if lacking:
                plan.no_data.append(
                    f"{sheet.name}: ingen prognos i historiken för {', '.join(lacking)} {data.year}; de kolumnerna lämnas tomma "
                    "(uppföljningen fylldes inte med vpexcel, eller med historiken avstängd)."
                )


# --- indicators ----------------------------------------------------------------
_DIRECTIONS = {
    "ökande": "ökande",
    "öka": "ökande",
    "minskande": "minskande",
    "minska": "minskande",
    "bibehållen": "bibehållen",
    "bibehålla": "bibehållen",
}


def _indicator_for(settings: Settings, label: str) -> Indicator | None:
    key = normalize(label)
    best = None
    for ind in settings.indicators:
        for k in ind.match_keys():
            if k and k in key and (best is None or len(k) > best[0]):
                best = (len(k), ind)
    return best[1] if best else None


def indicator_value(data: FillData, ind: Indicator, year: int) -> float | None:
    if year in ind.values:
        return ind.values[year]
    return data.kolada.value(ind.kpi, year) if data.kolada else None


def moved_as_expected(direction: str, previous: float, current: float) -> bool:
    if direction == "ökande":
        return current > previous
    if direction == "minskande":
        return current < previous
    return abs(current - previous) <= 0.02 * max(abs(previous), 1e-9)


def _year_of(v: CellValue) -> int | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 1900 <= v <= 2200:
        return int(v)
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(?:utfall\s+)?((?:19|20)\d{2})\s*", v, re.IGNORECASE)
        return int(m.group(1)) if m else None
    return None


def _indicator_tables(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    for sheet in book.sheets:
        for r in range(min(sheet.height, HEADER_SCAN)):
            line = sheet.rows[r]
            heads = {c: normalize(_text(v)) for c, v in enumerate(line)}
            label_col = next((c for c, h in heads.items() if h.startswith(("indikator", "nyckeltal"))), None)
            if label_col is None:
                continue
            years = {c: y for c, v in enumerate(line) if (y := _year_of(v)) is not None}
            if not years:
                continue  # a title such as "Indikatorer", not the table's header
            year_col = next((c for c, y in years.items() if y == data.year), None)
            direction_col = next(
                (c for c, h in heads.items() if ("riktning" in h and "uppnådd" not in h) or "förväntad" in h), None
            )
            outcome_col = next(
                (c for c, h in heads.items() if any(w in h for w in ("uppnådd", "bedömning", "måluppfyllelse", "utveckling"))),
                None,
            )
            if year_col is None:
                plan.missing.append(f"{sheet.name}!{a1(r, label_col)}: indikatortabellen saknar en kolumn för {data.year}.")
                continue
            n, known = 0, 0
            for rr in range(r + 1, sheet.height):
                label = _text(sheet.value(rr, label_col))
                if not label:
                    if n or rr > r + 3:
                        break
                    continue
                ind = _indicator_for(data.settings, label)
                if ind is None:
                    plan.missing.append(
                        f"{sheet.name}!{a1(rr, label_col)}: '{label[:40]}' är ingen känd indikator; "
                        "lägg till den under Indikatorer i Inställningar."
                    )
                    continue
                known += 1
                value = indicator_value(data, ind, data.year)
                if value is None:
                    plan.no_data.append(
                        f"{sheet.name}!{a1(rr, year_col)}: inget värde för {ind.name} {data.year}"
                        + (
                            f" (Kolada {ind.kpi}); hämta med 'vpexcel kolada fetch'."
                            if ind.kpi
                            else "; skriv in det i inställningarna."
                        )
                    )
                    continue
                plan.put(sheet, rr, year_col, value)
                n += 1
                if outcome_col is None:
                    continue
                direction = ind.direction
                if direction_col is not None:
                    direction = _DIRECTIONS.get(normalize(_text(sheet.value(rr, direction_col))), direction)  # type: ignore[assignment]
                prev_col = next((c for c, y in years.items() if y == data.year - 1), None)
                prev = classify(sheet.value(rr, prev_col)).number if prev_col is not None else None
                if prev is None:
                    prev = indicator_value(data, ind, data.year - 1)
                outcome = "Uppgift saknas" if prev is None else ("Ja" if moved_as_expected(direction, prev, value) else "Nej")
                plan.put(sheet, rr, outcome_col, outcome)
            plan.filled.append(f"{sheet.name}: indikatorer på rad {r + 1}, {n} värden för {data.year}")
            plan.recognised += 1 if known else 0


# --- financial targets -------------------------------------------------------------
def _target_tables(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    for sheet in book.sheets:
        for r in range(min(sheet.height, HEADER_SCAN)):
            heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
            label_col = next(
                (c for c, h in heads.items() if h in ("mål", "finansiellt mål", "finansiella mål", "målsättning")), None
            )
            value_col = next((c for c, h in heads.items() if h.startswith("utfall")), None)
            if label_col is None or value_col is None:
                continue
            target_col = next((c for c, h in heads.items() if h.startswith(("målvärde", "målnivå"))), None)
            met_col = next((c for c, h in heads.items() if h.startswith(("uppfyllt", "måluppfyllelse", "uppnått"))), None)
            n, known = 0, 0
            for rr in range(r + 1, min(r + 20, sheet.height)):
                label = normalize(_text(sheet.value(rr, label_col)))
                if not label:
                    break
                target = next((t for t in data.settings.targets if any(k in label for k in t.match_keys())), None)
                if target is None:
                    plan.missing.append(
                        f"{sheet.name}!{a1(rr, label_col)}: '{_text(sheet.value(rr, label_col))[:40]}' är inget känt finansiellt mål."
                    )
                    continue
                known += 1
                value = data.kolada.value(target.kpi, data.year) if data.kolada else None
                judged: tuple[float, int] | None = None
                if data.kolada and target.years > 1:
                    judged = data.kolada.average(target.kpi, data.year, target.years)
                elif value is not None:
                    judged = (value, 1)
                if value is None:
                    plan.no_data.append(
                        f"{sheet.name}!{a1(rr, value_col)}: inget värde för {target.name} {data.year} (Kolada {target.kpi})."
                    )
                else:
                    plan.put(sheet, rr, value_col, value)
                    n += 1
                if target_col is not None and classify(sheet.value(rr, target_col)).kind.value == "empty":
                    plan.put(
                        sheet,
                        rr,
                        target_col,
                        f"{target.operator} {format_sv(target.target, 1 if target.unit == '%' else 0)} {target.unit}".strip(),
                    )
                if met_col is not None and judged is not None:
                    verdict = "Ja" if target.met(judged[0]) else "Nej"
                    if target.years > 1:
                        verdict += f" (snitt {judged[1]} år: {format_sv(judged[0], 1)})"
                    plan.put(sheet, rr, met_col, verdict)
            plan.filled.append(f"{sheet.name}: finansiella mål på rad {r + 1}, {n} utfall")
            plan.recognised += 1 if known else 0


# --- status tables (internal control, priorities) ----------------------------------------
def _status_for(data: FillData, label: str) -> StatusLine | None:
    key = normalize(label)
    for s in data.statuses:
        k = normalize(s.key)
        if k and (key.startswith(k[:40]) or k.startswith(key[:40])):
            return s
    return None


def _status_tables(book: WorkbookGrid, data: FillData, plan: FillPlan) -> None:
    for sheet in book.sheets:
        for r in range(min(sheet.height, HEADER_SCAN)):
            heads = {c: normalize(_text(v)) for c, v in enumerate(sheet.rows[r])}
            status_col = next((c for c, h in heads.items() if h == "status"), None)
            if status_col is None:
                continue
            text_cols = [c for c, h in heads.items() if h and c != status_col and "kommentar" not in h]
            if not text_cols:
                continue
            label_col = text_cols[0]
            n, unknown = 0, 0
            for rr in range(r + 1, sheet.height):
                if not any(_text(sheet.value(rr, c)) for c in text_cols):
                    break
                # the row is known by any of its texts (a risk area repeats; the risk itself is unique)
                line = next((s for c in text_cols if (t := _text(sheet.value(rr, c))) and (s := _status_for(data, t))), None)
                if line is None:
                    unknown += 1
                    continue
                if line.status not in STATUSES:
                    plan.missing.append(
                        f"{sheet.name}!{a1(rr, status_col)}: statusen '{line.status}' ska vara grön, gul eller röd."
                    )
                    continue
                plan.put(sheet, rr, status_col, line.status)
                n += 1
            plan.recognised += 1 if n else 0
            title = _text(sheet.rows[r][label_col])
            plan.filled.append(f"{sheet.name}: status för {title.lower()} på rad {r + 1}, {n} rader; kommentarerna lämnas orörda")
            if unknown:
                plan.no_data.append(
                    f"{sheet.name}: {unknown} rader i tabellen {title!r} har ingen status i underlaget"
                    + ("" if data.statuses else " (ange en prognosarbetsbok med bladet Status)")
                    + "."
                )


def plan_fill(template: WorkbookGrid, data: FillData) -> FillPlan:
    """Every value to write into the template, with what was filled and what could not be placed."""
    plan = FillPlan()
    _singles(template, data, plan)
    _operating_tables(template, data, plan)
    _development_tables(template, data, plan)
    _indicator_tables(template, data, plan)
    _target_tables(template, data, plan)
    _status_tables(template, data, plan)
    if not plan.recognised:
        raise InputError(
            f"{template.name} är ingen mall som vpexcel känner igen (inga platshållare som {{{{period}}}}, inga vp_-namn "
            "och ingen tabell med kända rubriker och en rad per produktionsområde i inställningarna), så ingenting har skrivits."
        )
    for sheet in template.sheets:
        filled = plan.updates.get(sheet.name)
        if not filled:
            continue
        done = recalculate(sheet, filled)
        if done.values:
            plan.cached[sheet.name] = done.values
        plan.left_to_excel += len(done.left)
        plan.left_cells += [f"{sheet.name}!{a1(r, c)}" for r, c in done.left]
    plan.left_to_excel += _read_from_other_sheets(template, plan)
    plan.headings.append(f"Tecken enligt inställningen Avvikelse: {deviation_text(data.settings)}")
    return plan


def _read_from_other_sheets(book: WorkbookGrid, plan: FillPlan) -> int:
    """Formulas that read filled or recomputed cells of another sheet: left to Excel, and counted."""
    from vpexcel.formulas import references

    touched = {name.casefold(): set(plan.updates.get(name, {})) | set(plan.cached.get(name, {})) for name in plan.updates}
    count = 0
    for sheet in book.sheets:
        for at, text in sheet.formulas.items():
            for ref in references(text):
                cells = touched.get(ref.sheet.casefold()) if ref.sheet and ref.sheet.casefold() != sheet.name.casefold() else None
                if cells and any(ref.row1 <= r <= ref.row2 and ref.col1 <= c <= ref.col2 for r, c in cells):
                    count += 1
                    plan.left_cells.append(f"{sheet.name}!{a1(*at)}")
                    break
    return count


def _count_sv(n: int, one: str, many: str) -> str:
    """ "1 formel", "2 formler": a count with the Swedish singular or plural."""
    return f"{n} {one if n == 1 else many}"


def summary(plan: FillPlan) -> list[str]:
    """The fill's printed summary after its first line: headings, what was filled, what was not and why."""
    lines = [f"  {h}" for h in plan.headings]
    lines += [f"  Fyllt: {line}" for line in plan.filled]
    proposals = sorted(set(plan.proposals))
    if proposals:
        lines.append(
            "  Prognosen är ett förslag (utfall hittills plus budget för resterande månader, markerat i filen) för: "
            + ", ".join(proposals)
            + "."
        )
    computed = sum(len(v) for v in plan.cached.values())
    if computed:
        lines.append(
            f"  Beräknat: {_count_sv(computed, 'formel', 'formler')} som läser ifyllda celler "
            "(så att en förhandsvisning visar rätt summor)."
        )
    if plan.left_to_excel:
        shown = ", ".join(plan.left_cells[:10]) + (" …" if len(plan.left_cells) > 10 else "")
        lines.append(
            f"  {_count_sv(plan.left_to_excel, 'formel', 'formler')} som läser ifyllda celler räknar vpexcel inte ut"
            + (f" ({shown})" if shown else "")
            + f"; Excel räknar om {'den' if plan.left_to_excel == 1 else 'dem'} när filen öppnas "
            + "(en förhandsvisning kan visa gamla värden där)."
        )
    lines += [f"  Varning: {line}" for line in plan.warnings]
    lines += [f"  Inget värde ännu: {line}" for line in plan.no_data]
    lines += [f"  Kunde inte fylla: {line}" for line in plan.missing]
    return lines
