"""Faults the independent tester found in names, numbers, settings and message texts (issue round 2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vpexcel.findings import Report
from vpexcel.numbers import parse_swedish_number

from .conftest import codes, find
from .test_rules import EXACT_2024, board, no_bridge, renamed


# --- 12: a soft hyphen or a line break inside an area name -----------------------------------
def test_a_soft_hyphen_or_a_hyphen_at_a_line_break_does_not_hide_the_area(check: Callable[..., Report]) -> None:
    data = {
        {"Vuxenutbildning": "Vuxen\u00adutbildning", "Samhällsplanering": "Samhälls-\nplanering"}.get(k, k): v
        for k, v in EXACT_2024.items()
    }
    report = check(board({2024: data}), no_bridge())
    assert report.findings == []  # no VP101 "saknar", no VP102 "inget känt produktionsområde"


def test_blanks_and_hyphens_inside_a_name_do_not_count(check: Callable[..., Report]) -> None:
    for written in ("Stöd-och-utveckling", "Samhälls planering", "Vuxen-utbildning", "Kommun\u200bdirektör"):
        real = written.replace("-", " ").replace("\u200b", "").replace(" ", "")
        original = next(k for k in EXACT_2024 if k.replace(" ", "") == real)
        report = check(renamed(original, written), no_bridge())
        assert codes(report) == [], written


def test_an_unknown_name_is_still_unknown(check: Callable[..., Report]) -> None:
    report = check(renamed("Samhällsplanering", "Samhälls-bygge"), no_bridge())
    assert [f.cell for f in find(report, "VP102")] == ["A10"]


# --- 19: whole kronor written "1 500,-" and "12 345:-" ----------------------------------------
def test_whole_kronor_marks_are_no_minus() -> None:
    assert parse_swedish_number("1 500,-") == 1500.0
    assert parse_swedish_number("12 345:-") == 12345.0
    assert parse_swedish_number("1 500,\u2013") == 1500.0
    assert parse_swedish_number("-1 500,-") == -1500.0
    assert parse_swedish_number("22000-") == -22000.0  # the ledger's trailing minus is still a minus


def test_a_revenue_typed_as_whole_kronor_is_repaired_as_a_plus_amount(check: Callable[..., Report]) -> None:
    data = dict(EXACT_2024)
    data["Vuxenutbildning"] = ("22,-", -45.3, -23.3)
    data["Stöd och utveckling"] = ("1:-", -12.6, -11.6)
    report = check(board({2024: data}), no_bridge())
    assert {f.cell: f.expected for f in find(report, "VP201")} == {"B8": 22.0, "B9": 1.0}
    assert [f for f in report.findings if f.code in ("VP202", "VP204")] == []
    assert [f.cell for f in find(report, "VP301") if f.cell in ("D8", "D9")] == []  # the figures add up


# --- 16: the text report says what to do, and quotes formulas as Swedish Excel shows them -----
def test_formulas_are_quoted_as_swedish_excel_shows_them() -> None:
    from vpexcel.formula_sv import formula_sv

    assert formula_sv("SUM(D11:D11)") == "SUMMA(D11:D11)"
    assert formula_sv('=IF(A1>0.5,ROUND(B1,1),"a,b")') == '=OM(A1>0,5;AVRUNDA(B1;1);"a,b")'
    assert formula_sv("'Drift 2.5, KS'!B9+B13") == "'Drift 2.5, KS'!B9+B13"  # a sheet name stays as it is


def test_the_text_report_gives_the_suggestion_and_swedish_formulas(
    make_book: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    from vpexcel.cli import main

    sheets = board(sum_rows={1: "B5:B12"})  # Totalt brutto intäkt leaves out the last area (row 13)
    rc = main(["validate", str(make_book(sheets)), "--ingen-historik"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "Formeln =SUMMA(B5:B12) lämnar ute rad 13" in " ".join(out.split())
    assert "Förslag: Ändra till =SUMMA(B5:B13)." in out
    assert "=SUM(" not in out


# --- 20: the Tabeller lines are checked against the workbook -----------------------------------
def _with_tables(make_book: Callable[..., object], *lines: list[object]) -> list[str]:
    from vpexcel.samples import clean_budget
    from vpexcel.settings import SECTION_HEADERS, SECTION_TABLES, SETTINGS_SHEET, default_settings, settings_rows

    sheets = dict(clean_budget())
    sheets[SETTINGS_SHEET] = [*settings_rows(default_settings()), [], [SECTION_TABLES], SECTION_HEADERS[SECTION_TABLES]]
    sheets[SETTINGS_SHEET] += [list(line) for line in lines]
    return ["validate", str(make_book(sheets)), "--ingen-historik"]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (["Produktionsomraden 2024", 4], "nämner bladet 'Produktionsomraden 2024', men"),
        (["Produktionsområden", None, "XFE", "netto", "budget", 2024], "'XFE' är ingen kolumn"),
        (["Produktionsområden", 9999], "har rubrikerna på rad 9999, men bladet slutar på rad 15"),
        (["Produktionsområden", "två"], "rubrikraden ska vara ett radnummer, till exempel 3, inte 'två'"),
        (["Produktionsområden", 4, "D", "netto", "budget", "tjugo"], "'tjugo' är inget år"),
    ],
)
def test_a_tabeller_line_that_does_not_fit_the_workbook_is_named(
    make_book: Callable[..., object], capsys: pytest.CaptureFixture[str], line: list[object], said: str
) -> None:
    from vpexcel.cli import main

    rc = main(_with_tables(make_book, line))
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 2
    assert said in err
    assert "-253,2" not in err  # the example of an amount is no help for a row number or a year


def test_a_tabeller_line_that_fits_is_used(make_book: Callable[..., object], capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.cli import main

    assert main(_with_tables(make_book, ["Produktionsområden", 4])) == 0


# --- 21: the settings sheet under a name Excel or a user gave it --------------------------------
@pytest.mark.parametrize("name", ["Installningar", "Inställningar (2)", "INSTÄLLNINGAR"])
def test_a_settings_sheet_named_almost_inställningar_is_used(check: Callable[..., Report], name: str) -> None:
    from vpexcel.samples import clean_budget
    from vpexcel.settings import default_settings, settings_rows

    settings = default_settings()
    settings.frames[1].amount = -250.0  # the 2024 frame: the budget's -253,2 is now over it
    sheets = dict(clean_budget())
    sheets[name] = settings_rows(settings)
    report = check(sheets)
    assert [(f.code, f.expected) for f in report.findings if f.severity.value == "error"] == [("VP304", -250.0)]
    assert "VP107" not in codes(report)  # not "inga egna inställningar"


# --- 27 and 17: fill's summary names skipped cells, counts in Swedish, says one thing once -------
def _template(path: object, rows: list[list[object]], extra: dict[str, list[list[object]]] | None = None) -> object:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Drift"
    for row in rows:
        ws.append(row)
    for name, more in (extra or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(row)
    wb.save(path)  # type: ignore[arg-type]
    return path


def _fill_text(template: object, out: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from vpexcel.cli import main

    from .conftest import WORKBOOKS

    args = ["fill", str(template), "--period", "2024-04", "--budget", str(WORKBOOKS / "budget-2024.xlsx")]
    args += ["--ledger", str(WORKBOOKS / "huvudbok-2024.csv"), "--output", str(out), "--ingen-historik"]
    rc = main(args)
    return rc, " ".join(capsys.readouterr().out.split())


def test_fill_names_a_cell_left_alone_for_its_own_formula(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    rows: list[list[object]] = [["Belopp i tkr"], ["Produktionsområde", "Budget helår", "Utfall ack."]]
    rows += [["Politisk organisation"], ["Kommundirektör"], ["Räddningstjänst", '=HYPERLINK("http://x","budget")']]
    rc, text = _fill_text(_template(folder / "mall.xlsx", rows), folder / "ut.xlsx", capsys)
    assert rc == 1  # six areas have no row
    assert "3 rader × 2 kolumner" in text
    assert "celler med egna formler lämnas orörda: B5" in text
    assert "fylld för januari–april 2024: 5 celler." in text  # 3 x 2 less B5


def test_fill_says_one_and_many_in_swedish_and_names_the_formulas_left_to_excel(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    from vpexcel.settings import default_settings

    folder = Path(str(tmp_path))
    areas = [a.name for a in default_settings().top_level()]
    rows: list[list[object]] = [["Belopp i tkr"], ["Produktionsområde", "Budget helår", "Utfall ack."]]
    rows += [[name] for name in areas if name != "KS-reserv"]
    extra = {"Andra": [["=Drift!B3*2"]]}
    rc, text = _fill_text(_template(folder / "mall.xlsx", rows, extra), folder / "ut.xlsx", capsys)
    assert rc == 1
    assert "1 produktionsområde i budgeten har ingen rad i mallens driftredovisning: KS-reserv." in text
    assert "Lägg till en rad för det" in text
    assert "1 formel som läser ifyllda celler räknar vpexcel inte ut (Andra!A1); Excel räknar om den" in text
    assert "1 produktionsområden" not in text and "1 formler" not in text


def test_a_row_asked_about_is_not_said_again_as_a_missing_area(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from vpexcel.settings import default_settings

    folder = Path(str(tmp_path))
    areas = [a.name for a in default_settings().top_level()]
    rows: list[list[object]] = [["Belopp i tkr"], ["Produktionsområde", "Budget helår", "Utfall ack."]]
    rows += [["Politiska organisationerna" if name == "Politisk organisation" else name] for name in areas]
    rc, text = _fill_text(_template(folder / "mall.xlsx", rows), folder / "ut.xlsx", capsys)
    assert rc == 1
    assert "(menar du Politisk organisation?)" in text
    assert "ingen rad i mallens driftredovisning" not in text  # the same area, not said a second time


# --- 28: misleading messages ------------------------------------------------------------------
def test_visa_with_json_gives_the_map_too(make_book: Callable[..., object], capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from vpexcel.cli import main

    book = str(make_book(board()))
    assert main(["validate", book, "--format", "json", "--visa", "--ingen-historik"]) == 0
    data = json.loads(capsys.readouterr().out)
    (entry,) = [e for e in data["karta"] if e["blad"] == "Budget"]
    assert any("Rader:" in line for line in entry["rader"])
    assert main(["validate", book, "--format", "json", "--ingen-historik"]) == 0
    assert "karta" not in json.loads(capsys.readouterr().out)


def test_a_workbook_given_as_history_file_is_not_called_damaged(
    make_book: Callable[..., object], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vpexcel.cli import main

    monkeypatch.delenv("VPEXCEL_HISTORIK", raising=False)

    book = str(make_book(board()))
    other = str(make_book(board()))
    assert main(["validate", book, "--historik", other]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "är en arbetsbok (eller annan zip-fil), ingen historikfil från vpexcel" in err
    assert "skadad" not in err


def test_an_add_in_is_not_told_to_change_its_file_ending(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    from vpexcel.io.xlsx_reader import read_workbook

    from .conftest import WORKBOOKS

    addin = Path(str(tmp_path)) / "vpexcel.xlam"
    shutil.copy(WORKBOOKS / "budget-2024.xlsx", addin)
    assert not [n for n in read_workbook(addin).notes if "filändelse" in n.text]


def test_knapp_help_lists_every_button(capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.cli import main

    with pytest.raises(SystemExit):
        main(["knapp", "--help"])
    listed = " ".join(capsys.readouterr().out.split())
    pytest.importorskip("xlwings")
    from vpexcel.excel import BUTTONS

    for name in BUTTONS:
        assert name in listed, name


# --- 17: one mistake said once --------------------------------------------------------------------


def test_reconcile_says_unmapped_ansvar_once(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from vpexcel.cli import main
    from vpexcel.samples import write_ledger_csv

    from .conftest import WORKBOOKS

    def line(ansvar: str, amount: str) -> list[str]:
        return ["2024-02", ansvar, "100", "4010", "", "", "", amount, "t"]

    ledger = write_ledger_csv(Path(str(tmp_path)) / "l.csv", [line("1001", "1000,00"), line("9999", "2500,00")])
    main(["reconcile", str(WORKBOOKS / "budget-2024.xlsx"), str(ledger), "--period", "2024-02", "--ingen-historik"])
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("9999") == 1  # in the VP501 finding, not also in a line above it
    assert out.count("ansvar som inte hör till något produktionsområde") == 1
    assert "Utanför avstämningen: ansvar utan produktionsområde" not in out


def test_a_missing_area_points_at_the_misspelt_row_that_is_most_likely_it(check: Callable[..., Report]) -> None:
    report = check(renamed("Samhällsplanering", "Samhällsplanerng"), no_bridge())
    (unknown,) = find(report, "VP102")
    (missing,) = find(report, "VP101")
    assert unknown.cell == "A10" and "Menar du Samhällsplanering?" in unknown.message
    assert "Raden 'Samhällsplanerng' (A10) är troligen den" in missing.message
    assert missing.suggestion == "Byt namnet i A10 till 'Samhällsplanering'."
