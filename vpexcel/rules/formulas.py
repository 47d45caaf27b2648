"""Formulas (VP4xx): typed-in sums, odd formulas, SUMs over the wrong rows, fragile links."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from itertools import compress, repeat
from operator import eq, itemgetter

from vpexcel.findings import Finding, Severity
from vpexcel.formula_sv import formula_sv
from vpexcel.formulas import is_external, pattern, references, sum_ranges
from vpexcel.grid import SheetGrid, a1, column_index
from vpexcel.layout import Measure, Row, RowKind, Table, column_of
from vpexcel.rules import check, rule
from vpexcel.rules.context import Context

rule(
    "VP401",
    Severity.WARNING,
    "formulas",
    title="Summa eller länk inskriven som värde",
    what="En cell i en grupp där de andra cellerna är formler (summarader, nettokolumner, länkar i en sammanställning) innehåller ett inskrivet värde.",
    why="Ett inskrivet värde följer inte med när underlaget ändras. Summan stämmer i dag men inte efter nästa ändring.",
    example="Totalt brutto intäkt är =SUMMA(B5:B13) men Totalt brutto kostnad är det inskrivna talet −295,8.",
    fix="Ersätt värdet med samma formel som grannarna har.",
)
rule(
    "VP402",
    Severity.WARNING,
    "formulas",
    title="Formeln avviker från grannarnas mönster",
    what="I en rad eller kolumn med formler av samma slag har en cell en formel som pekar annorlunda än de andras.",
    why="Oftast har en formel kopierats fel eller skrivits om för hand; den räknar då på fel celler.",
    example="Kolumnen netto har =B5+C5, =B6+C6 ... men på rad 9 står =B9+C8.",
    fix="Kopiera grannens formel till cellen.",
)
rule(
    "VP403",
    Severity.ERROR,
    "formulas",
    title="SUMMA tar inte med rätt rader",
    what="En summaformel lämnar ute rader i blocket den summerar, eller tar med rader utanför blocket (rubriker, andra summor, varav-rader).",
    why="Det är det vanligaste felet när en rad läggs till i en tabell: den nya raden kommer inte med i summan.",
    example="Totalt är =SUMMA(B5:B12) men områdena står på rad 5 till 13.",
    fix="Ändra området i formeln så att det täcker exakt blockets rader, till exempel =SUMMA(B5:B13).",
)
rule(
    "VP404",
    Severity.WARNING,
    "formulas",
    title="Länk till annan arbetsbok eller tom cell",
    what="En formel läser en annan arbetsbok, eller en enskild cell som är tom.",
    why="En extern länk uppdateras inte när filen flyttas eller skickas vidare. En formel som läser en tom cell pekar ofta fel.",
    example="Cellen D7 innehåller ='[Budget 2023.xlsx]Blad1'!D7, eller =B9+C9 där C9 är tom.",
    fix="Kopiera in värdena eller länka till ett blad i samma arbetsbok; rätta referensen till den tomma cellen.",
)


rule(
    "VP405",
    Severity.INFO,
    "formulas",
    title="Formlerna kunde inte kontrolleras i det här filformatet",
    what="Arbetsboken är sparad i ett format där vpexcel bara kan läsa värdena, inte formlerna (.xlsb, .xls eller .ods). "
    "Beloppen, summorna, tecknen och ramen kontrolleras som vanligt; kontrollerna av formler (VP401-VP404, VP206) "
    "hoppas över. Det sägs en gång för hela arbetsboken.",
    why="En summa som skrivits in för hand i stället för som formel, eller en SUMMA som lämnar ute en rad, syns bara i formlerna.",
    example="Budget 2024.xlsb kontrolleras; summorna stämmer, men om Totalt är en formel eller ett inskrivet tal går inte att se.",
    fix="Spara en kopia som Excel-arbetsbok (.xlsx) med Arkiv > Spara som och kontrollera kopian om du vill ha formlerna kontrollerade.",
)


@check("VP405")
def formulas_unknown(ctx: Context) -> Iterator[Finding]:
    if getattr(ctx.workbook, "has_formulas", True) is False:
        yield ctx.finding(
            "VP405",
            None,
            None,
            f"{ctx.workbook.name} är sparad i ett format där vpexcel bara läser värdena: formlerna kontrollerades inte "
            "(summor, tecken och ram kontrollerades som vanligt).",
            suggestion="Spara en kopia som .xlsx (Arkiv > Spara som) och kontrollera den för att få formlerna kontrollerade.",
        )


def _groups(ctx: Context, table: Table) -> list[list[tuple[int, int]]]:
    """Cells that should be of one kind: each sum row, and each column's area cells (built once)."""
    return ctx.memo(("groups", id(table)), lambda: _build_groups(table))


def _build_groups(table: Table) -> list[list[tuple[int, int]]]:
    groups: list[list[tuple[int, int]]] = []
    sums = (RowKind.SUM, RowKind.REVENUE_SUM, RowKind.COST_SUM, RowKind.RESULT)
    by_measure: dict[str, list[int]] = {}  # months and helår are different kinds of cell (a column sum, a row sum)
    for c in table.columns:
        by_measure.setdefault("helår" if c.measure is Measure.FULL_YEAR else "other", []).append(c.col)
    for row in table.rows_of(*sums):
        groups += [[(row.row, c) for c in cols] for cols in by_measure.values()]
    item_kinds = (RowKind.AREA, RowKind.ITEM, RowKind.REVENUE_ITEM, RowKind.COST_ITEM)
    numbers = table.numbers()
    item_rows = list(map(numbers.__getitem__, table.indices(*item_kinds)))
    formulas = table.sheet.formulas
    for col in table.columns:
        cells = list(zip(item_rows, repeat(col.col)))
        if sum(map(formulas.__contains__, cells)) >= 2:  # fewer formulas than that make no pattern
            groups.append(cells)
    return groups


@check("VP401")
def constant_among_formulas(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        sheet = table.sheet
        for group in _groups(ctx, table):
            formulas = list(filter(sheet.formulas.__contains__, group))
            if len(formulas) < 2 or len(formulas) == len(group):
                continue  # too few formulas to tell, or no cell without one
            filled = [(r, c) for r, c in group if (r, c) in sheet.formulas or sheet.value(r, c) is not None]
            if len(filled) < 3 or len(formulas) * 2 <= len(filled):
                continue
            example = sheet.formula(*formulas[0])
            for r, c in filled:
                if not sheet.formula(r, c):
                    yield ctx.finding(
                        "VP401",
                        table.name,
                        a1(r, c),
                        f"Cellen har ett inskrivet värde där {len(formulas)} av {len(filled)} celler av samma slag är formler (t.ex. ={formula_sv(example or '')}).",
                        actual=sheet.value(r, c) if isinstance(sheet.value(r, c), (int, float, str)) else None,
                        suggestion="Ersätt värdet med en formel som grannarnas.",
                    )


@check("VP401")
def constant_among_years(ctx: Context) -> Iterator[Finding]:
    """A sum row's figure typed in for one year where the same column of the other years is a formula."""
    sums = (RowKind.SUM, RowKind.REVENUE_SUM, RowKind.COST_SUM, RowKind.RESULT)
    for table in ctx.tables:
        if len(table.years) < 2:
            continue
        sheet = table.sheet
        kinds: dict[tuple[str, str, int], list[int]] = {}
        for column in table.columns:
            kinds.setdefault((column.kind.value, column.measure.value, column.month or 0), []).append(column.col)
        for row in table.rows_of(*sums):
            group_of_row = [(row.row, column.col) for column in table.columns]
            formulas_in_row = sum(1 for rc in group_of_row if rc in sheet.formulas)
            if formulas_in_row * 2 > len(group_of_row) and len(group_of_row) >= 3:
                continue  # the row-wide check (VP401 above) answers for this row
            for cols in kinds.values():
                if len(cols) < 2:
                    continue
                formulas = [c for c in cols if (row.row, c) in sheet.formulas]
                constants = [c for c in cols if (row.row, c) not in sheet.formulas and sheet.value(row.row, c) is not None]
                if not formulas or not constants or len(constants) > len(formulas):
                    continue
                example = sheet.formulas[(row.row, formulas[0])]
                for c in constants:
                    yield ctx.finding(
                        "VP401",
                        table.name,
                        a1(row.row, c),
                        f"{row.label}: året har ett inskrivet värde där samma kolumn för andra år är en formel (t.ex. ={formula_sv(example)}).",
                        actual=sheet.value(row.row, c) if isinstance(sheet.value(row.row, c), (int, float, str)) else None,
                        suggestion="Ersätt värdet med samma formel som för de andra åren.",
                    )


# a formula of plain relative cell references and arithmetic ("C5+D5", "B7-C7"): its pattern is quick to tell
_SIMPLE = re.compile(r"^[A-Z]{1,3}\d+(?:[-+*/][A-Z]{1,3}\d+)*$")
_CELL = re.compile(r"([A-Z]{1,3})(\d+)")
_OWN_ROW = re.compile(r"[A-Z]{1,3}#(?:[-+*/][A-Z]{1,3}#)*\Z")


def _simple_pattern(formula: str, row: int, col: int, columns: dict[str, int]) -> str:
    # split keeps the groups: text, letters, digits, text, letters, digits, ..., text
    parts = _CELL.split(formula)
    out = []
    for i in range(0, len(parts) - 1, 3):
        letters = parts[i + 1]
        c = columns.get(letters)
        if c is None:
            c = columns[letters] = column_index(letters)
        out.append(f"{parts[i]}R[{int(parts[i + 2]) - 1 - row}]C[{c - col}]")
    out.append(parts[-1])
    return "".join(out)


def _patterns(cells: list[tuple[int, int, str]]) -> list[str]:
    """Each formula's relative pattern; one way of telling for the whole group, so patterns compare."""
    match = _SIMPLE.match
    if all(match(f) for _r, _c, f in cells):
        columns: dict[str, int] = {}
        # a formula reading only its own row ("C5+D5" in row 5) has the pattern of its shape in its column
        known: dict[tuple[str, int], str] = {}
        out = []
        for r, c, f in cells:
            shape = f.replace(str(r + 1), "#")
            if _OWN_ROW.match(shape):
                p = known.get((shape, c))
                if p is None:
                    p = known[(shape, c)] = _simple_pattern(f, r, c, columns)
            else:
                p = _simple_pattern(f, r, c, columns)
            out.append(p)
        return out
    return [pattern(f, r, c) for r, c, f in cells]


_NO_DIGITS = str.maketrans("", "", "0123456789")
_LETTERS = re.compile(r"[A-Z]+")
_SIMPLE_SHAPE = re.compile(r"[A-Z]{1,3}(?:[-+*/][A-Z]{1,3})*")


def _own_row_shapes(sheet: SheetGrid) -> dict[int, dict[str, list[int]]]:
    """Per column, shape ("C#-D#") -> rows of the formulas made of plain references to their own row only.

    Such formulas (a net per row: =C5-D5) are most of a dense sheet's formulas; they are told
    apart column by column in a few C-level passes: the formulas are sorted by column, the digits
    of all of a column's formulas are dropped in one pass, and a formula whose digit-free shape is
    plain references reads only its own row when the shape with its row number after each column
    gives it again.
    """
    keys = list(sheet.formulas)
    if not keys:
        return {}
    texts_all = list(sheet.formulas.values())
    cols_all = list(map(itemgetter(1), keys))
    order = sorted(range(len(keys)), key=cols_all.__getitem__)
    sorted_cols = list(map(cols_all.__getitem__, order))
    out: dict[int, dict[str, list[int]]] = {}
    for c in set(sorted_cols):
        at = order[bisect_left(sorted_cols, c) : bisect_right(sorted_cols, c)]
        rows = list(map(itemgetter(0), map(keys.__getitem__, at)))
        texts = list(map(texts_all.__getitem__, at))
        bare = "\x00".join(texts).translate(_NO_DIGITS).split("\x00")
        if len(bare) != len(texts):
            continue  # a NUL in a formula: left to the careful checks
        found: dict[str, list[int]] = {}
        distinct = set(bare)
        by_shape: dict[str, list[int]] = {}
        if len(distinct) > 1:  # one pass, whatever the number of shapes (not a pass per shape)
            for k, b in enumerate(bare):
                by_shape.setdefault(b, []).append(k)
        for shape in distinct:
            if not _SIMPLE_SHAPE.fullmatch(shape):
                continue
            # the text between the row numbers ("C", "+D", ""): a row's own formula is its number joining them
            pieces = _LETTERS.sub("\\g<0>\x00", shape).split("\x00")
            picked = range(len(bare)) if len(distinct) == 1 else by_shape[shape]
            picked_rows = list(map(rows.__getitem__, picked))
            own = map(str.join, map(str, map((1).__add__, picked_rows)), repeat(pieces))
            same = list(map(eq, own, map(texts.__getitem__, picked)))
            found["#".join(pieces)] = picked_rows if all(same) else list(compress(picked_rows, same))
        if any(found.values()):
            out[c] = {shape: rows for shape, rows in found.items() if rows}
    return out


def own_row_shapes(ctx: Context, sheet: SheetGrid) -> dict[int, dict[str, list[int]]]:
    return ctx.memo(("own-row", id(sheet)), lambda: _own_row_shapes(sheet))


def _one_own_shape(ctx: Context, sheet: SheetGrid, group: list[tuple[int, int]]) -> bool:
    """True when every formula of a one-column group reads only its own row, all of one shape: no odd one."""
    columns = set(map(itemgetter(1), group))
    if len(columns) != 1:
        return False
    own = own_row_shapes(ctx, sheet).get(columns.pop())
    if not own:
        return False
    present = set(map(itemgetter(0), filter(sheet.formulas.__contains__, group)))
    return any(present.issubset(rows) for rows in own.values())


@check("VP402")
def odd_formula(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        sheet = table.sheet
        for group in _groups(ctx, table):
            if len(group) > 50 and _one_own_shape(ctx, sheet, group):
                continue
            cells = [(r, c, f) for r, c in group if (f := sheet.formulas.get((r, c)))]
            if len(cells) < 3:
                continue
            patterns = _patterns(cells)
            common, count = Counter(patterns).most_common(1)[0]
            if count * 2 <= len(cells):
                continue
            model = next(f for (r, c, f), p in zip(cells, patterns, strict=True) if p == common)
            for (r, c, f), p in zip(cells, patterns, strict=True):
                if p != common:
                    yield ctx.finding(
                        "VP402",
                        table.name,
                        a1(r, c),
                        f"Formeln ={formula_sv(f)} följer inte mönstret hos {count} grannceller (t.ex. ={formula_sv(model)}).",
                        actual="=" + f,
                        suggestion="Kopiera grannens formel till cellen.",
                    )


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r + 1) for r in rows)


_DATA_IDS = {id(RowKind.AREA), id(RowKind.ITEM)}


@check("VP403")
def sum_range(ctx: Context) -> Iterator[Finding]:
    for table in ctx.tables:
        sheet = table.sheet
        blocks: list[tuple[Row, list[Row]]] = []
        if table.layout == "areas":
            kinds = table.kinds()
            for i in sorted([*table.indices(RowKind.SUM), *table.indices(RowKind.AREA)]):
                row = table.rows[i]
                if row.kind is RowKind.SUM:
                    covered = ctx.covered_by(table, row)
                    position = table.position()
                    if covered and set(map(id, map(kinds.__getitem__, map(position.__getitem__, row.block or ())))) <= _DATA_IDS:
                        blocks.append((row, covered))
                elif row.area is not None and row.area.parent is None:
                    kids = ctx.children_rows(table, row.area)
                    if kids:
                        blocks.append((row, kids))
        else:
            for kind, items in ((RowKind.REVENUE_SUM, RowKind.REVENUE_ITEM), (RowKind.COST_SUM, RowKind.COST_ITEM)):
                blocks += [(row, table.rows_of(items)) for row in table.rows_of(kind)]
        table_rows: set[int] | None = None  # built only when a sum does not cover exactly its block
        for total, covered in blocks:
            want = {r.row for r in covered}
            if not want:
                continue  # a subtotal with no rows of its kind in the table: no block to check it against
            first, last = min(want), max(want)
            contiguous = last - first + 1 == len(want)
            for col in table.columns:
                formula = sheet.formula(total.row, col.col)
                refs = sum_ranges(formula) if formula else None
                if formula is None or not refs or any(ref.sheet for ref in refs):
                    continue
                if all(ref.row1 == ref.row2 == total.row for ref in refs):
                    continue  # a sum along its own row (Helår = SUMMA(jan:dec)), not over the block
                if (
                    contiguous
                    and len(refs) == 1
                    and (refs[0].row1, refs[0].row2) == (first, last)
                    and refs[0].col1 <= col.col <= refs[0].col2
                ):
                    continue  # exactly the block
                got = {r for ref in refs for r in range(ref.row1, ref.row2 + 1) if ref.col1 <= col.col <= ref.col2}
                left_out = sorted(want - got)
                if table_rows is None:
                    table_rows = {r.row for r in table.rows if r.kind is not RowKind.GROUP} | {table.header_row}
                outside = sorted(r for r in got - want if r in table_rows or r == total.row)
                if not left_out and not outside:
                    continue
                parts = []
                if left_out:
                    parts.append(f"lämnar ute rad {_rows_text(left_out)}")
                if outside:
                    parts.append(f"tar med rad {_rows_text(outside)} utanför blocket")
                letter = a1(0, col.col)[:-1]
                yield ctx.finding(
                    "VP403",
                    table.name,
                    a1(total.row, col.col),
                    f"Formeln ={formula_sv(formula)} " + " och ".join(parts) + f" (blocket är rad {first + 1}–{last + 1}).",
                    expected=f"=SUM({letter}{first + 1}:{letter}{last + 1})",
                    actual="=" + formula,
                    suggestion=f"Ändra till =SUMMA({letter}{first + 1}:{letter}{last + 1}).",
                )


def _reads_empty(ctx: Context, sheet: str, cell: str, formula: str, where: str) -> Finding:
    """VP404 for a formula that reads an empty cell."""
    return ctx.finding(
        "VP404",
        sheet,
        cell,
        f"Formeln ={formula_sv(formula)} läser den tomma cellen {where}.",
        actual="=" + formula,
        suggestion=f"Kontrollera att formeln ska läsa {where}.",
    )


def _own_row_reads_filled(sheet: SheetGrid, own: dict[int, dict[str, list[int]]]) -> set[tuple[int, int]]:
    """The own-row formulas whose every reference is a filled cell, checked column by column:
    for each shape, the referenced columns at the formulas' rows are looked at in one pass."""
    rows = sheet.rows
    fine: set[tuple[int, int]] = set()
    for c, shapes in own.items():
        for shape, at in shapes.items():
            if max(at) >= len(rows):
                continue
            lines = list(map(rows.__getitem__, at))
            read = {column_index(letters) for letters in re.findall(r"[A-Z]+", shape)}
            if all(None not in (values := column_of(lines, cc)) and "" not in values for cc in read):
                fine.update(zip(at, repeat(c)))
            # else some formula reads an empty cell: the careful loop tells which
    return fine


@check("VP404")
def external_or_empty(ctx: Context) -> Iterator[Finding]:
    book = ctx.workbook
    validated = {t.name for t in ctx.tables}
    for sheet in book.sheets:
        if sheet.name not in validated:
            continue
        rows, formulas = sheet.rows, sheet.formulas
        columns: dict[str, int] = {}
        fine = _own_row_reads_filled(sheet, own_row_shapes(ctx, sheet)) if len(formulas) > 200 else set()
        for r, c in sorted(formulas.keys() - fine):
            formula = formulas[(r, c)]
            if _SIMPLE.match(formula):  # plain references on this sheet (never another workbook): no parser needed
                for letters, digits in _CELL.findall(formula):
                    rr = int(digits) - 1
                    cc = columns.get(letters)
                    if cc is None:
                        cc = columns[letters] = column_index(letters)
                    line = rows[rr] if 0 <= rr < len(rows) else []
                    v = line[cc] if 0 <= cc < len(line) else None
                    if (v is None or v == "") and (rr, cc) not in formulas:  # as SheetGrid.value: "" is empty
                        yield _reads_empty(ctx, sheet.name, a1(r, c), formula, a1(rr, cc))
                        break
                continue
            if is_external(formula):
                yield ctx.finding(
                    "VP404",
                    sheet.name,
                    a1(r, c),
                    f"Formeln ={formula_sv(formula)} läser en annan arbetsbok.",
                    actual="=" + formula,
                    suggestion="Kopiera in värdet eller länka till ett blad i samma arbetsbok.",
                )
                continue
            if sum_ranges(formula) is not None:
                continue  # empty cells inside a SUM's range are normal
            for ref in references(formula):
                if not ref.is_cell:
                    continue
                target = book.sheet(ref.sheet) if ref.sheet else sheet
                if target is None:
                    continue
                if target.value(ref.row1, ref.col1) is None and target.formula(ref.row1, ref.col1) is None:
                    where = (f"'{ref.sheet}'!" if ref.sheet else "") + a1(ref.row1, ref.col1)
                    yield _reads_empty(ctx, sheet.name, a1(r, c), formula, where)
                    break
