"""Values (VP2xx): is every figure a number, present, and of the right sign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from vpexcel.findings import Finding, Severity
from vpexcel.formula_sv import formula_sv
from vpexcel.grid import a1
from vpexcel.layout import ColumnKind, Measure, RowKind, Sign
from vpexcel.numbers import AmountKind, format_cell_sv, format_sv, format_time_sv
from vpexcel.rules import check, rule
from vpexcel.rules.context import Context, decimals_of

rule(
    "VP201",
    Severity.WARNING,
    "values",
    title="Tal lagrat som text",
    what="En beloppscell innehåller text som ser ut som ett tal: decimalkomma, mellanslag eller hårt mellanslag "
    "mellan tusental, minustecknet U+2212, blanksteg efter talet eller (12,3) för minus.",
    why="Excel räknar inte med text. Summor och formler som läser cellen blir för små utan att det syns.",
    example="Cellen C6 innehåller texten '9,7 ' i stället för talet 9,7.",
    fix="Skriv om värdet som ett tal, eller använd knappen Reparera siffror som gör det åt dig.",
)
rule(
    "VP202",
    Severity.ERROR,
    "values",
    title="Beloppet är inget tal",
    what="En beloppscell innehåller något som inte kan läsas som ett tal: ord som 'n/a' eller '?', ett datum eller SANT/FALSKT.",
    why="Budgeten kan inte räknas fram när ett belopp saknar värde.",
    example="Cellen D9 innehåller 'n/a'.",
    fix="Skriv beloppet som ett tal. Är beloppet noll, skriv 0.",
)
rule(
    "VP203",
    Severity.WARNING,
    "values",
    title="Belopp saknas",
    what="En cell där tabellen behöver ett belopp är tom.",
    why="En tom cell räknas som noll. Det kan vara rätt, men oftast har någon glömt att fylla i.",
    example="Raden Samhällsplanering har brutto intäkt och netto men tom brutto kostnad.",
    fix="Fyll i beloppet. Är det noll, skriv 0 så att det syns att det är avsiktligt.",
)
rule(
    "VP204",
    Severity.ERROR,
    "values",
    title="Fel tecken",
    what="Intäkter visas positiva och kostnader negativa. Regeln slår till när en intäkt är negativ eller en kostnad positiv. "
    "En tabell som visar kostnaderna positiva (nettokostnad = kostnad − intäkt) känns igen på siffrorna; där är en "
    "negativ kostnad fel tecken.",
    why="Fel tecken ändrar nettot med dubbla beloppet och syns sällan vid en snabb blick.",
    example="Brutto kostnad för Räddningstjänst står som 33,7 i stället för −33,7.",
    fix="Byt tecken på beloppet.",
)
rule(
    "VP205",
    Severity.ERROR,
    "values",
    title="Felvärde i en cell",
    what="En cell som budgeten räknar med visar ett felvärde: #REFERENS!/#REF!, #DIVISION/0!/#DIV/0!, #SAKNAS!/#N/A eller #VÄRDEFEL!/#VALUE!.",
    why="Ett felvärde sprider sig till alla summor som läser cellen.",
    example="Netto för Kommundirektör visar #REF! efter att en rad tagits bort.",
    fix="Öppna formeln och rätta referensen eller beräkningen som ger felet.",
)
rule(
    "VP206",
    Severity.WARNING,
    "values",
    title="Formler utan beräknade värden",
    what="Arbetsboken har formler men inga värden som Excel räknat fram för dem. Det händer när filen sparats av "
    "ett program som inte räknar (ett skript, en export). Regeln nämns en gång för hela arbetsboken, inte per cell.",
    why="vpexcel läser de värden Excel visar. Utan dem ser formlernas celler tomma ut, och summor och netto kan inte kontrolleras.",
    example="Totalt-raden har =SUMMA(B5:B13) men cellen har inget sparat värde.",
    fix="Öppna arbetsboken i Excel och spara den (Excel räknar då fram värdena), och kör kontrollen igen.",
)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "ett sanningsvärde"
    if format_time_sv(value) is not None:  # a time of day or a duration (.ods keeps them as "PT12H24M")
        return f"en tid ({format_time_sv(value)})"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"ett datum ({format_cell_sv(value)})"
    return f"'{format_cell_sv(value)}'"


@check("VP201")
def text_number(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        for c in ctx.odd_cells(table):
            if c.amount.kind is AmountKind.TEXT_NUMBER and c.amount.number is not None:
                raw = table.sheet.value(c.row.row, c.column.col)
                shown = format_sv(c.amount.number, decimals_of(c.amount.number))
                yield ctx.finding(
                    "VP201",
                    table.name,
                    c.cell,
                    f"Talet {shown} är lagrat som text ('{raw}') och räknas inte av Excel.",
                    expected=c.amount.number,
                    actual=str(raw),
                    suggestion=f"Skriv om cellen som talet {shown} (knappen Reparera siffror gör det).",
                )


@check("VP202")
def not_a_number(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        for c in ctx.odd_cells(table):
            if c.amount.kind is AmountKind.BAD:
                raw = table.sheet.value(c.row.row, c.column.col)
                yield ctx.finding(
                    "VP202",
                    table.name,
                    c.cell,
                    f"Cellen ska innehålla ett belopp men innehåller {_describe(raw)}.",
                    actual=format_cell_sv(raw),
                    suggestion="Skriv beloppet som ett tal (0 om det är noll).",
                )


@check("VP203")
def empty_amount(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        for c in ctx.odd_cells(table):
            if c.amount.kind is AmountKind.EMPTY and c.row.kind is not RowKind.NOTE:
                yield ctx.finding(
                    "VP203",
                    table.name,
                    c.cell,
                    f"Belopp saknas för {c.row.label or 'raden'} ({c.column.header}).",
                    suggestion="Fyll i beloppet; skriv 0 om det är noll.",
                )


_REVENUE_ROWS = (RowKind.REVENUE_ITEM, RowKind.REVENUE_SUM)
_COST_ROWS = (RowKind.COST_ITEM, RowKind.COST_SUM)


@check("VP204")
def wrong_sign(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        if table.layout == "areas":
            revenue_rows = cost_rows = table.indices(RowKind.AREA, RowKind.ITEM, RowKind.SUM)
        else:
            revenue_rows = table.indices(*_REVENUE_ROWS)
            cost_rows = table.indices(*_COST_ROWS)
        positive = table.sign is Sign.COSTS_POSITIVE
        for col in table.columns:
            if col.measure in (Measure.VARIANCE, Measure.CHANGE):
                continue  # a deviation or a change may have either sign
            vals = table.values(col.col)
            bad: list[tuple[int, bool]] = []
            if table.layout != "areas" or col.kind is ColumnKind.REVENUE:
                bad += [(i, True) for i in revenue_rows if (v := vals[i]) is not None and v < 0]
            if table.layout != "areas" or col.kind is ColumnKind.COST:
                if positive:
                    bad += [(i, False) for i in cost_rows if (v := vals[i]) is not None and v < 0]
                else:
                    bad += [(i, False) for i in cost_rows if (v := vals[i]) is not None and v > 0]
            for i, revenue in sorted(bad):
                row, n = table.rows[i], vals[i]
                assert n is not None
                what = (
                    "En intäkt ska vara positiv"
                    if revenue
                    else ("En kostnad ska vara positiv i den här tabellen" if positive else "En kostnad ska vara negativ")
                )
                d = decimals_of(n)
                yield ctx.finding(
                    "VP204",
                    table.name,
                    a1(row.row, col.col),
                    f"{what}: {row.label or 'raden'} ({col.header}) står som {format_sv(n, d)}.",
                    expected=-n,
                    actual=n,
                    suggestion=f"Byt tecken till {format_sv(-n, d)}.",
                )


@check("VP205")
def error_value(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        for c in ctx.odd_cells(table):
            if c.amount.kind is AmountKind.ERROR:
                raw = table.sheet.value(c.row.row, c.column.col)
                formula = table.sheet.formula(c.row.row, c.column.col)
                yield ctx.finding(
                    "VP205",
                    table.name,
                    c.cell,
                    f"Cellen visar felvärdet {raw}" + (f" (formeln ={formula_sv(formula)})." if formula else "."),
                    actual=str(raw),
                    suggestion="Rätta formeln eller referensen som ger felet.",
                )


@check("VP206")
def uncalculated_formulas(ctx: Context) -> Iterator[Finding]:
    """Once per workbook: formula cells in the tables that carry no calculated value."""
    first: tuple[str, str] | None = None
    count = 0
    for table in ctx.tables:
        formulas = table.sheet.formulas
        for col in table.columns:
            for i in table.odd(col.col):
                row = table.rows[i]
                if (row.row, col.col) in formulas and table.sheet.value(row.row, col.col) is None:
                    count += 1
                    if first is None:
                        first = (table.name, a1(row.row, col.col))
    if first is not None:
        yield ctx.finding(
            "VP206",
            first[0],
            first[1],
            f"{count} formler i tabellerna saknar det värde Excel räknar fram: filen har sparats av ett program som "
            "inte räknar. Deras summor och netto kunde inte kontrolleras.",
            actual=count,
            suggestion="Öppna arbetsboken i Excel, spara den och kör kontrollen igen.",
        )
