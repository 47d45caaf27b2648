"""Structure (VP1xx): are the areas, columns and unit there to be checked at all."""

from __future__ import annotations

from collections.abc import Iterator

from vpexcel.findings import Finding, Severity
from vpexcel.grid import a1
from vpexcel.layout import ColumnKind, RowKind
from vpexcel.rules import check, rule
from vpexcel.rules.context import Context
from vpexcel.settings import normalize

rule(
    "VP101",
    Severity.ERROR,
    "structure",
    title="Ett produktionsområde saknas",
    what="Tabellen listar nämndens produktionsområden men ett område som finns i inställningarna har ingen rad. "
    "För delområden gäller samma sak: finns ett delområde med i tabellen ska alla delområden till samma område finnas.",
    why="Ett område som saknas gör att totalen inte längre motsvarar nämndens hela budget och att ramen inte kan stämmas av.",
    example="Tabellen har raderna Politisk organisation, Kommundirektör ... men ingen rad för Räddningstjänst.",
    fix="Lägg till en rad för området, eller ta bort området ur tabellen Produktionsområden på bladet Inställningar om det har upphört.",
)
rule(
    "VP102",
    Severity.WARNING,
    "structure",
    title="Okänt produktionsområde",
    what="En rad i en områdestabell, eller ett blad per område, har ett namn som inte finns bland produktionsområdena i inställningarna.",
    why="Ofta är det en felstavning. Raden räknas då inte till rätt område och kontrollerna mot delområden och ram blir fel.",
    example="Raden heter 'Samhällsplanerng'. vpexcel föreslår 'Samhällsplanering'.",
    fix="Rätta namnet till det föreslagna, eller lägg till namnet som alias till området på bladet Inställningar.",
)
rule(
    "VP103",
    Severity.ERROR,
    "structure",
    title="Samma område finns två gånger",
    what="Ett produktionsområde har mer än en rad i samma tabell.",
    why="Området räknas två gånger i totalen och det går inte att veta vilken rad som gäller.",
    example="Vuxenutbildning står både på rad 8 och rad 14.",
    fix="Ta bort eller slå ihop den dubbla raden.",
)
rule(
    "VP104",
    Severity.ERROR,
    "structure",
    title="En nödvändig kolumn eller rad saknas",
    what="Tabellen saknar brutto intäkt, brutto kostnad eller netto för ett år, eller ett blad per område saknar "
    "raderna Summa intäkter, Summa kostnader eller Resultat. Gäller också en arbetsbok där ingen budgettabell hittas.",
    why="Utan alla tre delarna går det inte att kontrollera att netto är intäkter plus kostnader.",
    example="År 2024 har kolumnerna Brutto intäkt och Budgeterat resultat men ingen kolumn Brutto kostnad.",
    fix="Lägg till kolumnen (eller raden) med en rubrik som vpexcel känner igen: Brutto intäkt, Brutto kostnad, "
    "Budgeterat resultat, Netto, Summa intäkter, Summa kostnader, Resultat.",
)
rule(
    "VP105",
    Severity.WARNING,
    "structure",
    title="Enheten framgår inte eller stämmer inte",
    what="Varken tabellens rubrik eller kolumnrubriker anger mkr, tkr eller kr, eller så anger en områdestabell "
    "en annan enhet än inställningarna.",
    why="Ramen och avrundningen gäller i en viss enhet. Fel enhet ger fel i varje jämförelse.",
    example="Rubriken är 'Budget 2024 (tkr)' men inställningarna säger mkr.",
    fix="Skriv enheten i tabellens rubrik, till exempel 'Produktionsområden 2024 (mkr)', eller ändra Enhet på bladet Inställningar.",
)
rule(
    "VP106",
    Severity.INFO,
    "structure",
    title="Bladet har siffror men ingen tabell som vpexcel förstod",
    what="Ett blad innehåller belopp men vpexcel hittade ingen budgettabell där: inga kolumnrubriker som Brutto intäkt, "
    "Brutto kostnad, Netto, Budget 2024, och inga rader som Summa intäkter. Bladet nämns en gång; dess siffror kontrolleras inte.",
    why="Det ska aldrig vara tyst när ett blad hoppas över. Innehåller bladet budgeten behöver vpexcel få veta hur den är uppställd.",
    example="Bladet 'Investeringar' har projekt med belopp per år men rubrikerna heter 'Projekt', '2024', '2025'.",
    fix="Ge tabellen rubriker som vpexcel känner igen (se användarguiden), eller beskriv den i tabellen Tabeller på bladet "
    "Inställningar. Ska bladet inte kontrolleras behöver du inte göra något.",
)
rule(
    "VP107",
    Severity.INFO,
    "structure",
    title="Standardinställningarna gäller en annan kommun",
    what="Arbetsboken har inget blad Inställningar och ingen inställningsfil angavs, så vpexcel använde sina "
    "standardinställningar (Lerums kommun, kommunstyrelsen). De flesta områdesnamnen i arbetsboken finns inte där.",
    why="Med en annan kommuns områden och ramar blir kontrollerna av områden, ram och budgetbrygga meningslösa; "
    "de hoppas därför över tills arbetsboken har egna inställningar.",
    example="Arbetsboken listar Partilles verksamheter, men standardinställningarna har Lerums produktionsområden.",
    fix="Skapa egna inställningar med 'vpexcel init --output installningar.xlsx', skriv in era områden och ramar "
    "och kopiera bladet Inställningar in i arbetsboken (eller ange filen med --settings).",
)


@check("VP101")
def missing_area(ctx: Context) -> Iterator[Finding]:
    if ctx.foreign_areas:
        return
    for table in ctx.area_tables():
        if not table.rows_are_areas:
            continue
        present = {normalize(r.area.name) for r in table.rows_of(RowKind.AREA) if r.area is not None}
        expected = []
        if ctx.is_board_table(table):
            expected += [a for a in ctx.settings.top_level() if normalize(a.name) not in present]
        for parent in ctx.settings.top_level():
            kids = ctx.settings.children(parent)
            if any(normalize(k.name) in present for k in kids):
                expected += [k for k in kids if normalize(k.name) not in present]
        # a row whose name is no area but close to a missing one is most likely that area, misspelt (VP102)
        meant: dict[str, tuple[str, str]] = {}
        if expected:
            for r in table.rows_of(RowKind.AREA):
                if r.area is None and r.label and (hint := ctx.settings.suggest(r.label)):
                    meant.setdefault(hint, (r.label, a1(r.row, table.label_col)))
        for area in expected:
            kind = "delområdet" if area.parent else "produktionsområdet"
            row = meant.get(area.name)
            yield ctx.finding(
                "VP101",
                table.name,
                a1(table.header_row, table.label_col),
                f"Tabellen saknar en rad för {kind} {area.name}."
                + (f" Raden '{row[0]}' ({row[1]}) är troligen den, med namnet felskrivet." if row else ""),
                expected=area.name,
                suggestion=(
                    f"Byt namnet i {row[1]} till '{area.name}'."
                    if row
                    else f"Lägg till en rad för {area.name} eller ta bort området ur inställningarna."
                ),
            )


@check("VP102")
def unknown_area(ctx: Context) -> Iterator[Finding]:
    if ctx.foreign_areas:
        return
    for table in ctx.area_tables():
        if table.names_unknown:
            names = table.rows_of(RowKind.AREA)
            yield ctx.finding(
                "VP102",
                table.name,
                a1(table.header_row, table.label_col),
                f"Ingen av tabellens {len(names)} rader har namnet på ett känt produktionsområde "
                f"(till exempel '{names[0].label}').",
                actual=names[0].label,
                suggestion="Lägg till områdena på bladet Inställningar, eller kontrollera att rätt inställningar används.",
            )
            continue
        for r in table.rows_of(RowKind.AREA):
            if r.area is None:
                hint = ctx.settings.suggest(r.label) if r.label else None
                name = f"'{r.label}'" if r.label else "En rad utan namn"
                yield ctx.finding(
                    "VP102",
                    table.name,
                    a1(r.row, table.label_col),
                    f"{name} är inget känt produktionsområde." + (f" Menar du {hint}?" if hint else ""),
                    actual=r.label or None,
                    suggestion=(f"Byt namnet till '{hint}'." if hint else "Lägg till området på bladet Inställningar."),
                )
    for table in ctx.account_tables():
        if table.area is None:
            hint = ctx.settings.suggest(table.name)
            yield ctx.finding(
                "VP102",
                table.name,
                None,
                f"Bladet '{table.name}' hör inte till något känt produktionsområde." + (f" Menar du {hint}?" if hint else ""),
                actual=table.name,
                suggestion=(f"Byt bladets namn till '{hint[:31]}'." if hint else "Döp bladet efter produktionsområdet."),
            )


@check("VP103")
def duplicate_area(ctx: Context) -> Iterator[Finding]:
    for table in ctx.area_tables():
        seen: dict[str, int] = {}
        for r in table.rows_of(RowKind.AREA):
            if r.area is None:
                continue
            key = normalize(r.area.name)
            if key in seen:
                yield ctx.finding(
                    "VP103",
                    table.name,
                    a1(r.row, table.label_col),
                    f"{r.area.name} finns redan på rad {seen[key] + 1}.",
                    actual=r.label,
                    suggestion="Ta bort eller slå ihop den dubbla raden.",
                )
            else:
                seen[key] = r.row


_KIND_SV = {ColumnKind.REVENUE: "brutto intäkt", ColumnKind.COST: "brutto kostnad", ColumnKind.NET: "netto (budgeterat resultat)"}


@check("VP104")
def missing_column(ctx: Context) -> Iterator[Finding]:
    if not ctx.tables:
        yield ctx.finding(
            "VP104",
            None,
            None,
            "Ingen budgettabell hittades i arbetsboken: inget blad har rubriker som Brutto intäkt, Brutto kostnad och Netto, "
            "eller raderna Summa intäkter och Summa kostnader.",
            suggestion="Ge tabellen kolumnrubriker som vpexcel känner igen, se användarguiden.",
        )
    for table in ctx.area_tables():
        groups = sorted({(c.year or 0, c.measure.value, c.month or 0) for c in table.columns})
        for year, measure, month in groups:
            kinds = {c.kind for c in table.columns if (c.year or 0, c.measure.value, c.month or 0) == (year, measure, month)}
            if kinds == {ColumnKind.NET}:
                continue  # a net-only table (one figure per area) is complete
            for kind in (ColumnKind.REVENUE, ColumnKind.COST, ColumnKind.NET):
                if kind not in kinds:
                    yield ctx.finding(
                        "VP104",
                        table.name,
                        a1(table.header_row, table.label_col),
                        f"Kolumnen för {_KIND_SV[kind]} {'' if measure == 'budget' else measure + ' '}{year} saknas i tabellen.",
                        expected=_KIND_SV[kind],
                        suggestion=f"Lägg till en kolumn med rubriken '{_KIND_SV[kind].split(' (')[0].capitalize()}' för {year}.",
                    )
    needed = {RowKind.REVENUE_SUM: "Summa intäkter", RowKind.COST_SUM: "Summa kostnader", RowKind.RESULT: "Resultat"}
    for table in ctx.account_tables():
        for row_kind, label in needed.items():
            if not table.indices(row_kind):
                yield ctx.finding(
                    "VP104",
                    table.name,
                    None,
                    f"Raden '{label}' saknas på bladet.",
                    expected=label,
                    suggestion=f"Lägg till en rad '{label}' under kontogrupperna.",
                )


@check("VP105")
def unit(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        if table.unit is None:
            yield ctx.finding(
                "VP105",
                table.name,
                a1(max(table.header_row - 1, 0), table.label_col),
                f"Tabellens enhet framgår inte. vpexcel räknar med {ctx.settings.unit}.",
                expected=ctx.settings.unit,
                suggestion=f"Skriv enheten i rubriken, till exempel '({ctx.settings.unit})'.",
            )
        elif ctx.is_board_table(table) and table.unit != ctx.settings.unit and not ctx.foreign_areas:
            yield ctx.finding(
                "VP105",
                table.name,
                table.unit_cell,
                f"Tabellen anger {table.unit} men inställningarna säger {ctx.settings.unit}.",
                expected=ctx.settings.unit,
                actual=table.unit,
                suggestion="Rätta enheten i rubriken eller Enhet på bladet Inställningar.",
            )


@check("VP106")
def unread_sheet(ctx: Context) -> Iterator[Finding]:
    for name in ctx.unread:
        yield ctx.finding(
            "VP106",
            name,
            None,
            f"Bladet '{name}' har belopp men ingen tabell som vpexcel förstod; bladets siffror kontrollerades inte.",
            suggestion="Ge tabellen rubriker som Brutto intäkt, Brutto kostnad, Netto eller Budget 2024, "
            "eller beskriv den i tabellen Tabeller på bladet Inställningar.",
        )


@check("VP107")
def default_settings_elsewhere(ctx: Context) -> Iterator[Finding]:
    if ctx.foreign_areas:
        s = ctx.settings
        yield ctx.finding(
            "VP107",
            None,
            None,
            f"Arbetsboken har inga egna inställningar, så standardinställningarna för {s.municipality} ({s.board}) "
            "användes, men de flesta områdesnamnen i arbetsboken finns inte där. Kontrollerna av områden, ram och "
            "budgetbrygga hoppades över.",
            suggestion="Kör 'vpexcel init --output installningar.xlsx', skriv in era områden och ramar och lägg bladet "
            "Inställningar i arbetsboken (eller ange filen med --settings).",
        )


rule(
    "VP108",
    Severity.INFO,
    "structure",
    title="Tecknet på kostnaderna framgår inte",
    what="En tabell har bara en kostnad som inte är noll, och varken ett netto bredvid den eller arbetsbokens andra "
    "tabeller visar om kostnaderna ska stå negativa (netto = intäkt + kostnad) eller positiva (nettokostnad = kostnad "
    "− intäkt). vpexcel läser dem då som negativa, det vanliga, och säger det en gång per tabell.",
    why="Med en enda kostnad går det inte att skilja ett fel tecken från tabellens sätt att visa kostnader. "
    "Att gissa tyst skulle antingen dölja ett fel tecken (VP204) eller larma om ett rätt.",
    example="Bladet 'Räddningstjänst' har bara kostnaden 5,0 på Lokaler; alla andra rader är noll och bladet saknar "
    "intäkter och netto.",
    fix="Ange tecknet på bladet Inställningar, i tabellen Tabeller: en rad med bladets namn under Blad och "
    "'kostnader negativa' eller 'kostnader positiva' under Tecken.",
)


@check("VP108")
def sign_untold(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        if table.sign_untold:
            yield ctx.finding(
                "VP108",
                table.name,
                a1(table.header_row, table.label_col),
                f"Tabellen på bladet '{table.sheet.name}' har bara en kostnad som inte är noll, och inget netto eller "
                "annan tabell i arbetsboken visar om kostnaderna ska stå negativa eller positiva. vpexcel läste dem "
                "som negativa (intäkter positiva, kostnader negativa).",
                suggestion=f"Står kostnaderna positiva här: skriv en rad i tabellen Tabeller på bladet Inställningar med "
                f"'{table.sheet.name}' under Blad och 'kostnader positiva' under Tecken (annars 'kostnader negativa', "
                "så försvinner den här anmärkningen).",
            )


rule(
    "VP109",
    Severity.INFO,
    "structure",
    title="Raderna lästes som konton men heter som produktionsområden",
    what="En tabells kolumnrubrik säger att raderna är konton eller poster (Konto, Benämning, Kontogrupp), men "
    "flera av namnen är produktionsområden i inställningarna. vpexcel följer rubriken och läser raderna som konton.",
    why="Är raderna i själva verket områden kontrolleras inte att alla områden finns, att inget område står två gånger "
    "eller att totalen stämmer mot ramen. Det ska aldrig vara tyst när vpexcel inte kan avgöra hur en tabell är uppställd.",
    example="Rubrikerna är 'Ansvar', 'Benämning', 'Intäkter', 'Kostnader', 'Netto' och raderna heter Räddningstjänst, "
    "Vuxenutbildning ...",
    fix="Är raderna områden: skriv en rad i tabellen Tabeller på bladet Inställningar med bladets namn i Blad, "
    "namnkolumnens bokstav i Kolumn och område i Roll (eller byt rubriken till till exempel Verksamhet). Är de konton "
    "behöver du inte göra något.",
)


@check("VP109")
def items_named_like_areas(ctx: Context) -> Iterator[Finding]:
    for table in ctx.area_tables():
        if not table.items_named_like_areas:
            continue
        named = next((r.label for r in table.rows_of(RowKind.ITEM) if ctx.settings.find_area(r.label)), "")
        column = a1(0, table.label_col)[:-1]
        yield ctx.finding(
            "VP109",
            table.name,
            a1(table.header_row, table.label_col),
            f"Raderna lästes som konton eftersom rubriken säger det ('{table.items_named_like_areas}'), men namnen är "
            f"produktionsområden (till exempel '{named}'). Områdena och ramen kontrollerades därför inte i tabellen.",
            actual=named or None,
            suggestion=f"Är raderna områden: skriv i tabellen Tabeller på bladet Inställningar en rad med Blad "
            f"'{table.name}', Kolumn {column} och Roll område.",
        )
