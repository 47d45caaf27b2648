"""The Excel buttons, driven through a real xlwings Book: xlwings' remote engine builds one from a
JSON payload and records what the button wrote as actions.

The remote engine is part of xlwings PRO; its PolyForm Noncommercial licence (key "noncommercial")
covers this use in the tests. They are marked ``xlwings_remote`` so the rest of the suite runs
without it. What the remote engine cannot show: formulas (its payload has values only, so the
formula checks VP401-VP403 and the protection of formula cells while filling are covered by the
file-based tests), a cell's current fill colour and a note's text (so restoring a user's own
colour after "Rensa markeringar" is covered only on Windows Excel), and the status bar.

Protection: the port reads Excel's ``ProtectContents`` / ``ProtectStructure`` from the COM object
(``sheet.api`` / ``book.api``); the remote engine's ``api`` is the payload itself, so a payload
sheet (or book) given as a dict subclass carrying that attribute plays a protected one.
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


def shown(v: Any) -> Any:
    """What Excel shows for a value the port sent: text goes with a leading apostrophe (stored as text)."""
    if isinstance(v, str) and v:
        assert v.startswith("'"), v  # every text is sent as text, never as something Excel may parse
        return v[1:]
    return v


def written_rows(book: Any) -> list[list[list[Any]]]:
    """Every block of values the button wrote, as Excel shows them."""
    return [[[shown(v) for v in r] for r in a["values"]] for a in actions(book, "setValues")]


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
    rows = next(r for r in written_rows(book) if r[0][0] == "Nivå")
    assert rows[0][:5] == ["Nivå", "Kod", "Regel", "Blad", "Cell"]
    assert {"VP201", "VP205", "VP301", "VP304"} <= {r[1] for r in rows[1:]}
    links = [a["args"][0] for a in actions(book, "addHyperlink")]
    assert "#'Produktionsområden'!E7" in links
    marks = next(r for r in written_rows(book) if r[0][0] == "Blad")
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
    rows = next(r for r in written_rows(book) if str(r[0][0]).startswith("Avstämning mot"))
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
    written = {at(a): shown(a["values"][0][0]) for a in actions(book, "setValues")}
    assert written[(0, 6, 1)] == pytest.approx(-6.1)  # Politisk organisation, Budget helår (B7)
    assert written[(0, 7, 6)] == pytest.approx(-18.4)  # Kommundirektör's own forecast
    assert written[(0, 0, 0)] == "Månadsrapport februari – Kommunstyrelsen"
    assert alert(book).startswith("Mallen är fylld för februari 2024")


def test_settings_button_creates_the_sheet(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.settings()
    rows = written_rows(book)[0]
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
    assert "mappen dokumentation" in text and "excel.md" in text  # the zip's folder (tests/test_vba_rule.py)
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


# --- issue 13 / issue 9: text as text, protection, the record first, no workbook -------------------
class ProtectedSheet(dict):  # type: ignore[type-arg]
    """A sheet of the payload that says, like Excel's COM sheet, that its contents are protected."""

    ProtectContents = True


class ProtectedBook(dict):  # type: ignore[type-arg]
    ProtectStructure = True


def renamed(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    for s in data["sheets"]:
        if s["name"] == old:
            s["name"] = new
    return data


HOSTILE = ["=cmd|'/C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "2024", "2024-04", "#N/A", "'quoted"]


def test_the_port_writes_every_text_as_text(caller) -> None:  # type: ignore[no-untyped-def]
    from vpexcel.excel.port import LiveWorkbook

    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    port = LiveWorkbook(book)
    for i, text in enumerate(HOSTILE, start=1):
        port.set_value("Produktionsområden", f"K{i}", text)
    port.set_value("Produktionsområden", "L1", 12.5)
    port.replace_sheet("Ut", [["Blad", "Meddelande"], *[[t, "a\x00b"] for t in HOSTILE]])
    cells = [a["values"][0][0] for a in actions(book, "setValues")][: len(HOSTILE) + 1]
    assert cells == ["'" + t for t in HOSTILE] + [12.5]  # numbers stay numbers
    table = actions(book, "setValues")[-1]["values"]
    assert [r[0] for r in table[1:]] == ["'" + t for t in HOSTILE]
    assert {r[1] for r in table[1:]} == {"'ab"}  # control characters removed


def test_hostile_area_names_from_the_settings_sheet_reach_excel_as_text(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp
    from vpexcel.settings import SETTINGS_SHEET, default_settings, settings_rows

    rows = settings_rows(default_settings())
    first = next(i for i, r in enumerate(rows) if r == ["Produktionsområden"]) + 2
    rows[first] = ["=cmd|'/C calc'!A0", *rows[first][1:]]
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx", extra={SETTINGS_SHEET: rows}))
    vp.reconcile(str(WORKBOOKS / "huvudbok-2024.csv"), "2024-04")
    sent = [v for a in actions(book, "setValues") for r in a["values"] for v in r]
    assert "'=cmd|'/C calc'!A0" in sent
    assert not [v for v in sent if isinstance(v, str) and v and v[0] in "=+-@\t\r"]  # nothing Excel would take as a formula


@pytest.mark.parametrize("name", ["2024", "2024-04"])
def test_sheets_named_like_numbers_or_dates_are_recorded_as_text(caller, name: str) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(renamed(payload(WORKBOOKS / "budget-2024-med-fel.xlsx"), "Produktionsområden", name))
    vp.validate()
    marks = next(a["values"] for a in actions(book, "setValues") if a["values"][0][0] == "'Blad")
    assert {r[0] for r in marks[1:]} == {"'" + name}  # text, not the number 2024 or the date 2024-04-01
    report = next(a["values"] for a in actions(book, "setValues") if a["values"][0][0] == "'Nivå")
    assert {r[3] for r in report[1:] if r[3]} == {"'" + name}
    assert f"#'{name}'!E7" in [a["args"][0] for a in actions(book, "addHyperlink")]


def test_marks_that_excel_turned_into_a_number_or_a_date_are_still_cleared(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    # marks written by an older version came back from Excel as a number and a date: still cleared
    data = renamed(payload(WORKBOOKS / "budget-2024-med-fel.xlsx"), "Produktionsområden", "2024")
    data["sheets"].append({**data["sheets"][0], "name": "2024-04"})
    marks = [
        ["Blad", "Cell", "Färg före", "Anteckning tillagd"],
        [2024.0, "E7", "", "ja"],
        ["2024-04-01T00:00:00Z", "F7", "", "nej"],
    ]
    book = caller(payload_with(data, "vpexcel_markeringar", marks))
    vp.clear_marks()
    assert {(a["sheet_position"], a["start_row"], a["start_column"]) for a in actions(book, "setRangeColor")} == {
        (0, 6, 4),
        (1, 6, 5),
    }
    assert alert(book) == "Markeringarna är borttagna (2 celler)."


def payload_with(data: dict[str, Any], name: str, rows: list[list[Any]]) -> dict[str, Any]:
    width = max(len(r) for r in rows)
    sheet = {"name": name, "values": [list(r) + [""] * (width - len(r)) for r in rows], "pictures": [], "tables": [], "notes": []}
    return {**data, "sheets": [*data["sheets"], sheet]}


def test_validate_records_its_marks_before_it_makes_them(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(payload(WORKBOOKS / "budget-2024-med-fel.xlsx"))
    vp.validate()
    funcs = [(a["func"], str(a["args"])) for a in book.json()["actions"]]
    record = next(i for i, (f, args) in enumerate(funcs) if f == "addSheet" and "vpexcel_markeringar" in args)
    first_mark = next(i for i, (f, _) in enumerate(funcs) if f in ("setRangeColor", "addNote"))
    assert record < first_mark


@pytest.mark.parametrize("button", ["validate", "repair_numbers", "clear_marks"])
def test_a_protected_sheet_is_refused_before_anything_changes(caller, button: str) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    data = payload(
        WORKBOOKS / "budget-2024-med-fel.xlsx",
        extra={
            "vpexcel_markeringar": [["Blad", "Cell", "Färg före", "Anteckning tillagd"], ["Produktionsområden", "E7", "", "ja"]]
        },
    )
    data["sheets"][0] = ProtectedSheet(data["sheets"][0])
    book = caller(data)
    getattr(vp, button)()
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]  # nothing changed
    assert alert(book).startswith("Bladet Produktionsområden är skyddat") and "Inget är ändrat" in alert(book)


@pytest.mark.parametrize("button", ["validate", "settings"])
def test_a_protected_workbook_structure_is_refused_before_anything_changes(caller, button: str) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(ProtectedBook(payload(WORKBOOKS / "budget-2024-med-fel.xlsx")))
    getattr(vp, button)()
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]
    assert alert(book).startswith("Arbetsbokens struktur är skyddad") and "Inget är ändrat" in alert(book)


def test_reconcile_refuses_a_protected_structure(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    book = caller(ProtectedBook(payload(WORKBOOKS / "budget-2024.xlsx")))
    vp.reconcile(str(WORKBOOKS / "huvudbok-2024.csv"), "2024-04")
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]
    assert "bladet Avstämning" in alert(book)


def test_repair_makes_a_text_formatted_cell_a_number_cell(caller, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp
    from vpexcel.excel.port import LiveWorkbook

    # the remote engine cannot read a number format; Excel says "@" for a cell formatted as text
    monkeypatch.setattr(LiveWorkbook, "number_format", lambda self, sheet, cell: "@" if cell == "E7" else "General")
    book = caller(payload(WORKBOOKS / "budget-2024-med-fel.xlsx"))
    vp.repair_numbers()
    steps = [
        (a["func"], at(a), a["values"] if a["func"] == "setValues" else a["args"])
        for a in book.json()["actions"]
        if a["func"] != "alert"
    ]
    i = steps.index(("setNumberFormat", (0, 6, 4), ["General"]))
    assert steps[i + 1] == ("setValues", (0, 6, 4), [[9.7]])  # the format first, then the number
    assert [s for s in steps if s[0] == "setNumberFormat"] == [steps[i]]  # other cells keep their format


def test_the_marks_sheet_is_very_hidden_through_com() -> None:
    from types import SimpleNamespace

    from vpexcel.excel.port import LiveWorkbook

    sheet = SimpleNamespace(api=SimpleNamespace(Visible=-1), visible=True)
    LiveWorkbook._hide(sheet)
    assert sheet.api.Visible == 2 and sheet.visible is True  # xlSheetVeryHidden, not xlwings' plain hidden


def test_no_workbook_gives_a_swedish_sentence_not_a_traceback(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)  # Excel handed over no workbook
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    with pytest.raises(SystemExit) as exc:
        vp.validate()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("vpexcel hittar ingen arbetsbok") and "Aktivera redigering" in err and "Traceback" not in err


def test_a_log_that_cannot_be_written_does_not_hide_the_message(caller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    blocked = tmp_path / "fil"
    blocked.write_text("")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(blocked / "under-en-fil"))  # no folder takes the log
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    monkeypatch.setattr("vpexcel.validate.validate", lambda *a, **k: 1 / 0)
    vp.validate()
    assert alert(book) == "Något gick fel i vpexcel och inget har ändrats efter felet."


def test_paths_with_percent_signs_and_quotes_arrive_unchanged(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import vpexcel.excel as vp
    from vpexcel.excel.lookup import encode_arg

    ledger = tmp_path / "100%USERNAME% & 'x' ^.csv"
    shutil.copy(WORKBOOKS / "huvudbok-2024.csv", ledger)
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(encode_arg(str(ledger)), encode_arg("2024-04"))  # as the VBA hands them over
    assert alert(book).startswith("Avstämningen är klar")


def test_from_the_ribbon_with_no_workbook_excel_shows_the_swedish_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import vpexcel.excel as vp

    shown: list[tuple[str, str]] = []
    addin = SimpleNamespace(name="vpexcel.xlam", app=SimpleNamespace(books=SimpleNamespace(active=None)))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: addin))
    monkeypatch.setattr(xw, "apps", SimpleNamespace(active=SimpleNamespace(alert=lambda m, title: shown.append((m, title)))))
    vp.validate()
    assert shown == [(vp.NO_WORKBOOK, "vpexcel")]


def test_fill_refuses_a_protected_template_sheet_before_writing(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    data = payload(WORKBOOKS / "templates" / "manadsrapport-februari.xlsx")
    data["sheets"][0] = ProtectedSheet(data["sheets"][0])
    book = caller(data)
    vp.fill(
        "2024-02", str(WORKBOOKS / "budget-2024.xlsx"), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx")
    )
    assert [a["func"] for a in book.json()["actions"]] == ["alert"]
    assert "är skyddat" in alert(book) and "Inget är ändrat" in alert(book)


def saved(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The payload of a workbook saved at ``path`` (the remote Book's full name is its name)."""
    data["book"]["name"] = str(path)
    return data


def test_compare_button_writes_the_comparison_beside_the_workbook_and_says_what_changed(caller, make_book) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    from .test_compare import areas

    old = make_book({"Produktionsområden": areas()}, "budget-v1.xlsx")
    new = make_book({"Produktionsområden": areas({"Vuxenutbildning": (22, -46.3, -24.3)})}, "budget-v2.xlsx")
    book = caller(saved(payload(new), new))
    vp.compare(str(old))
    text = alert(book)
    assert text.startswith("Jämförelsen av budget-v1.xlsx (före) och budget-v2.xlsx (efter, som den är sparad) är klar.")
    assert "4 ändringar: 4 belopp ändrade." in text
    assert "Vuxenutbildning 2024: −23,3 → −24,3 (−1,0)" in text
    target = new.parent / "budget-v2-jamforelse.xlsx"
    assert target.is_file() and str(target) in text
    assert not actions(book, "setValues")  # the open workbook itself is not changed


def test_compare_button_asks_to_save_a_workbook_that_is_not_on_disk(caller, make_book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    from .test_compare import areas

    old = make_book({"Produktionsområden": areas()}, "budget-v1.xlsx")
    book = caller(payload(old))  # a name, no folder: never saved
    vp.compare(str(old))
    assert "inte sparad på datorn" in alert(book) and "Spara som" in alert(book)
    book = caller(saved(payload(old), old))
    vp.compare(str(old))
    assert alert(book).startswith("Du valde samma fil som den öppna")


def test_the_buttons_keep_their_runs_in_the_history_unless_it_is_turned_off(  # type: ignore[no-untyped-def]
    caller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import vpexcel.excel as vp
    from vpexcel.io.history_db import load_runs

    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)
    budget = tmp_path / "budget-2024.xlsx"
    shutil.copy(WORKBOOKS / "budget-2024.xlsx", budget)
    book = caller(saved(payload(budget), budget))
    vp.validate()
    assert alert(book).startswith("Valideringen är klar")
    book = caller(saved(payload(budget), budget))
    vp.reconcile(str(WORKBOOKS / "huvudbok-2024.csv"), "2024-04")
    template = tmp_path / "delarsrapport-augusti.xlsx"
    shutil.copy(WORKBOOKS / "templates" / template.name, template)
    book = caller(saved(payload(template), template))
    vp.fill("2024-08", str(budget), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx"))
    assert "Ingen prognoshistorik ännu" in alert(book)  # no fill before this one
    runs = load_runs(tmp_path / "vpexcel-historik.sqlite")
    assert [(r.command, r.period) for r in runs] == [("validate", None), ("reconcile", "2024-04"), ("fill", "2024-08")]
    assert [f.role for f in runs[1].files] == ["budget", "ledger"] and runs[1].files[0].name == budget.name
    assert [f.role for f in runs[2].files] == ["template", "budget", "ledger", "forecast"]
    assert any(g.measure == "forecast" for g in runs[2].figures)
    # a later fill of the year finds the forecasts of August in the history
    book = caller(saved(payload(template), template))
    vp.fill("2024-10", str(budget), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx"))
    assert "Ingen prognoshistorik ännu" not in alert(book)
    written = {(a["sheet_position"], a["start_row"], a["start_column"]): a["values"][0][0] for a in actions(book, "setValues")}
    august = {g.area: g.value for g in runs[2].figures if g.measure == "forecast"}
    assert written[(1, 4, 4)] == pytest.approx(august["Politisk organisation"])  # Prognosutveckling!E5, Prognos augusti
    # history turned off (here by the environment; the settings' switch goes through the same history_path)
    monkeypatch.setenv("VPEXCEL_HISTORIK", "av")
    book = caller(saved(payload(budget), budget))
    vp.validate()
    assert len(load_runs(tmp_path / "vpexcel-historik.sqlite")) == 4


# --- what the readers of the files a button opens want said (issue 10's notes) ---------------------
RENAMED_BUDGET = (
    "OBS: budget-2024.xls är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
    "Byt filändelse till .xlsx så att andra program också känner igen den."
)


def _renamed_copy(src: Path, folder: Path, name: str) -> Path:
    import shutil

    folder.mkdir(exist_ok=True)
    return Path(shutil.copyfile(src, folder / name))


def test_fill_says_once_that_the_budget_file_is_misnamed(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    budget = _renamed_copy(WORKBOOKS / "budget-2024.xlsx", tmp_path / "omdopt", "budget-2024.xls")
    template = WORKBOOKS / "templates" / "manadsrapport-februari.xlsx"
    book = caller(payload(template))
    vp.fill("2024-02", str(budget), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx"))
    text = alert(book)
    assert text.startswith("Mallen är fylld för februari 2024")
    assert text.count(RENAMED_BUDGET) == 1 and text.count("OBS:") == 1, text
    assert f"\n{RENAMED_BUDGET}" in text  # a line of its own
    book = caller(payload(template))  # the same fill from the budget under its right name says nothing of the kind
    vp.fill(
        "2024-02", str(WORKBOOKS / "budget-2024.xlsx"), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx")
    )
    assert "OBS:" not in alert(book)


def test_fill_from_an_ods_budget_does_not_say_formulas_were_not_read(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Fyll uppföljning checks no formulas: the budget's values-only note is not for its dialog."""
    import vpexcel.excel as vp

    from .conftest import soffice_convert

    ods = soffice_convert(WORKBOOKS / "budget-2024.xlsx", "ods", tmp_path)
    template = WORKBOOKS / "templates" / "manadsrapport-februari.xlsx"
    book = caller(payload(template))
    vp.fill("2024-02", str(ods), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx"))
    text = alert(book)
    assert text.startswith("Mallen är fylld för februari 2024") and "formlerna" not in text and "OBS:" not in text, text
    misnamed = _renamed_copy(ods, tmp_path / "omdopt", "budget-2024.xlsx")
    book = caller(payload(template))
    vp.fill("2024-02", str(misnamed), str(WORKBOOKS / "huvudbok-2024.csv"), str(WORKBOOKS / "prognos-2024.xlsx"))
    text = alert(book)
    assert text.count("OBS: budget-2024.xlsx är egentligen ett OpenDocument-kalkylark (.ods) och lästes som ett sådant.") == 1
    assert text.count("OBS:") == 1 and "formlerna" not in text, text


def test_fill_passes_on_the_indicator_files_note(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    import vpexcel.excel as vp

    data = json.loads((WORKBOOKS / "kolada-1441.json").read_text(encoding="utf-8"))
    kpi = next(iter(data["values"]))
    data["values"][kpi]["2024"] = float("nan")
    indicators = tmp_path / "kolada.json"
    indicators.write_text(json.dumps(data), encoding="utf-8")  # NaN: what a hand-edited or broken file may hold
    book = caller(payload(WORKBOOKS / "templates" / "manadsrapport-februari.xlsx"))
    vp.fill("2024-02", str(WORKBOOKS / "budget-2024.xlsx"), str(WORKBOOKS / "huvudbok-2024.csv"), "", str(indicators))
    text = alert(book)
    assert text.count("OBS: Indikatorfilen kolada.json har värden som inte är tal") == 1, text


def _ledger_workbook(path: Path) -> Path:
    """The sample ledger as an .xlsx workbook (text as the export has it)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in (WORKBOOKS / "huvudbok-2024.csv").read_text(encoding="utf-8-sig").splitlines():
        ws.append(line.split(";"))
    wb.save(path)
    return path


def test_reconcile_says_once_that_the_ledger_file_is_misnamed(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    ledger = _ledger_workbook(tmp_path / "huvudbok.xlsx")
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(ledger), "2024-04")
    expected = alert(book)
    assert expected.startswith("Avstämningen är klar") and "OBS:" not in expected
    misnamed = _renamed_copy(ledger, tmp_path / "omdopt", "huvudbok.xls")
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(misnamed), "2024-04")
    note = (
        "OBS: huvudbok.xls är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
        "Byt filändelse till .xlsx så att andra program också känner igen den."
    )
    assert alert(book) == f"{expected}\n\n{note}"


def test_compare_says_once_that_a_version_is_misnamed(caller, make_book) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    from .test_compare import areas

    old = make_book({"Produktionsområden": areas()}, "budget-v1.xlsx")
    misnamed = _renamed_copy(old, old.parent / "omdopt", "budget-v1.ods")
    new = make_book({"Produktionsområden": areas({"Vuxenutbildning": (22, -46.3, -24.3)})}, "budget-v2.xlsx")
    book = caller(saved(payload(new), new))
    vp.compare(str(misnamed))
    text = alert(book)
    assert "4 ändringar: 4 belopp ändrade." in text
    assert text.count("OBS:") == 1
    assert text.endswith(
        "\n\nOBS: budget-v1.ods är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
        "Byt filändelse till .xlsx så att andra program också känner igen den."
    ), text


def test_fill_says_once_that_the_forecast_workbook_is_misnamed_or_has_macro_sheets(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    from .test_reader_notes import MACRO_NOTE, renamed_note, with_macro_sheet

    template = WORKBOOKS / "templates" / "manadsrapport-februari.xlsx"
    budget, ledger, forecast = (str(WORKBOOKS / n) for n in ("budget-2024.xlsx", "huvudbok-2024.csv", "prognos-2024.xlsx"))
    book = caller(payload(template))
    vp.fill("2024-02", budget, ledger, forecast)
    expected = alert(book)
    assert expected.startswith("Mallen är fylld för februari 2024") and "OBS:" not in expected, expected
    misnamed = _renamed_copy(WORKBOOKS / "prognos-2024.xlsx", tmp_path / "omdopt", "prognos-2024.ods")
    book = caller(payload(template))
    vp.fill("2024-02", budget, ledger, str(misnamed))
    assert alert(book) == f"{expected}\n\nOBS: {renamed_note('prognos-2024.ods')}"  # the same fill, and one line more
    macro = with_macro_sheet(WORKBOOKS / "prognos-2024.xlsx", tmp_path / "makro" / "prognos-2024.xlsm")
    book = caller(payload(template))
    vp.fill("2024-02", budget, ledger, str(macro))
    assert alert(book) == f"{expected}\n\nOBS: {MACRO_NOTE}"


def test_reconcile_says_once_that_macro_sheets_of_the_ledger_workbook_were_left_out(caller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    from .test_reader_notes import MACRO_NOTE, with_macro_sheet

    ledger = _ledger_workbook(tmp_path / "huvudbok.xlsx")
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(ledger), "2024-04")
    expected = alert(book)
    assert expected.startswith("Avstämningen är klar") and "OBS:" not in expected
    macro = with_macro_sheet(ledger, tmp_path / "makro" / "huvudbok.xlsm")
    book = caller(payload(WORKBOOKS / "budget-2024.xlsx"))
    vp.reconcile(str(macro), "2024-04")
    assert alert(book) == f"{expected}\n\nOBS: {MACRO_NOTE}"


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [
        ("Hidden", "Bladet 'Produktionsområden' är dolt. Visa det i Excel: högerklicka på en bladflik > Ta fram"),
        ("VeryHidden", "Bladet 'Produktionsområden' är mycket dolt och syns inte ens under Ta fram."),
    ],
)
def test_validate_says_a_findings_sheet_is_hidden_and_how_to_show_it(caller, visibility: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    data = payload(WORKBOOKS / "budget-2024-med-fel.xlsx")
    data["sheets"][0]["visibility"] = visibility
    book = caller(data)
    vp.validate()
    report = next(r for r in written_rows(book) if any(line[:1] == ["Nivå"] for line in r))
    header = next(i for i, line in enumerate(report) if line[0] == "Nivå")
    notes = [line[0] for line in report[:header] if line and line[0]]
    assert len(notes) == 1 and notes[0].startswith(shown)  # once, above the findings, as the command line says it
    first = header + 2  # the sheet's row of the first finding: its link sits there, in column E
    links = {(a["start_row"] + 1, a["args"][0]) for a in actions(book, "addHyperlink")}
    assert (first, f"#'Produktionsområden'!{report[header + 1][4]}") in links
    assert f"OBS: {shown}" in alert(book)


def test_a_visible_sheet_gets_no_note(caller) -> None:  # type: ignore[no-untyped-def]
    import vpexcel.excel as vp

    data = payload(WORKBOOKS / "budget-2024-med-fel.xlsx")
    data["sheets"][0]["visibility"] = "Visible"
    book = caller(data)
    vp.validate()
    report = next(r for r in written_rows(book) if any(line[:1] == ["Nivå"] for line in r))
    assert report[0][0] == "Nivå" and "dolt" not in alert(book)


@pytest.mark.parametrize(("com", "expected"), [(-1, "visible"), (0, "hidden"), (2, "very_hidden")])
def test_the_port_reads_a_sheets_visibility_through_com(com: int, expected: str) -> None:
    from types import SimpleNamespace

    from vpexcel.excel.port import visibility

    assert visibility(SimpleNamespace(api=SimpleNamespace(Visible=com), visible=com == -1)) == expected
