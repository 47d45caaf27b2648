"""What a formula reads (vpexcel.formulas.references): the cells and sheets a user sees in the formula bar,
never another workbook's sheet taken for one of this workbook's."""

from __future__ import annotations

import pytest

from vpexcel.formulas import Ref, is_external, mask_references, references, shift


@pytest.mark.parametrize(
    ("formula", "book", "sheet"),
    [
        ("[1]Blad!A1", "1", "Blad"),
        ("[Budget.xlsx]Blad!A1", "Budget.xlsx", "Blad"),
        ("'[Budget 2024.xlsx]Min budget'!A1", "Budget 2024.xlsx", "Min budget"),
        ("'C:\\mapp\\[Budget.xlsx]Blad'!A1", "C:\\mapp\\Budget.xlsx", "Blad"),
    ],
)
def test_a_reference_into_another_workbook_names_that_workbook(formula: str, book: str, sheet: str) -> None:
    assert references(formula) == [Ref(sheet, 0, 0, 0, 0, book)]
    assert is_external(formula)


def test_this_workbooks_references_name_no_other_workbook() -> None:
    got = references("Blad!A1+'Min budget'!B2:C3+D4")
    assert got == [Ref("Blad", 0, 0, 0, 0), Ref("Min budget", 1, 1, 2, 2), Ref(None, 3, 3, 3, 3)]
    assert not any(r.book for r in got)


def test_an_unquoted_range_over_several_sheets_names_all_of_them() -> None:
    assert references("SUM(Jan:Dec!B5)") == [Ref("Jan:Dec", 4, 1, 4, 1)]
    assert references("SUM('Jan:Dec'!B5:B7)") == [Ref("Jan:Dec", 4, 1, 6, 1)]
    assert references("SUM(B5:C7)") == [Ref(None, 4, 1, 6, 2)]  # a plain range is no sheet range


def test_mixed_formula_keeps_every_reference_in_order() -> None:
    got = references("[1]Blad!A1+Blad!A1+SUM(Jan:Dec!B5)")
    assert [(r.book, r.sheet) for r in got] == [("1", "Blad"), (None, "Blad"), (None, "Jan:Dec")]


def test_shift_moves_the_cell_and_keeps_the_sheet_and_workbook() -> None:
    assert shift("[1]Blad!A1+Jan:Dec!B5+C1", 1, 0) == "[1]Blad!A2+Jan:Dec!B6+C2"


def test_masking_leaves_the_names_a_formula_uses() -> None:
    assert mask_references('Moms*[1]Blad!A1+"Jan"&Jan:Dec!B5').split() == ["Moms*", "+", "&"]


def test_a_sum_over_another_workbooks_cells_is_told_as_such_not_as_a_wrong_block(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """=SUM([Budget.xlsx]Blad!B5:B9) on the total row reads another file: VP404 says so, and VP403 does not
    measure it against this table's block as if it summed this sheet's rows 5-9."""
    from openpyxl import Workbook

    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.samples import SEED_2024
    from vpexcel.validate import validate

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Produktionsområden"
    ws.append(["Kommunstyrelsen – produktionsområden 2024 (mkr)"])
    ws.append([])
    ws.append(["Produktionsområde", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"])
    for name, (revenue, cost, net) in SEED_2024.items():
        ws.append([name, revenue, cost, net])
    last = ws.max_row
    ws.append(["Totalt", "=SUM([Budget.xlsx]Blad!B4:B8)", f"=SUM(C4:C{last})", f"=SUM(D4:D{last})"])
    path = tmp_path / "extern.xlsx"
    wb.save(path)
    total = f"B{last + 1}"
    found = {(f.code, f.cell) for f in validate(read_workbook(path)).findings}
    assert ("VP404", total) in found
    assert ("VP403", total) not in found
