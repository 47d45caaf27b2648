"""Reconcile the budget against the ledger: gross revenue, gross cost and net per area.

Pure: takes the budget's cell grid (through the validator's table detection) and
a :class:`LedgerData` frame, returns a :class:`Reconciliation` with its findings
(VP501-VP505). Money is summed in kronor and shown in the budget's unit.

Sign convention of the result: revenue positive, cost negative, net = revenue +
cost; variance = budget - actual (so for net, which is negative, a negative
variance means a lower net cost than budgeted).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pydantic import BaseModel, PrivateAttr

from vpexcel.errors import InputError
from vpexcel.findings import Finding, Report
from vpexcel.grid import WorkbookGrid, a1
from vpexcel.layout import ColumnKind, RowKind, Table
from vpexcel.ledger import LedgerData
from vpexcel.numbers import format_sv
from vpexcel.rules import make_finding
from vpexcel.settings import UNIT_FACTOR, Area, Settings, normalize
from vpexcel.validate import find_tables

SIGN_CONVENTION = (
    "Intäkter visas positiva och kostnader negativa; netto = intäkter + kostnader. "
    "Avvikelse = budget − utfall: för netto betyder ett negativt tal att nettokostnaden är lägre än budget (överskott)."
)
MONTHS_SV = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


@dataclass(frozen=True)
class BudgetLine:
    revenue: float
    cost: float
    net: float
    cell: str  # the net cell in the budget workbook


@dataclass
class BudgetFigures:
    """The year's budget per top-level area, in ``unit``, from one table of the budget workbook."""

    year: int
    unit: str
    sheet: str
    areas: dict[str, BudgetLine]


def budget_figures(book: WorkbookGrid, settings: Settings, year: int | None = None) -> BudgetFigures:
    """The board's budget per area for ``year`` (default: the settings' budget year)."""
    year = year or settings.budget_year
    tables = [t for t in find_tables(book, settings) if t.layout == "areas"]
    for table in tables:
        rev, cost, net = (table.column(k, year) for k in (ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET))
        if not (rev and cost and net):
            continue
        areas = _areas_of(table, settings, rev.col, cost.col, net.col)
        if len(areas) * 2 >= len(settings.top_level()):
            return BudgetFigures(year, table.unit or settings.unit, table.name, areas)
    raise InputError(
        f"Budgetarbetsboken {book.name} har ingen tabell med brutto intäkt, brutto kostnad och netto per "
        f"produktionsområde för {year}. Kontrollera den med 'vpexcel validate' eller ange rätt period."
    )


def _areas_of(table: Table, settings: Settings, rev: int, cost: int, net: int) -> dict[str, BudgetLine]:
    out: dict[str, list[float]] = {}
    cells: dict[str, str] = {}
    present = {normalize(r.area.name) for r in table.rows if r.area is not None}
    for row in table.rows:
        if row.kind is not RowKind.AREA or row.area is None:
            continue
        top = _top(settings, row.area)
        if top is not row.area and normalize(top.name) in present:
            continue  # the parent's own row carries the sub-areas
        figures = [table.number(row.row, c) or 0.0 for c in (rev, cost, net)]
        acc = out.setdefault(top.name, [0.0, 0.0, 0.0])
        for i in range(3):
            acc[i] += figures[i]
        cells.setdefault(top.name, a1(row.row, net))
    return {k: BudgetLine(v[0], v[1], v[2], cells[k]) for k, v in out.items()}


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
    budget_to_date: Figures  # the year's budget spread evenly over the months up to the period
    actual_month: Figures
    actual_to_date: Figures
    internal_revenue: float = 0.0  # to date, included in actual_to_date.revenue
    internal_cost: float = 0.0  # to date, included in actual_to_date.cost (negative)
    rows: int = 0
    ledger_budget: float | None = None  # net budget carried by the ledger, where it carries one

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
    _detail: pl.DataFrame | None = PrivateAttr(default=None)

    @property
    def detail(self) -> pl.DataFrame:
        """The ledger rows behind the figures: line, period, area, codes, kind, internal, value, amount, text."""
        return self._detail if self._detail is not None else pl.DataFrame()

    def to_json_dict(self) -> dict[str, object]:
        data = self.model_dump(mode="json")
        data["period"] = f"{self.year}-{self.month:02d}"
        data["sign_convention"] = SIGN_CONVENTION
        for item, model in ((a, m) for a, m in zip(data["areas"], self.areas, strict=True)):
            item.update(used_share=model.used_share, variance=model.variance, variance_to_date=model.variance_to_date)
        data["board"].update(
            used_share=self.board.used_share, variance=self.board.variance, variance_to_date=self.board.variance_to_date
        )
        data["board_after_elimination"] = self.board_after_elimination.model_dump()
        data["summary"] = self.report().summary.model_dump()
        return data

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
    months = ledger.frame.filter((pl.col("year") == year) & pl.col("amount").is_not_null()).get_column("month")
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
) -> Reconciliation:
    year, month = choose_period(ledger, budget.year, period)
    if year != budget.year:
        raise InputError(f"Perioden {year}-{month:02d} hör inte till budgetåret {budget.year}. Ange en period i {budget.year}.")
    led = settings.ledger
    scale = UNIT_FACTOR[budget.unit]
    sign = -1.0 if led.credit_negative else 1.0
    f = ledger.frame
    area_of = {
        code: (_top(settings, a).name if (a := settings.find_area(name)) else name)
        for code, name in ((c, led.area_for(c)) for c in f.get_column("ansvar").unique().drop_nulls().to_list())
        if name
    }
    kind_of = _lookup(f.get_column("konto"), led.account_kind)
    internal_of = _lookup(f.get_column("motpart"), led.is_internal)
    f = f.with_columns(
        pl.col("ansvar").replace_strict(area_of, default=None, return_dtype=pl.Utf8).alias("area"),
        pl.col("konto").replace_strict(kind_of, default=None, return_dtype=pl.Utf8).alias("kind"),
        pl.col("motpart").replace_strict(internal_of, default=False, return_dtype=pl.Boolean).fill_null(False).alias("internal"),
        (pl.col("amount") * sign / scale).alias("value"),
    )
    excluded: list[Excluded] = []
    findings: list[Finding] = []

    def drop(mask: pl.Expr, reason: str) -> None:
        nonlocal f
        part = f.filter(mask)
        if part.height:
            excluded.append(Excluded(reason=reason, rows=part.height, amount=float(part.get_column("value").sum())))
        f = f.filter(~mask)

    drop(pl.col("year") != year, f"annat år än {year}")
    drop(pl.col("month") > month, f"efter perioden ({MONTHS_SV[month - 1]})")
    budget_rows = f.filter(pl.col("budget").is_not_null() & (pl.col("amount") == 0))
    drop(pl.col("kind").is_null(), "konton utanför intäkter och kostnader (finansiella poster, balanskonton)")
    unmapped = f.filter(pl.col("area").is_null())
    if unmapped.height:
        codes = sorted(unmapped.get_column("ansvar").unique().to_list())
        shown = ", ".join(codes[:8]) + (" …" if len(codes) > 8 else "")
        total = float(unmapped.get_column("value").sum())
        findings.append(
            make_finding(
                "VP501",
                ledger.name,
                None,
                f"{unmapped.height} {'rad' if unmapped.height == 1 else 'rader'} med ansvar som inte hör till något produktionsområde ({shown}), "
                f"sammanlagt {format_sv(total, 2)} {budget.unit}. De ingår inte i avstämningen.",
                actual=round(total, 6),
                suggestion="Lägg till ansvaren i tabellen Ansvar på bladet Inställningar.",
            )
        )
        excluded.append(Excluded(reason="ansvar utan produktionsområde (VP501)", rows=unmapped.height, amount=total))
        f = f.filter(pl.col("area").is_not_null())
    f = f.filter(pl.col("amount") != 0)

    sums = (
        f.group_by("area", "kind", "internal", pl.col("month") == month)
        .agg(pl.col("value").sum().alias("value"), pl.len().alias("rows"))
        .rename({"month": "this_month"})
    )
    results: dict[str, AreaResult] = {}
    share = month / 12
    names = [a.name for a in settings.top_level()] + [n for n in budget.areas if settings.find_area(n) is None]
    for name in names:
        b = budget.areas.get(name)
        bud = Figures.of(b.revenue, b.cost, b.net) if b else Figures()
        results[name] = AreaResult(
            area=name,
            budget=bud,
            budget_to_date=bud.scaled(share),
            actual_month=Figures(),
            actual_to_date=Figures(),
        )
    for row in sums.iter_rows(named=True):
        r = results.setdefault(
            row["area"],
            AreaResult(
                area=row["area"], budget=Figures(), budget_to_date=Figures(), actual_month=Figures(), actual_to_date=Figures()
            ),
        )
        add = Figures.of(revenue=row["value"]) if row["kind"] == "revenue" else Figures.of(cost=row["value"])
        r.actual_to_date = r.actual_to_date.plus(add)
        r.rows += row["rows"]
        if row["this_month"]:
            r.actual_month = r.actual_month.plus(add)
        if row["internal"]:
            if row["kind"] == "revenue":
                r.internal_revenue += row["value"]
            else:
                r.internal_cost += row["value"]
    if ledger.has_budget and budget_rows.height:
        _ledger_budget(budget_rows, settings, area_of, sign, scale, results, budget, ledger.name, findings)
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
    )
    result._detail = pl.concat(
        [
            f.with_columns(pl.col("area").cast(pl.Utf8)),
            unmapped.with_columns(pl.lit("(inget område)").alias("area")),
        ],
        how="diagonal_relaxed",
    ).sort("line")
    return result


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
    rows: pl.DataFrame,
    settings: Settings,
    area_of: dict[str, str],
    sign: float,
    scale: float,
    results: dict[str, AreaResult],
    budget: BudgetFigures,
    ledger_name: str,
    findings: list[Finding],
) -> None:
    led = settings.ledger
    rows = rows.filter(pl.col("kind").is_not_null() & pl.col("area").is_not_null())
    per_area = rows.group_by("area").agg((pl.col("budget") * sign / scale).sum().alias("net"))
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
                    f"Budgeten för {row['area']} är {format_sv(b.net, 1)} {budget.unit} i budgetarbetsboken men "
                    f"{format_sv(row['net'], 1)} {budget.unit} i huvudbokens budgetrader.",
                    expected=round(row["net"], 6),
                    actual=round(b.net, 6),
                    suggestion="Kontrollera vilken budget som är beslutad och rätta den andra.",
                )
            )
    del led


def _usage(areas: list[AreaResult], budget: BudgetFigures, month: int, settings: Settings, ledger_name: str) -> list[Finding]:
    out = []
    expected = month / 12
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
        used = cost_actual / cost_budget
        if used > expected + margin or used < 0:
            out.append(
                make_finding(
                    "VP504",
                    ledger_name,
                    None,
                    f"{a.area} har förbrukat {used:.0%} av årets kostnadsbudget efter {MONTHS_SV[month - 1]} "
                    f"(jämn takt vore {expected:.0%}).".replace("%", " %"),
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
