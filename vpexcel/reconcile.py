"""Reconcile the budget against the ledger: gross revenue, gross cost and net per area.

Pure: takes the budget's cell grid (through the validator's table detection) and
a :class:`LedgerData` frame, returns a :class:`Reconciliation` with its findings
(VP501-VP505). Money is summed in kronor and shown in the budget's unit.

Sign convention of the result: revenue positive, cost negative, net = revenue +
cost; variance = budget - actual (so for net, which is negative, a negative
variance means a lower net cost than budgeted).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import BaseModel, PrivateAttr

from vpexcel.errors import InputError
from vpexcel.findings import Finding, Report
from vpexcel.grid import WorkbookGrid, a1
from vpexcel.layout import ColumnKind, Measure, RowKind, Sign, Table
from vpexcel.ledger import LedgerData
from vpexcel.numbers import AmountKind, format_amount_sv, format_sv
from vpexcel.period import MONTHS_SV
from vpexcel.rules import make_finding
from vpexcel.settings import EVEN_KEY, LAST_YEAR_KEY, UNIT_FACTOR, Area, Settings, normalize
from vpexcel.validate import find_tables, settle_signs

# shares (of the year's budget), not money: kept to this many decimals in JSON
SHARE_PLACES = 10
_SHARES = frozenset({"used_share", "expected_cost_share"})


def money_places(unit: str) -> int:
    """Decimals that keep an amount in ``unit`` exact to the öre (kr 2, tkr 5, mkr 8): what is stored and
    written, so that sums carry no float noise (0.09999999999999999) and nothing booked is rounded away."""
    return 2 + round(math.log10(UNIT_FACTOR.get(unit, 1.0)))


def _exact(data: object, places: int) -> object:
    """Every amount in a JSON tree rounded to the öre, every share to SHARE_PLACES (findings left as they are)."""
    if isinstance(data, dict):
        return {
            k: (
                v
                if k == "findings"
                else round(v, SHARE_PLACES) + 0.0
                if k in _SHARES and isinstance(v, float)
                else _exact(v, places)
            )
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_exact(v, places) for v in data]
    if isinstance(data, float) and math.isfinite(data):
        return round(data, places) + 0.0
    return data


# the sign of the figures; the sign of a deviation follows the settings (Reconciliation.deviation_text)
SIGN_CONVENTION = "Intäkter visas positiva och kostnader negativa; netto = intäkter + kostnader."


@dataclass(frozen=True)
class BudgetLine:
    revenue: float
    cost: float
    net: float
    cell: str  # the net cell in the budget workbook


@dataclass
class BudgetFigures:
    """The year's budget per top-level area, in ``unit``, from one table of the budget workbook.

    Always in the reconciliation's sign convention (revenue positive, cost negative, net =
    revenue + cost), whichever the workbook keeps: a table with costs positive and net cost =
    cost − revenue (the table map's :attr:`Sign.COSTS_POSITIVE`) is turned over when read, and
    ``costs_positive`` says so.
    """

    year: int
    unit: str
    sheet: str
    areas: dict[str, BudgetLine]
    costs_positive: bool = False  # the workbook keeps costs positive (nettokostnad = kostnad − intäkt)
    net_only: bool = False  # the workbook budgets the net only: revenue and cost are 0, only the net is reconciled
    net_cost: bool = False  # the workbook's nets are nettokostnad (kostnad − intäkt): turned over when read

    def net_only_note(self) -> str | None:
        """Said once when only the net could be reconciled."""
        if not self.net_only:
            return None
        return (
            f"Budgeten på bladet {self.sheet!r} har bara netto per produktionsområde för {self.year}: nettot stäms av, "
            "men brutto intäkter och brutto kostnader kan inte stämmas av mot budget (de visas utan budget, och "
            "kostnadstakten per område kontrolleras inte). Lägg till kolumner för intäkter och kostnader "
            f"{self.year} om de ska stämmas av."
        )


def budget_figures(book: WorkbookGrid, settings: Settings, year: int | None = None) -> BudgetFigures:
    """The board's budget per area for ``year`` (default: the settings' budget year)."""
    year = year or settings.budget_year
    found = find_tables(book, settings)
    settle_signs(found)  # as validate does: a table whose figures cannot tell takes the workbook's convention
    tables = [t for t in found if t.layout == "areas"]
    for table in tables:
        rev, cost, net = (table.column(k, year) for k in (ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET))
        if not (rev and cost and net):
            continue
        areas = _areas_of(table, settings, rev.col, cost.col, net.col)
        if len(areas) * 2 >= len(settings.top_level()):
            flip = table.sign is Sign.COSTS_POSITIVE
            net_cost = flip and _nets_are_net_cost(areas.values())
            if flip:  # costs kept positive: the same budget with costs negative; the net only when it is nettokostnad
                areas = {k: BudgetLine(b.revenue, -b.cost, -b.net if net_cost else b.net, b.cell) for k, b in areas.items()}
            return BudgetFigures(year, table.unit or settings.unit, table.name, areas, flip, net_cost=net_cost)
    for table in tables:  # a budget kept as net only (the frame is a net): the net is reconciled, the gross cannot be
        net_column = table.column(ColumnKind.NET, year)
        if net_column is None or not table.rows_are_areas:
            continue
        areas = _areas_of(table, settings, None, None, net_column.col)
        if len(areas) * 2 >= len(settings.top_level()):
            flip = table.sign is Sign.COSTS_POSITIVE  # a net kept as nettokostnad: turned over as above
            if flip:
                areas = {k: BudgetLine(b.revenue, -b.cost, -b.net, b.cell) for k, b in areas.items()}
            return BudgetFigures(year, table.unit or settings.unit, table.name, areas, flip, net_only=True, net_cost=flip)
    raise InputError(_no_budget_table(book.name, tables, year, settings))


def _nets_are_net_cost(lines: Iterable[BudgetLine]) -> bool:
    """Whether the nets of a table with costs typed positive are nettokostnad (kostnad − intäkt) rather than
    netto (intäkt − kostnad): the reading the nets are nearer to, summed over the areas (a tie: nettokostnad)."""
    as_net_cost = as_net = 0.0
    for b in lines:
        as_net_cost += abs(b.net - (b.cost - b.revenue))
        as_net += abs(b.net - (b.revenue - b.cost))
    return as_net_cost <= as_net


def _no_budget_table(name: str, tables: list[Table], year: int, settings: Settings) -> str:
    """What the reconciliation needs and what the workbook has instead, table by table (validate may find
    nothing wrong with a budget kept as net only, or per account, or per month: it is no error there)."""
    need = (
        f"Budgetarbetsboken {name} kan inte stämmas av för {year}: avstämningen behöver en tabell med en rad per "
        f"produktionsområde och tre kolumner för {year}: brutto intäkt, brutto kostnad och netto "
        f"(till exempel rubrikerna 'Intäkter {year}', 'Kostnader {year}' och 'Netto {year}')."
    )
    found = []
    labels = {ColumnKind.REVENUE: "intäkt", ColumnKind.COST: "kostnad", ColumnKind.NET: "netto"}
    for table in tables[:3]:
        cols = [c for c in table.columns if c.kind in labels and c.measure is Measure.BUDGET]
        have = [c for c in cols if c.year == year]
        other = sorted({c.year for c in cols if c.year is not None and c.year != year})
        where = f"Bladet {table.name!r} (rubrikrad {table.header_row + 1})"
        if not have:
            found.append(
                f"{where} har ingen budgetkolumn för {year}" + (f", bara för {', '.join(map(str, other))}" if other else "") + "."
            )
        elif {c.kind for c in have} != set(labels):
            shown = ", ".join(f"{labels[c.kind]} i kolumn {a1(0, c.col).rstrip('1')} ({c.header!r})" for c in have)
            found.append(f"{where} har bara {shown} för {year}.")
        else:
            matched = sum(1 for r in table.rows if r.kind is RowKind.AREA and r.area is not None)
            found.append(
                f"{where} har intäkt, kostnad och netto för {year} men bara {matched} av "
                f"{len(settings.top_level())} produktionsområden i inställningarna."
            )
    if not tables:
        found.append(
            "Arbetsboken har ingen tabell med produktionsområdena som rader (till exempel bara tabeller per konto, "
            "ett blad per område eller ett blad per månad)."
        )
    how = (
        "Lägg till en sådan sammanställning (eller kolumnerna som fattas, netto = intäkter + kostnader), "
        "eller ange en annan period med --period. 'vpexcel validate --visa' visar hur tabellerna lästes."
    )
    return " ".join([need, *found, how])


def _areas_of(table: Table, settings: Settings, rev: int | None, cost: int | None, net: int) -> dict[str, BudgetLine]:
    out: dict[str, list[float]] = {}
    cells: dict[str, str] = {}
    present = {normalize(r.area.name) for r in table.rows if r.area is not None}
    for row in table.rows:
        if row.kind is not RowKind.AREA or row.area is None:
            continue
        top = _top(settings, row.area)
        if top is not row.area and normalize(top.name) in present:
            continue  # the parent's own row carries the sub-areas
        figures = [0.0 if c is None else _figure(table, row.row, c) for c in (rev, cost, net)]
        acc = out.setdefault(top.name, [0.0, 0.0, 0.0])
        for i in range(3):
            acc[i] += figures[i]
        cells.setdefault(top.name, a1(row.row, net))
    return {k: BudgetLine(v[0], v[1], v[2], cells[k]) for k, v in out.items()}


def _figure(table: Table, row: int, col: int) -> float:
    """An area's budget figure; an empty cell is 0, a cell that holds no number stops the run (never a silent 0)."""
    n = table.number(row, col)
    if n is not None:
        return n
    if table.amount(row, col).kind in (AmountKind.BAD, AmountKind.ERROR):
        shown = table.sheet.value(row, col)
        raise InputError(
            f"Budgeten går inte att använda: cell {a1(row, col)} på bladet {table.name!r} innehåller {str(shown)!r}, "
            "som inte är ett belopp. Rätta cellen (kör 'vpexcel validate' för att se alla fel) och försök igen."
        )
    return 0.0


def _top(settings: Settings, area: Area) -> Area:
    seen = 0
    while area.parent is not None and seen < 10:
        parent = settings.find_area(area.parent)
        if parent is None:
            break
        area, seen = parent, seen + 1
    return area


class Figures(BaseModel):
    """Revenue (positive), cost (negative) and net, in the report's unit.

    Net is revenue + cost, except for a budget, whose net is the figure the board
    decided (it may differ from revenue + cost by rounding).
    """

    revenue: float = 0.0
    cost: float = 0.0
    net: float = 0.0

    @classmethod
    def of(cls, revenue: float = 0.0, cost: float = 0.0, net: float | None = None) -> Figures:
        return cls(revenue=revenue, cost=cost, net=revenue + cost if net is None else net)

    def plus(self, other: Figures) -> Figures:
        return Figures(revenue=self.revenue + other.revenue, cost=self.cost + other.cost, net=self.net + other.net)

    def scaled(self, factor: float) -> Figures:
        return Figures(revenue=self.revenue * factor, cost=self.cost * factor, net=self.net * factor)


class AreaResult(BaseModel):
    area: str
    budget: Figures
    budget_to_date: Figures  # the year's budget spread over the months up to the period by the area's key
    actual_month: Figures
    actual_to_date: Figures
    internal_revenue: float = 0.0  # to date, included in actual_to_date.revenue
    internal_cost: float = 0.0  # to date, included in actual_to_date.cost (negative)
    rows: int = 0  # ledger lines behind actual_to_date
    ledger_budget: float | None = None  # net budget carried by the ledger, where it carries one
    key: str = EVEN_KEY  # the periodisation key(s) behind budget_to_date, in Swedish
    expected_cost_share: float | None = None  # share of the year's cost budget the key expects by the period (VP504)
    last_year_to_date: Figures | None = None  # actual for the same months last year, where the ledger has last year

    @property
    def change_from_last_year(self) -> float | None:
        """Net actual to date minus the same months last year (negative: a higher net cost than last year)."""
        return None if self.last_year_to_date is None else self.actual_to_date.net - self.last_year_to_date.net

    @property
    def used_share(self) -> float | None:
        """Share of the year's net budget used to date."""
        return self.actual_to_date.net / self.budget.net if self.budget.net else None

    @property
    def variance(self) -> float:
        return self.budget.net - self.actual_to_date.net

    @property
    def variance_to_date(self) -> float:
        return self.budget_to_date.net - self.actual_to_date.net


class Excluded(BaseModel):
    reason: str
    rows: int
    amount: float  # in the report's unit, as booked


class Reconciliation(BaseModel):
    budget_file: str
    ledger_file: str
    year: int
    month: int
    unit: str
    areas: list[AreaResult]
    board: AreaResult
    eliminated: float  # revenue and cost each reduced by this (to date), in the unit
    excluded: list[Excluded]
    findings: list[Finding]
    deviation: str = "negativ_underskott"  # the settings' sign convention for deviations
    last_year_source: str | None = None  # where last year's lines came from, when there were any
    budget_costs_positive: bool = False  # the budget workbook keeps costs positive (turned over when read)
    budget_net_cost: bool = False  # the budget workbook's nets are nettokostnad (turned over when read)
    net_only: bool = False  # the budget has the net only: its revenue and cost are 0, not figures (shown in the JSON)
    _scope: tuple[Any, ...] | None = PrivateAttr(default=None)

    @property
    def detail(self) -> pl.DataFrame:
        """The ledger rows behind the figures, and those on an ansvar without an area (built when asked for).

        Columns: line, year, month, area, ansvar, verksamhet, konto, motpart, kind, internal, value, amount, text.
        """
        if self._scope is None or self._scope[0] is None:
            return pl.DataFrame()
        frame, keys = self._scope
        lines = keys.named(keys.classify(frame.lazy()).collect())
        rows = lines.filter(pl.col("reason").is_null() | (pl.col("reason") == "unmapped"))
        return rows.with_columns(pl.col("area").fill_null("(inget område)")).drop("reason", "this_month")

    def to_json_dict(self) -> dict[str, object]:
        data = self.model_dump(mode="json")
        data["period"] = f"{self.year}-{self.month:02d}"
        data["sign_convention"] = SIGN_CONVENTION + self.budget_sign_note
        data["deviation_convention"] = self.deviation_text
        for item, model in [*zip(data["areas"], self.areas, strict=True), (data["board"], self.board)]:
            item.update(
                used_share=model.used_share,
                variance=model.variance,
                variance_to_date=model.variance_to_date,
                deviation_to_date=self.deviation_of(model),
                change_from_last_year=model.change_from_last_year,
            )
        data["board_after_elimination"] = self.board_after_elimination.model_dump()
        data["summary"] = self.report().summary.model_dump()
        return _exact(data, money_places(self.unit))  # type: ignore[return-value]

    def deviation_of(self, a: AreaResult) -> float:
        """The net deviation against the periodised budget, signed by the settings' convention."""
        worse_is_negative = a.actual_to_date.net - a.budget_to_date.net  # net: revenue + cost, lower is worse
        return worse_is_negative if self.deviation == "negativ_underskott" else -worse_is_negative

    def is_deficit(self, deviation: float) -> bool:
        """Whether a deviation (in the settings' convention) is an underskott."""
        return deviation < 0 if self.deviation == "negativ_underskott" else deviation > 0

    @property
    def deviation_text(self) -> str:
        if self.deviation == "negativ_underskott":
            return "Avvikelse = utfall − periodiserad budget (netto): ett negativt tal är ett underskott, ett positivt ett överskott."
        return "Avvikelse = periodiserad budget − utfall (netto): ett positivt tal är ett underskott, ett negativt ett överskott."

    @property
    def budget_sign_note(self) -> str:
        """A sentence (with a leading blank) when the budget workbook keeps its costs positive, else ""."""
        if not self.budget_costs_positive:
            return ""
        if not self.budget_net_cost:
            return (
                f" {self.budget_file or 'Budgetarbetsboken'} har kostnaderna positiva och netto = intäkter − kostnader; "
                "här är budgetens kostnader omräknade till samma tecken som huvudboken (nettot stämmer redan)."
            )
        return (
            f" {self.budget_file or 'Budgetarbetsboken'} har kostnaderna positiva (nettokostnad = kostnader − intäkter); "
            "här är budgetens kostnad och netto omräknade till samma tecken som huvudboken."
        )

    @property
    def has_last_year(self) -> bool:
        return self.board.last_year_to_date is not None

    @property
    def period_sv(self) -> str:
        return f"{MONTHS_SV[self.month - 1]} {self.year}"

    @property
    def board_after_elimination(self) -> Figures:
        a = self.board.actual_to_date
        return Figures.of(a.revenue - self.eliminated, a.cost + self.eliminated)

    def report(self) -> Report:
        return Report(file=f"{self.budget_file} mot {self.ledger_file}", findings=self.findings)


def choose_period(ledger: LedgerData, year: int, period: tuple[int, int] | None) -> tuple[int, int]:
    if period is not None:
        return period
    months = ledger.totals.filter(pl.col("year") == year).get_column("month")
    if months.len() == 0:
        raise InputError(
            f"Huvudboken {ledger.name} har inga rader för {year}. Ange perioden med --period, till exempel --period {year}-04."
        )
    return year, int(months.max())  # type: ignore[arg-type]


def _lookup(values: pl.Series, fn: object) -> dict[str, object]:
    return {v: fn(v) for v in values.unique().drop_nulls().to_list()}  # type: ignore[operator]


def reconcile(
    budget: BudgetFigures,
    ledger: LedgerData,
    settings: Settings,
    period: tuple[int, int] | None = None,
    budget_file: str = "",
    previous: LedgerData | None = None,
) -> Reconciliation:
    """``previous``: last year's ledger (``--ledger-previous``); without it, last year's lines in ``ledger``
    (if any) give the same period last year and the "fjolårets utfall" key."""
    year, month = choose_period(ledger, budget.year, period)
    if year != budget.year:
        raise InputError(f"Perioden {year}-{month:02d} hör inte till budgetåret {budget.year}. Ange en period i {budget.year}.")
    led = settings.ledger
    scale = UNIT_FACTOR[budget.unit]
    sign = -1.0 if led.credit_negative else 1.0
    f = ledger.totals
    if previous is not None:
        last_lines = previous.totals.filter(pl.col("year") == year - 1)
        if last_lines.height == 0:
            raise InputError(
                f"Fjolårets huvudbok {previous.name} har inga rader för {year - 1}. Ange huvudboken för {year - 1} med --ledger-previous."
            )
    else:
        last_lines = f.filter(pl.col("year") == year - 1)
    codes_all = pl.concat([f.select("ansvar", "konto", "motpart"), last_lines.select("ansvar", "konto", "motpart")])
    area_by_code: dict[str, str] = {
        code: (_top(settings, a).name if (a := settings.find_area(name)) else name)
        for code, name in ((c, led.area_for(c)) for c in codes_all.get_column("ansvar").unique().drop_nulls().to_list())
        if name
    }
    area_names = sorted(set(area_by_code.values()))
    kinds = {str(k): _KIND_CODES[str(v)] for k, v in _lookup(codes_all.get_column("konto"), led.account_kind).items() if v}
    keys = LineKeys(
        areas=area_names,
        area_of={code: area_names.index(name) for code, name in area_by_code.items()},
        kind_of=kinds,
        internal_of={k: bool(v) for k, v in _lookup(f.get_column("motpart"), led.is_internal).items()},
        factor=sign / scale,
        year=year,
        month=month,
    )
    # one pass over the lines: every group of (reason left out, area, kind, internal, this month)
    grouped = (
        keys.classify(f.lazy())
        .group_by("reason_id", "area_id", "kind_id", "internal", "this_month")
        .agg(
            pl.col("amount").sum().round(2),  # kronor, exact to the öre whatever the order of summing
            pl.col("rows").sum(),
            pl.col("lines").sum(),
            pl.col("budget").sum().round(2),
        )
        .with_columns((pl.col("amount") * keys.factor).alias("value"), (pl.col("budget") * keys.factor).alias("budget"))
        .collect()
    )
    # a fixed order, so the figures are added up the same way every run
    groups = keys.named(grouped).sort("reason", "area", "kind", "internal", "this_month", nulls_last=True)
    reasons = {
        "year": f"annat år än {year}",
        "after": f"efter perioden ({MONTHS_SV[month - 1]})",
        "account": "konton utanför intäkter och kostnader (finansiella poster, balanskonton)",
        "unmapped": "ansvar utan produktionsområde (VP501)",
    }
    left_out = (
        groups.filter(pl.col("reason").is_not_null())
        .group_by("reason")
        .agg(pl.col("lines").sum(), (pl.col("amount").sum().round(2) * keys.factor).alias("value"))
    )
    counts = {r["reason"]: (r["lines"], r["value"]) for r in left_out.iter_rows(named=True)}
    excluded = [Excluded(reason=text, rows=counts[k][0], amount=counts[k][1]) for k, text in reasons.items() if k in counts]
    findings: list[Finding] = []
    booked = f.filter(pl.col("year") == year).get_column("month").drop_nulls()
    last_booked = int(booked.max()) if booked.len() else 0  # type: ignore[arg-type]
    if last_booked < month:  # the export ends before the period: the missing months would read as no spending
        ends = f"har rader till och med {MONTHS_SV[last_booked - 1]} {year}" if last_booked else f"har inga rader för {year}"
        findings.append(
            make_finding(
                "VP506",
                ledger.name,
                None,
                f"Huvudboken {ends}, men avstämningen gäller januari–{MONTHS_SV[month - 1]} {year}. "
                "Utfallet för de senare månaderna saknas och räknas som noll.",
                suggestion=f"Exportera huvudboken igen till och med {MONTHS_SV[month - 1]}"
                + (f", eller ange --period {year}-{last_booked:02d}." if last_booked else "."),
            )
        )
    if "unmapped" in counts:
        rows, total = counts["unmapped"]
        codes = sorted(
            {c for c in f.filter(pl.col("year") == year).get_column("ansvar").drop_nulls().to_list()} - set(area_by_code)
        )
        shown = ", ".join(codes[:8]) + (" …" if len(codes) > 8 else "")
        findings.append(
            make_finding(
                "VP501",
                ledger.name,
                None,
                f"{rows} {'rad' if rows == 1 else 'rader'} med ansvar som inte hör till något produktionsområde ({shown}), "
                f"sammanlagt {format_amount_sv(total, budget.unit)}. De ingår inte i avstämningen.",
                actual=round(total, 6),
                suggestion="Lägg till ansvaren i tabellen Ansvar på bladet Inställningar.",
            )
        )
    sums = groups.filter(pl.col("reason").is_null())
    # the ledger's own budget lines count for the whole year, whatever month they are booked in
    ledger_budget = (
        groups.filter(pl.col("reason").is_null() | (pl.col("reason") == "after"))
        .group_by("area")
        .agg(pl.col("budget").sum().alias("net"))
    )

    results: dict[str, AreaResult] = {}
    last = LastYear.of(keys.named(keys.monthly(last_lines.lazy()).collect()), month)
    if previous is not None and not last.covered:
        raise InputError(
            f"Fjolårets huvudbok {previous.name} saknar rader för någon av månaderna januari–{MONTHS_SV[month - 1]} {year - 1}. "
            f"Ange en huvudbok för hela {year - 1} med --ledger-previous."
        )
    names = [a.name for a in settings.top_level()] + [n for n in budget.areas if settings.find_area(n) is None]
    names += sorted({n for n in sums.get_column("area").to_list() if n not in names})
    for name in names:
        b = budget.areas.get(name)
        bud = Figures.of(b.revenue, b.cost, b.net) if b else Figures()
        (rev_share, rev_key), (cost_share, cost_key) = (periodised(settings, name, side, month, last) for side in _SIDES)
        results[name] = AreaResult(
            area=name,
            budget=bud,
            budget_to_date=Figures(
                revenue=bud.revenue * rev_share,
                cost=bud.cost * cost_share,
                net=bud.revenue * rev_share + bud.cost * cost_share + (bud.net - bud.revenue - bud.cost) * cost_share,
            ),
            actual_month=Figures(),
            actual_to_date=Figures(),
            key=rev_key if rev_key == cost_key else f"intäkter: {rev_key}; kostnader: {cost_key}",
            expected_cost_share=cost_share,
            last_year_to_date=last.to_date(name) if last.present else None,
        )
    for row in sums.iter_rows(named=True):
        r = results[row["area"]]
        add = Figures.of(revenue=row["value"]) if row["kind"] == "revenue" else Figures.of(cost=row["value"])
        r.actual_to_date = r.actual_to_date.plus(add)
        r.rows += row["rows"]  # every ledger line with an actual counts, a zero amount too
        if row["this_month"]:
            r.actual_month = r.actual_month.plus(add)
        if row["internal"]:
            if row["kind"] == "revenue":
                r.internal_revenue += row["value"]
            else:
                r.internal_cost += row["value"]
    if ledger.has_budget:
        _ledger_budget(ledger_budget, settings, results, budget, findings)
    areas = list(results.values())
    board = AreaResult(
        area=settings.board,
        budget=_total(a.budget for a in areas),
        budget_to_date=_total(a.budget_to_date for a in areas),
        actual_month=_total(a.actual_month for a in areas),
        actual_to_date=_total(a.actual_to_date for a in areas),
        internal_revenue=sum(a.internal_revenue for a in areas),
        internal_cost=sum(a.internal_cost for a in areas),
        rows=sum(a.rows for a in areas),
        key="per område",
        last_year_to_date=_total(a.last_year_to_date or Figures() for a in areas) if last.present else None,
    )
    eliminated = eliminate(board.internal_revenue, board.internal_cost)
    if board.internal_revenue or board.internal_cost:
        gap = board.internal_revenue + board.internal_cost
        findings.append(
            make_finding(
                "VP503",
                ledger.name,
                None,
                f"Nämndinterna poster eliminerade: intäkter och kostnader minskar båda med {format_sv(eliminated, 2)} {budget.unit}; "
                "nettot är oförändrat."
                + (
                    f" Interna intäkter och kostnader skiljer {format_sv(gap, 2)} {budget.unit}; skillnaden står kvar i bruttot."
                    if abs(gap) > 1e-9
                    else ""
                ),
                expected=round(eliminated, 6),
            )
        )
    if not budget.net_only:  # a net-only budget has no cost budget to measure the pace against
        findings += _usage(areas, budget, month, settings, ledger.name)
    findings += [_line_finding(ledger.name, p) for p in ledger.problems]
    result = Reconciliation(
        budget_file=budget_file,
        ledger_file=ledger.name,
        year=year,
        month=month,
        unit=budget.unit,
        areas=areas,
        board=board,
        eliminated=eliminated,
        excluded=excluded,
        findings=findings,
        deviation=settings.deviation,
        last_year_source=(previous.name if previous is not None else ledger.name) if last.present else None,
        budget_costs_positive=budget.costs_positive,
        budget_net_cost=budget.net_cost,
        net_only=budget.net_only,
    )
    result._scope = (ledger.frame, keys)
    return result


_KIND_CODES = {"revenue": 1, "cost": 2}
_SIDES = ("revenue", "cost")


@dataclass(frozen=True)
class LastYear:
    """Last year's actuals per area, kind, account class and month (report unit and sign)."""

    sums: dict[tuple[str, str, str, int], float]
    month: int  # this year's period: "to date" means months 1..month
    complete: bool  # last year's lines reach December, so a year's pattern can be read from them
    covered: bool  # last year's lines cover every month 1..month, so "the same period last year" means something

    @classmethod
    def of(cls, frame: pl.DataFrame, month: int) -> LastYear:
        sums: dict[tuple[str, str, str, int], float] = {}
        for r in frame.iter_rows(named=True):
            k = (r["area"], r["kind"], r["class"], r["month"])
            sums[k] = sums.get(k, 0.0) + r["value"]
        months = {k[3] for k in sums}
        return cls(sums, month, 12 in months, months >= set(range(1, month + 1)))

    @property
    def present(self) -> bool:
        """Whether to show the same period last year: one stray line of last year is not last year."""
        return self.covered

    def to_date(self, area: str) -> Figures:
        got = {side: 0.0 for side in _SIDES}
        for (a, kind, _cls, m), v in sorted(self.sums.items()):
            if a == area and m <= self.month:
                got[kind] += v
        return Figures.of(got["revenue"], got["cost"])

    def pattern(self, area: str, side: str, classes: list[str]) -> list[float]:
        """The twelve months of last year's actual for an area's side (only ``classes``, when given)."""
        months = [0.0] * 12
        for (a, kind, cls_, m), v in sorted(self.sums.items()):
            if a == area and kind == side and (not classes or cls_ in classes):
                months[m - 1] += v
        return months


def periodised(settings: Settings, area: str, side: str, month: int, last: LastYear) -> tuple[float, str]:
    """The share of the year's budget (one side of an area) that falls in months 1..month, and the key's name.

    Even: month/12. A profile: its first ``month`` shares over all twelve. Last year's
    actuals: the same, with last year's monthly actual as the shares (even when the
    ledger lacks last year's full year for the area).
    """
    rule = settings.ledger.key_for(area, side)
    if rule is None or rule.key == EVEN_KEY:
        return month / 12, EVEN_KEY
    if rule.key == LAST_YEAR_KEY:
        shares = last.pattern(area, side, rule.classes)
        total = sum(shares)
        if not last.complete or abs(total) < 1e-12:
            return month / 12, f"{EVEN_KEY} (fjolårets utfall saknas)"
        what = f"{LAST_YEAR_KEY}, klass {', '.join(rule.classes)}" if rule.classes else LAST_YEAR_KEY
        return sum(shares[:month]) / total, what
    profile = settings.ledger.profile(rule.key) or [1.0] * 12
    return sum(profile[:month]) / sum(profile), f"profil {rule.key}"


_REASON_CODES = {"year": 1, "after": 2, "account": 3, "unmapped": 4}


@dataclass(frozen=True)
class LineKeys:
    """How ledger codes map to the reconciliation's keys; grouping is on small integers, named afterwards."""

    areas: list[str]
    area_of: dict[str, int]  # ansvar -> index into areas
    kind_of: dict[str, int]  # konto -> 1 revenue, 2 cost
    internal_of: dict[str, bool]  # motpart -> internal
    factor: float  # ledger amount -> report value (sign and unit)
    year: int
    month: int

    def classify(self, lines: pl.LazyFrame) -> pl.LazyFrame:
        """Each line's area, kind, internal flag, value, and why it is left out (null: it counts)."""
        lines = lines.with_columns(
            pl.col("ansvar").replace_strict(self.area_of, default=None, return_dtype=pl.Int32).alias("area_id"),
            pl.col("konto").replace_strict(self.kind_of, default=None, return_dtype=pl.Int8).alias("kind_id"),
            pl.col("motpart")
            .replace_strict(self.internal_of, default=False, return_dtype=pl.Boolean)
            .fill_null(False)
            .alias("internal"),
            (pl.col("amount") * self.factor).alias("value"),
            (pl.col("month") == self.month).alias("this_month"),
        )
        codes = _REASON_CODES
        reason = (
            pl.when(pl.col("year") != self.year)
            .then(pl.lit(codes["year"], pl.Int8))
            .when(pl.col("month") > self.month)
            .then(pl.lit(codes["after"], pl.Int8))
            .when(pl.col("kind_id").is_null())
            .then(pl.lit(codes["account"], pl.Int8))
            .when(pl.col("area_id").is_null())
            .then(pl.lit(codes["unmapped"], pl.Int8))
            .otherwise(None)
        )
        return lines.with_columns(reason.alias("reason_id"))

    def monthly(self, lines: pl.LazyFrame) -> pl.LazyFrame:
        """Last year's lines summed per area, kind, account class and month (report unit and sign)."""
        return (
            lines.with_columns(
                pl.col("ansvar").replace_strict(self.area_of, default=None, return_dtype=pl.Int32).alias("area_id"),
                pl.col("konto").replace_strict(self.kind_of, default=None, return_dtype=pl.Int8).alias("kind_id"),
                pl.col("konto").str.strip_chars().str.slice(0, 1).alias("class"),
                pl.lit(None, pl.Int8).alias("reason_id"),
            )
            .filter(pl.col("area_id").is_not_null() & pl.col("kind_id").is_not_null())
            .group_by("area_id", "kind_id", "class", "month", "reason_id")
            .agg((pl.col("amount").sum().round(2) * self.factor).alias("value"))
        )

    def named(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Replace the integer keys with names: area, kind ("revenue"/"cost"), reason."""
        return frame.with_columns(
            pl.col("area_id").replace_strict(dict(enumerate(self.areas)), default=None, return_dtype=pl.Utf8).alias("area"),
            pl.col("kind_id")
            .replace_strict({v: k for k, v in _KIND_CODES.items()}, default=None, return_dtype=pl.Utf8)
            .alias("kind"),
            pl.col("reason_id")
            .replace_strict({v: k for k, v in _REASON_CODES.items()}, default=None, return_dtype=pl.Utf8)
            .alias("reason"),
        ).drop("area_id", "kind_id", "reason_id")


def eliminate(internal_revenue: float, internal_cost: float) -> float:
    """How much of gross revenue and gross cost is eliminated (the same amount from each).

    Internal revenue (positive) and internal cost (negative) between the board's own
    units cancel up to the smaller of the two; what does not cancel stays in gross.
    """
    if internal_revenue <= 0 or internal_cost >= 0:
        return 0.0
    return min(internal_revenue, -internal_cost)


def _total(items: object) -> Figures:
    out = Figures()
    for x in items:  # type: ignore[attr-defined]
        out = out.plus(x)
    return out


def _ledger_budget(
    per_area: pl.DataFrame,
    settings: Settings,
    results: dict[str, AreaResult],
    budget: BudgetFigures,
    findings: list[Finding],
) -> None:
    tolerance = settings.rounding / 2 if budget.unit == settings.unit else 0.5 * 10**-2
    for row in per_area.iter_rows(named=True):
        r = results.get(row["area"])
        if r is None:
            continue
        r.ledger_budget = row["net"]
        b = budget.areas.get(row["area"])
        if b is not None and abs(b.net - row["net"]) > tolerance:
            findings.append(
                make_finding(
                    "VP502",
                    budget.sheet,
                    b.cell,
                    f"Budgeten för {row['area']} är {format_sv(b.net, 1)} {budget.unit} i budgetarbetsboken"
                    + (f" (nettokostnad {format_sv(-b.net, 1)} där)" if budget.net_cost else "")
                    + f" men {format_sv(row['net'], 1)} {budget.unit} i huvudbokens budgetrader.",
                    expected=round(row["net"], 6),
                    actual=round(b.net, 6),
                    suggestion="Kontrollera vilken budget som är beslutad och rätta den andra.",
                )
            )


def _usage(areas: list[AreaResult], budget: BudgetFigures, month: int, settings: Settings, ledger_name: str) -> list[Finding]:
    out = []
    margin = settings.ledger.usage_margin
    for a in areas:
        cost_budget, cost_actual = a.budget.cost, a.actual_to_date.cost
        if cost_budget == 0:
            if abs(cost_actual) > 0.5 * 10**-3:
                out.append(
                    make_finding(
                        "VP504",
                        ledger_name,
                        None,
                        f"{a.area} har kostnader på {format_sv(cost_actual, 2)} {budget.unit} men ingen kostnadsbudget.",
                        actual=round(cost_actual, 6),
                        suggestion="Kontrollera konteringen eller budgeten.",
                    )
                )
            continue
        expected = month / 12 if a.expected_cost_share is None else a.expected_cost_share
        used = cost_actual / cost_budget
        if used > expected + margin or used < 0:
            key = a.key.split("kostnader: ")[-1]
            pace = "jämn takt" if key.startswith(EVEN_KEY) else f"takten enligt periodiseringsnyckeln ({key})"
            out.append(
                make_finding(
                    "VP504",
                    ledger_name,
                    None,
                    f"{a.area} har förbrukat {used:.0%} av årets kostnadsbudget efter {MONTHS_SV[month - 1]} "
                    f"({pace} vore {expected:.0%}).".replace("%", " %"),
                    expected=round(expected, 6),
                    actual=round(used, 6),
                    suggestion="Kontrollera om kostnaden är felkonterad eller om prognosen behöver ändras.",
                )
            )
    return out


def _line_finding(ledger_name: str, p: object) -> Finding:
    from vpexcel.ledger import LineProblem

    assert isinstance(p, LineProblem)
    where = f"rad {p.line}" if p.line else "fler rader"
    return make_finding(
        "VP505",
        ledger_name,
        None,
        f"{where}" + (f", kolumn {p.column}" if p.column else "") + f": {p.message}. Raden ingår inte i avstämningen.",
        actual=p.value,
        suggestion="Rätta raden i exporten eller exportera på nytt." if p.line else None,
    )
