"""Arithmetic (VP3xx): rows, totals, sub-areas, frame and bridge add up, with honest rounding.

A figure shown with one decimal may be off by half a unit, so a check over n
rounded figures tolerates n x half a unit (the frame check, whose n counts every
typed figure behind a formula total, sqrt(n) x half a unit: those roundings
mostly cancel). A difference inside that is VP309 (info); anything larger is an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from vpexcel.findings import Finding, Severity
from vpexcel.formulas import references
from vpexcel.grid import a1
from vpexcel.layout import BUDGET_MEASURES, Column, ColumnKind, Measure, Row, RowKind, Sign, Table
from vpexcel.numbers import format_sv
from vpexcel.rules import check, rule
from vpexcel.rules.context import Context, decimals_of
from vpexcel.settings import UNIT_FACTOR, normalize

rule(
    "VP301",
    Severity.ERROR,
    "arithmetic",
    title="Netto är inte intäkt plus kostnad",
    what="På en rad ska netto (budgeterat resultat) vara brutto intäkt plus brutto kostnad (i en tabell med positiva "
    "kostnader: kostnad minus intäkt). På ett blad per område "
    "ska Resultat vara Summa intäkter plus Summa kostnader. Avrundning tolereras: tre avrundade tal får tillsammans "
    "skilja ett och ett halvt avrundningssteg.",
    why="Ett netto som inte hänger ihop med bruttot betyder att ett av talen är fel, och det är nettot som jämförs med ramen.",
    example="Vuxenutbildning 2024: 22,0 + (−45,3) = −23,3, men netto står som −24,3.",
    fix="Räkna om nettot, gärna som en formel (=intäkt+kostnad), eller rätta intäkten eller kostnaden.",
)
rule(
    "VP302",
    Severity.ERROR,
    "arithmetic",
    title="Summaraden stämmer inte",
    what="En summarad (Totalt, Summa ...) ska vara summan av raderna den summerar, ovanför eller under den "
    "(en total överst summerar gruppernas delsummor). En kolumn Helår ska vara summan av månaderna på samma rad. "
    "Avrundning tolereras: n rader och summan får tillsammans skilja (n + 1) halva avrundningssteg.",
    why="En total som inte stämmer ger fel bild av nämndens budget och fel avstämning mot ramen.",
    example="Totalt brutto kostnad 2024 står som −285,8 men raderna summerar till −295,8.",
    fix="Använd en SUMMA-formel över alla rader i blocket, eller rätta det belopp som är fel.",
)
rule(
    "VP303",
    Severity.ERROR,
    "arithmetic",
    title="Delområdena summerar inte till området",
    what="Delområden (till exempel Ekonomi och HR inom Kommunledning och verksamhetsstöd) ska tillsammans bli områdets belopp.",
    why="Om delarna inte blir helheten är antingen fördelningen eller områdets budget fel.",
    example="Delområdena har kostnad −150,0 tillsammans men Kommunledning och verksamhetsstöd står på −158,0.",
    fix="Rätta fördelningen på delområdena eller områdets belopp.",
)
rule(
    "VP304",
    Severity.ERROR,
    "arithmetic",
    title="Nämndens netto följer inte ramen",
    what="Nämndens totala netto för ett år ska vara lika med den ram som kommunfullmäktige beslutat (tabellen Ramar i inställningarna). "
    "Avrundning tolereras: är totalen en formel räknas varje inskrivet (avrundat) tal den bygger på. Avrundningarna tar "
    "till stor del ut varandra, så n sådana tal får tillsammans skilja √n halva avrundningssteg från ramen, minst ett "
    "halvt (en skillnad inom det är VP309). 18 tal tolererar alltså 0,21 vid avrundning till 0,1, inte 0,9.",
    why="En budget som inte håller sig inom ramen kan inte beslutas.",
    example="Totalt netto 2024 är −255,2 men ramen är −253,2.",
    fix="Justera fördelningen mellan områdena så att totalen blir ramen, eller rätta ramen i inställningarna.",
)
rule(
    "VP305",
    Severity.ERROR,
    "arithmetic",
    title="Budgetbryggan förklarar inte förändringen",
    what="Förändringen av nettokostnaden mot föregående år ska vara summan av posterna i budgetbryggan "
    "(en positiv post ökar nettokostnaden).",
    why="Bryggan är nämndens förklaring av förändringen; går den inte ihop saknas en post eller är ett belopp fel.",
    example="Nettokostnaden minskar med 3,6 mkr men bryggans poster summerar till en ökning på 1,4 mkr.",
    fix="Lägg till den post som saknas eller rätta beloppen i tabellen Budgetbrygga på bladet Inställningar.",
)
rule(
    "VP306",
    Severity.ERROR,
    "arithmetic",
    title="Sammanställningen stämmer inte med områdets blad",
    what="En sammanställning (ett blad med en rad per område) ska visa samma intäkter, kostnader och netto som områdets eget blad.",
    why="Sammanställningen är det som går till nämnden; den får inte skilja sig från underlaget.",
    example="Sammanställningen visar −13,2 för Kommundirektör men bladet Kommundirektör har Resultat −13 400 tkr.",
    fix="Länka sammanställningens celler till områdets summarader i stället för att skriva in beloppen.",
)
rule(
    "VP309",
    Severity.INFO,
    "arithmetic",
    title="Avrundningsdifferens",
    what="En summa skiljer sig från sina delar med högst vad avrundningen av delarna kan förklara: n avrundade tal "
    "får skilja n halva avrundningssteg, men mot ramen (VP304) √n halva steg, minst ett halvt.",
    why="Inget att rätta: talen är avrundade var för sig. Det är bra att veta varför en summa inte går jämnt ut.",
    example="Stöd och utveckling 2023: 2,5 + (−13,2) = −10,7 men netto visas som −10,6, eftersom de exakta beloppen avrundats var för sig.",
    fix="Ingen åtgärd behövs.",
)

_YEAR_KINDS = (ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET)


def _triples(table: Table) -> Iterator[tuple[int | None, Column, Column, Column]]:
    """Revenue, cost and net columns of one year and measure."""
    for year in table.years:
        for measure in Measure:
            rev, cost, net = (table.column(k, year, measure) for k in _YEAR_KINDS)
            if rev and cost and net:
                yield year, rev, cost, net


def _net_of(table: Table, revenue: float, cost: float) -> float:
    """The net under the table's sign convention."""
    return cost - revenue if table.sign is Sign.COSTS_POSITIVE else revenue + cost


def _where(table: Table, row: int, col: int) -> tuple[str, str]:
    return table.name, a1(row, col)


@check("VP301")
def net_is_revenue_plus_cost(ctx: Context) -> Iterator[Finding]:
    for table in ctx.area_tables():
        for year, rev, cost, net in _triples(table):
            what = "Netto" if net.measure is Measure.BUDGET else f"Netto ({net.header})"
            revs, costs, nets = table.values(rev.col), table.values(cost.col), table.values(net.col)
            positive = table.sign is Sign.COSTS_POSITIVE
            for i in table.indices(RowKind.AREA, RowKind.ITEM, RowKind.SUM):
                r, c, n = revs[i], costs[i], nets[i]
                if r is None or c is None or n is None:
                    continue
                want = c - r if positive else r + c
                if want == n:
                    continue  # the common case, without building a message
                row = table.rows[i]
                f = ctx.compare(
                    "VP301",
                    table,
                    a1(row.row, net.col),
                    want,
                    n,
                    3,
                    f"{what} {row.label} {year}",
                    suggestion=f"Sätt netto till {format_sv(want, ctx.decimals(table))} eller rätta brutto.",
                    inputs=lambda: [_where(table, row.row, rev.col), _where(table, row.row, cost.col)],  # noqa: B023
                )
                if f:
                    yield f
    for table in ctx.account_tables():
        rev_row, cost_row, res_row = (
            next(iter(table.rows_of(k)), None) for k in (RowKind.REVENUE_SUM, RowKind.COST_SUM, RowKind.RESULT)
        )
        if not (rev_row and cost_row and res_row):
            continue
        for col in table.columns:
            r, c, n = (table.number(x.row, col.col) for x in (rev_row, cost_row, res_row))
            if r is None or c is None or n is None:
                continue
            f = ctx.compare(
                "VP301",
                table,
                a1(res_row.row, col.col),
                _net_of(table, r, c),
                n,
                3,
                f"{res_row.label} ({col.header})",
                inputs=lambda: [_where(table, rev_row.row, col.col), _where(table, cost_row.row, col.col)],  # noqa: B023
            )
            if f:
                yield f


def _column_sum(table: Table, idx: list[int], col: int) -> float | None:
    """The sum of a column over rows given by their index in ``table.rows``; None if one is unusable."""
    vals = table.values(col)
    contiguous = bool(idx) and idx[-1] - idx[0] + 1 == len(idx)
    numbers = vals[idx[0] : idx[-1] + 1] if contiguous else [vals[i] for i in idx]  # a block is one slice
    try:
        return sum(numbers)  # type: ignore[arg-type]
    except TypeError:  # an unusable figure (None) among them
        return None


def _column_words(col: Column) -> str:
    """A column as a message names it: its header, and its year when the header does not already
    say it ("Brutto intäkt 2024", but "Budget 2024", not "Budget 2024 2024")."""
    if col.year is None or str(col.year) in col.header:
        return col.header
    return f"{col.header} {col.year}"


def _index(table: Table, rows: list[Row]) -> list[int]:
    position = table.position()
    return [position[r.row] for r in rows]


def _totals(ctx: Context, code: str, table: Table, total: Row, parts: list[int], what: str) -> Iterator[Finding]:
    """Each column of ``total`` against the sum of the rows at ``parts`` (indices into ``table.rows``)."""
    for col in table.columns:
        actual = table.number(total.row, col.col)
        expected = _column_sum(table, parts, col.col)
        if actual is None or expected is None:
            continue
        describe = f"{what} {_column_words(col)}" if table.layout == "areas" else f"{what} ({col.header})"
        f = ctx.compare(
            code,
            table,
            a1(total.row, col.col),
            expected,
            actual,
            len(parts) + 1,
            describe.rstrip(),
            inputs=lambda: [_where(table, table.rows[i].row, col.col) for i in parts],  # noqa: B023
        )
        if f:
            yield f


@check("VP302")
def sum_rows(ctx: Context) -> Iterator[Finding]:
    for table in ctx.area_tables():
        for row in table.rows_of(RowKind.SUM):
            covered = ctx.covered_by(table, row)
            if covered:
                yield from _totals(ctx, "VP302", table, row, _index(table, covered), row.label)
    for table in ctx.account_tables():
        for kind, items in ((RowKind.REVENUE_SUM, RowKind.REVENUE_ITEM), (RowKind.COST_SUM, RowKind.COST_ITEM)):
            parts = table.indices(items)
            for row in table.rows_of(kind):
                if parts:
                    yield from _totals(ctx, "VP302", table, row, parts, row.label)


@check("VP302")
def full_year_is_its_months(ctx: Context) -> Iterator[Finding]:
    """Helår against the sum of its months, on every row that has them."""
    for table in ctx.tables:
        months = [c for c in table.columns if c.measure is Measure.MONTH]
        if not months:
            continue
        for full in (c for c in table.columns if c.measure is Measure.FULL_YEAR):
            parts = [c for c in months if c.kind is full.kind and c.year == full.year]
            if len(parts) < 2:
                continue
            columns = [table.values(c.col) for c in parts]
            totals = table.values(full.col)
            for i, row in enumerate(table.rows):
                actual = totals[i]
                if actual is None or row.kind in (RowKind.GROUP, RowKind.NOTE):
                    continue
                figures = [col[i] for col in columns]
                if any(v is None for v in figures):
                    continue
                f = ctx.compare(
                    "VP302",
                    table,
                    a1(row.row, full.col),
                    sum(v for v in figures if v is not None),
                    actual,
                    len(parts) + 1,
                    f"{full.header} {row.label} mot summan av månaderna",
                    inputs=lambda: [_where(table, row.row, c.col) for c in parts],  # noqa: B023
                )
                if f:
                    yield f


@check("VP303")
def sub_areas(ctx: Context) -> Iterator[Finding]:
    for table in ctx.area_tables():
        for row in table.rows_of(RowKind.AREA):
            if row.area is None or row.area.parent is not None:
                continue
            kids = ctx.children_rows(table, row.area)
            if kids:
                yield from _totals(ctx, "VP303", table, row, _index(table, kids), f"Delområdena till {row.area.name},")


@check("VP304")
def frame(ctx: Context) -> Iterator[Finding]:
    if ctx.foreign_areas:
        return
    for table in ctx.area_tables():
        if not ctx.is_board_table(table):
            continue
        for col in ctx.net_columns(table):
            fr = ctx.settings.frame(col.year) if col.year else None
            if fr is None:
                continue
            total, cell, figures = ctx.board_total(table, col)
            if total is None:
                continue
            total_row = table.grand_total() if cell is not None else None
            if total_row is not None:  # a total computed by formulas carries the rounding of every figure it is built from
                figures = max(figures, _rounded_figures(ctx, table, total_row.row, col.col))
            expected = fr.amount * UNIT_FACTOR[ctx.settings.unit] / UNIT_FACTOR[table.unit or ctx.settings.unit]
            if table.sign is Sign.COSTS_POSITIVE:
                expected = -expected  # the frame is a net cost; this table shows it positive
            f = ctx.compare(
                "VP304",
                table,
                cell or a1(table.header_row, col.col),
                expected,
                total,
                figures,
                f"Nämndens netto {col.year} mot ramen",
                inputs=(lambda: [(table.name, cell)]) if cell else None,  # noqa: B023
                spread=True,
            )
            if f:
                yield f


_MAX_FIGURES = 10_000  # enough to tell any budget's tolerance; stops a workbook of huge ranges from costing time
_VISIT_BUDGET = 200_000  # cell visits for one count: a total of huge ranges over huge ranges stops here


def _rounded_figures(ctx: Context, table: Table, row: int, col: int) -> int:
    """How many typed (rounded) figures a cell is computed from, following its formulas on its own sheet.

    A typed figure is one; a formula counts the figures of the cells it reads (a reference to another
    sheet counts one). The frame check tolerates √n half units for n such figures: a total that adds
    nets which are themselves intäkt + kostnad carries the rounding of all of them, most of which cancel.
    The walk stops after ``_VISIT_BUDGET`` cell visits (checked before each one); the count is then what
    was found so far, a lower bound, so a cut walk never widens the tolerance.
    """
    sheet = table.sheet
    memo: dict[tuple[int, int], int] = ctx.memo(("rounded_figures", id(sheet)), dict)
    budget = [_VISIT_BUDGET]

    def count(r: int, c: int, depth: int) -> int:
        key = (r, c)
        got = memo.get(key)
        if got is not None:
            return got
        formula = sheet.formulas.get(key)
        if formula is None:
            got = 1 if isinstance(sheet.value(r, c), (int, float)) and not isinstance(sheet.value(r, c), bool) else 0
        elif depth > 20:
            got = 1
        else:
            memo[key] = 1  # a circular reference counts once
            got = 0
            for ref in references(formula):
                if ref.sheet is not None and ref.sheet != sheet.name:
                    got += 1
                    continue
                for rr in range(ref.row1, ref.row2 + 1):
                    for cc in range(ref.col1, ref.col2 + 1):
                        if budget[0] <= 0 or got >= _MAX_FIGURES:
                            break
                        budget[0] -= 1
                        got += count(rr, cc, depth + 1)
                    else:
                        continue
                    break
                if budget[0] <= 0 or got >= _MAX_FIGURES:
                    break
            got = min(got, _MAX_FIGURES)
        memo[key] = got
        return got

    return max(1, count(row, col, 0))


@check("VP305")
def bridge(ctx: Context) -> Iterator[Finding]:
    year = ctx.settings.budget_year
    items = ctx.settings.bridge_between(year - 1, year)
    if not items:
        return
    scale = UNIT_FACTOR[ctx.settings.unit]
    if ctx.foreign_areas:
        return
    for table in ctx.area_tables():
        if not ctx.is_board_table(table):
            continue
        nets: dict[int, tuple[float, str | None, int]] = {}
        flip = -1.0 if table.sign is Sign.COSTS_POSITIVE else 1.0  # to the frames' sign: net cost negative
        for y in (year - 1, year):
            col = next((c for c in ctx.net_columns(table) if c.year == y), None)
            total = ctx.board_total(table, col) if col else (None, None, 0)
            if col is not None and total[0] is None:
                break  # the year's total is unusable (#VALUE!, text, empty): said by VP2xx; no frame stands in for it
            if total[0] is not None:
                nets[y] = (flip * total[0] * UNIT_FACTOR[table.unit or ctx.settings.unit] / scale, total[1], 1)
            elif (fr := ctx.settings.frame(y)) is not None:
                nets[y] = (fr.amount, None, 0)
        if year not in nets or year - 1 not in nets:
            continue
        change = -(nets[year][0] - nets[year - 1][0])
        bridged = sum(i.amount for i in items)
        decimals = max([ctx.decimals(table)] + [decimals_of(i.amount) for i in items])
        f = ctx.compare(
            "VP305",
            table,
            nets[year][1],
            bridged,
            change,
            len(items) + 2,
            f"Förändringen av nettokostnaden {year - 1}–{year} mot budgetbryggan",
            decimals=decimals,
        )
        if f:
            yield f
        return  # one board table answers for the bridge


@check("VP306")
def summary_matches_sheets(ctx: Context) -> Iterator[Finding]:
    sheets = {normalize(t.area.name): t for t in ctx.account_tables() if t.area is not None}
    if not sheets:
        return
    rows_by_kind = {ColumnKind.REVENUE: RowKind.REVENUE_SUM, ColumnKind.COST: RowKind.COST_SUM, ColumnKind.NET: RowKind.RESULT}
    for table in ctx.area_tables():
        for row in table.rows_of(RowKind.AREA):
            if row.area is None:
                continue
            detail = sheets.get(normalize(row.area.name))
            if detail is None:
                continue
            factor = UNIT_FACTOR[detail.unit or ctx.settings.unit] / UNIT_FACTOR[table.unit or ctx.settings.unit]
            if detail.sign is not table.sign:
                factor = -factor
            for col in table.columns:
                if col.measure not in BUDGET_MEASURES:
                    continue
                dcol = next((c for c in detail.columns if c.year == col.year and c.measure in BUDGET_MEASURES), None)
                drow = next(iter(detail.rows_of(rows_by_kind[col.kind])), None)
                if dcol is None or drow is None:
                    continue
                theirs = detail.number(drow.row, dcol.col)
                ours = table.number(row.row, col.col)
                if theirs is None or ours is None:
                    continue
                f = ctx.compare(
                    "VP306",
                    table,
                    a1(row.row, col.col),
                    theirs * factor,
                    ours,
                    1,
                    f"{row.area.name} {_column_words(col)} mot bladet '{detail.name}'!{a1(drow.row, dcol.col)}",
                    inputs=lambda: [(detail.name, a1(drow.row, dcol.col))],  # noqa: B023
                )
                if f:
                    yield f
