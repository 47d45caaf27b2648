"""The Excel buttons, driven through a real xlwings Book: xlwings' remote engine builds one from a
JSON payload and records what the button wrote as actions.

The remote engine is part of xlwings PRO; its PolyForm Noncommercial licence (key "noncommercial")
covers this use in the tests. They are marked ``xlwings_remote`` so the rest of the suite runs
without it. What the remote engine cannot show: formulas (its payload has values only, so the
formula checks VP401-VP403 and the protection of formula cells while filling are covered by the
file-based tests), a cell's current fill colour and a note's text (so restoring a user's own
colour after "Rensa markeringar" is covered only on Windows Excel), and the status bar.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

# xlwings registers its engines when it is imported, so the key must be there first
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
xw = pytest.importorskip("xlwings")

from vpexcel.io.xlsx_reader import read_workbook  # noqa: E402

from .conftest import WORKBOOKS  # noqa: E402

pytestmark = pytest.mark.xlwings_remote


def payload(
    path: Path, notes: dict[str, list[str]] | None = None, extra: dict[str, list[list[Any]]] | None = None
) -> dict[str, Any]:
    """What Excel sends for a workbook: every sheet's values, from A1."""
    book = read_workbook(path)

    def value(v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        return v if type(v) in (int, float, str, bool) else str(v)

    sheets = []
    for s in book.sheets:
        width = max((len(r) for r in s.rows), default=1)
        rows = [[value(v) for v in r] + [""] * (width - len(r)) for r in s.rows] or [[""]]
        sheets.append(
            {
                "name": s.name,
                "values": rows,
                "pictures": [],
                "tables": [],
                "notes": [{"address": a} for a in (notes or {}).get(s.name, [])],
            }
        )
    for name, rows in (extra or {}).items():
        width = max(len(r) for r in rows)
        sheets.append(
            {"name": name, "values": [list(r) + [""] * (width - len(r)) for r in rows], "pictures": [], "tables": [], "notes": []}
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


@pytest.fixture
def caller():  # type: ignore[no-untyped-def]
    def make(data: dict[str, Any]) -> Any:
        book = xw.Book(json=data)
        book.set_mock_caller()
        return book

    return make


def actions(book: Any, func: str) -> list[dict[str, Any]]:
    return [a for a in book.json()["actions"] if a["func"] == func]


def at(a: dict[str, Any]) -> tuple[int, int, int]:
    return a["sheet_position"], a["start_row"], a["start_column"]


def alert(book: Any) -> str:
    (a,) = actions(book, "alert")
    return str(a["args"][0])


def test_validate_marks_cells_writes_the_report_and_says_so(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024-med-fel.xlsx", notes={"Produktionsområden": ["$F$12"]}))
    vp.validate()
    colours = {at(a): a["args"][0] for a in actions(book, "setRangeColor")}
    assert colours[(0, 6, 4)] == "#FFEB9C"  # E7 "9,7 " stored as text: warning
    assert colours[(0, 5, 6)] == "#FFC7CE"  # G6 #REF!: error
    assert colours[(0, 11, 5)] == "#FFC7CE"  # F12 cost with the wrong sign
    notes = {a["args"][0]: a["args"][1] for a in actions(book, "addNote")}
    assert notes["$E$7"].startswith("vpexcel VP201: Talet 9,7 är lagrat som text")
    assert "$F$12" not in notes  # the user's own note is not replaced
    added = [a["args"] for a in actions(book, "addSheet")]
    assert any("Valideringsrapport" in str(x) for x in added) and any("vpexcel_markeringar" in str(x) for x in added)
    rows = next(a["values"] for a in actions(book, "setValues") if a["values"][0][0] == "Nivå")
    assert rows[0][:5] == ["Nivå", "Kod", "Regel", "Blad", "Cell"]
    assert {"VP201", "VP205", "VP301", "VP304"} <= {r[1] for r in rows[1:]}
    links = [a["args"][0] for a in actions(book, "addHyperlink")]
    assert "#'Produktionsområden'!E7" in links
    marks = next(a["values"] for a in actions(book, "setValues") if a["values"][0][0] == "Blad")
    assert ["Produktionsområden", "F12", "okänd", "nej"] in marks
    assert actions(book, "setSheetVisibility")  # the marks sheet is hidden
    assert alert(book).startswith("Valideringen är klar:") and "Se bladet Valideringsrapport" in alert(book)


def test_clear_marks_removes_exactly_what_validate_added(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    marks = [
        ["Blad", "Cell", "Färg före", "Anteckning tillagd"],
        ["Produktionsområden", "E7", "", "ja"],
        ["Produktionsområden", "F12", "#00B050", "nej"],
    ]
    data = payload(
        WORKBOOKS / "budget-2024-med-fel.xlsx",
        notes={"Produktionsområden": ["$E$7", "$F$12"]},
        extra={"Valideringsrapport": [["Nivå"]], "vpexcel_markeringar": marks},
    )
    book = caller(data)
    vp.clear_marks()
    colours = {at(a): a["args"][0] for a in actions(book, "setRangeColor")}
    assert colours == {(0, 6, 4): None, (0, 11, 5): "#00B050"}  # no fill before on E7; the user's green back on F12
    deleted = [a for a in book.json()["actions"] if "ote" in a["func"] and "elete" in a["func"]]
    assert [at(a) for a in deleted] == [(0, 6, 4)]  # only the note vpexcel added; the user's note on F12 stays
    assert len(actions(book, "sheetDelete")) == 2  # the report sheet and the hidden marks sheet
    assert alert(book) == "Markeringarna är borttagna (2 celler)."


def test_repair_numbers_writes_numbers(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024-med-fel.xlsx"))
    vp.repair_numbers()
    written = {at(a): a["values"] for a in actions(book, "setValues")}
    assert written[(0, 6, 4)] == [[9.7]] and written[(0, 6, 5)] == [[-158.0]]
    assert "2 tal lagrade som text är nu tal" in alert(book)


def test_reconcile_writes_a_sheet_and_a_summary(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(WORKBOOKS / "huvudbok-2024.csv"), "2024-04")
    rows = next(a["values"] for a in actions(book, "setValues") if str(a["values"][0][0]).startswith("Avstämning mot"))
    table = {r[0]: r for r in rows if r and r[0]}
    assert table["Kommunstyrelsen"][1] == pytest.approx(-253.2)
    assert table["Kommunstyrelsen"][2] == pytest.approx(-253.2 * 4 / 12)
    assert alert(book).startswith("Avstämningen är klar")


def test_fill_writes_into_the_open_template(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "templates" / "manadsrapport-februari.xlsx"))
    vp.fill(
        "2024-02", str(WORKBOOKS / "budget-2024.xlsx"), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx")
    )
    written = {at(a): a["values"][0][0] for a in actions(book, "setValues")}
    assert written[(0, 6, 1)] == pytest.approx(-6.1)  # Politisk organisation, Budget helår (B7)
    assert written[(0, 7, 6)] == pytest.approx(-18.4)  # Kommundirektör's own forecast
    assert written[(0, 0, 0)] == "Månadsrapport februari – Kommunstyrelsen"
    assert alert(book).startswith("Mallen är fylld för februari 2024")


def test_settings_button_creates_the_sheet(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.settings()
    rows = next(a["values"] for a in actions(book, "setValues"))
    assert any(r[0] == "Produktionsområden" for r in rows) and any(r[0] == "Ramar" for r in rows)
    assert "Inställningar är skapat" in alert(book)


def test_failures_reach_the_user_in_swedish(caller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(tmp_path / "finns-inte.csv"))
    assert alert(book).startswith("Huvudboken") and "finns inte" in alert(book)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    monkeypatch.setattr("vpexcel.validate.validate", lambda *a, **k: 1 / 0)
    vp.validate()
    assert "Något gick fel i vpexcel" in alert(book) and "Traceback" not in alert(book)
    assert "ZeroDivisionError" in (tmp_path / "vpexcel-fel.log").read_text(encoding="utf-8")


def test_help_explains_the_buttons(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.help()
    text = alert(book)
    for button in ("Validera", "Reparera siffror", "Stäm av mot huvudbok", "Fyll uppföljning", "Rensa markeringar"):
        assert button in text
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]  # help changes nothing in the workbook


def test_from_the_ribbon_the_button_works_on_the_active_workbook_not_the_addin(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    addin = xw.Book(
        json={**payload(WORKBOOKS / "vpexcel.xlam"), "book": {"name": "vpexcel.xlam", "active_sheet_index": 0, "selection": "A1"}}
    )
    user = xw.Book(json=payload(WORKBOOKS / "budget-2024-med-fel.xlsx"))  # opened last: the active workbook
    addin.set_mock_caller()  # RunPython from the add-in names the add-in as the caller
    vp.validate()
    assert not addin.json()["actions"]
    assert any(a["func"] == "setRangeColor" for a in user.json()["actions"])
