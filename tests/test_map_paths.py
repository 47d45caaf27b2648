"""The quick paths of the table map give what the plain ones give.

`vpexcel validate` finds each sheet's tables while the reader parses the next
sheet (a SheetMapper handed to the reader), and the map reads labels column by
column. Whatever the path, the user must get the same findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.layouts import LAYOUTS, build
from vpexcel.errors import InputError
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.layout import _clean_already, _lines_containing
from vpexcel.validate import SheetMapper, validate

SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "budget-2024-per-omrade.xlsx"


def _findings(report) -> list[tuple[str, str | None, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(f.code, f.sheet, f.cell, f.message) for f in report.findings]


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_mapping_while_reading_gives_the_same_findings(name: str, tmp_path: Path) -> None:
    case = build(name, True, tmp_path)
    assert case.path is not None
    plain = validate(read_workbook(case.path))
    mapper = SheetMapper()
    overlapped = validate(read_workbook(case.path, mapper), mapped=mapper)
    assert _findings(overlapped) == _findings(plain)


def test_a_workbook_whose_own_settings_come_last_is_mapped_with_them(tmp_path: Path) -> None:
    # the corpus writes the Inställningar sheet last: the sheets before it were mapped with the
    # default settings, which the workbook's own replace
    with_settings = [n for n in LAYOUTS if LAYOUTS[n](True).settings is not None]
    assert with_settings
    case = build(with_settings[0], True, tmp_path)
    assert case.path is not None
    mapper = SheetMapper()
    book = read_workbook(case.path, mapper)
    assert book.sheets[-1].name == "Inställningar"
    assert mapper.mapped, "the sheets before the settings were mapped ahead"
    report = validate(book, mapped=mapper)
    assert _findings(report) == _findings(validate(read_workbook(case.path)))


def test_the_reader_hands_over_every_sheet_in_order() -> None:
    path = SAMPLE
    seen: list[str] = []
    book = read_workbook(path, lambda sheet: seen.append(sheet.name))
    assert len(seen) > 1
    assert seen == [s.name for s in book.sheets]


def test_a_failure_while_a_sheet_is_handled_stops_the_reading() -> None:
    path = SAMPLE

    def refuse(sheet: object) -> None:
        raise InputError("stopp")

    with pytest.raises(InputError, match="stopp"):
        read_workbook(path, refuse)
    assert len(read_workbook(path).sheets) >= 1  # nothing left behind that blocks the next read


BLANKS = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\x1f", "\r\n", "\x0b", "\u2028"])
TEXT = st.lists(st.one_of(st.text(alphabet="abcÅÄÖåäö:1", min_size=0, max_size=4), BLANKS), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=8))
def test_a_column_is_called_clean_exactly_when_folding_its_blanks_changes_nothing(texts: list[str]) -> None:
    assert _clean_already(texts) == all(" ".join(t.split()) == t for t in texts)


WORDS = ("summa", "därav", "s:a", "intäkt")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["Summa", "SUMMA", "DÄRAV", "därav", "s:a", "S:A", "Intäkt", "x", " ", "\n", "ä", "Ä"])).map(
            "".join
        ),
        max_size=8,
    )
)
def test_the_labels_containing_a_word_are_found_whatever_the_case(texts: list[str]) -> None:
    expected = {k for k, t in enumerate(texts) if any(w in t.lower() for w in WORDS)}
    assert _lines_containing(texts, WORDS) == expected


def _konto_sheet(rows: int) -> list[list[object]]:
    """An enhet's account rows with a net formula per row (=C5+D5) and a Totalt row, with three planted
    mistakes: a formula that reads the row above (E50), an empty revenue cell read by its net (E120),
    and a net typed in as a value (E200)."""
    out: list[list[object]] = [
        ["Enhet Norr – budget 2024 per konto (tkr)"],
        [],
        ["Konto", "Benämning", "Brutto intäkt", "Brutto kostnad", "Budgeterat resultat"],
    ]
    for i in range(rows):
        r = len(out) + 1
        rev, cost = float(100 + i % 37), -float(150 + i % 41)
        net: object = (f"=C{r}+D{r}", rev + cost)
        if r == 50:
            net = (f"=C{r}+D{r - 1}", rev + cost)
        if r == 120:
            rev = None  # type: ignore[assignment]
            net = (f"=C{r}+D{r}", cost)
        if r == 200:
            net = rev + cost
        out.append([4000 + i, f"Konto {i}", rev, cost, net])
    last = len(out)
    out.append(["", "Totalt", *[(f"=SUM({c}4:{c}{last})", 0.0) for c in "CDE"]])
    return out


def test_dense_formula_sheets_give_the_same_findings_on_the_quick_and_the_careful_path(
    make_book, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from vpexcel.rules import formulas

    path = make_book({"Enhet Norr": _konto_sheet(400)})
    quick = validate(read_workbook(path))
    monkeypatch.setattr(formulas, "_own_row_shapes", lambda sheet: {})
    careful = validate(read_workbook(path))
    assert _findings(quick) == _findings(careful)
    found = {(f.code, f.cell) for f in quick.findings}
    assert {("VP402", "E50"), ("VP404", "E120"), ("VP401", "E200")} <= found
