"""Filling the follow-up templates: the right figures in the right cells, and nothing else touched."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.io.ledger_reader import read_ledger
from vpexcel.io.xlsx_reader import read_workbook
from vpexcel.reconcile import budget_figures, reconcile
from vpexcel.settings import default_settings
from vpexcel.templates import PERIODS, TEMPLATES, build_template

from .conftest import WORKBOOKS

TEMPLATES_DIR = WORKBOOKS / "templates"
BUDGET = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"
FORECAST = WORKBOOKS / "prognos-2024.xlsx"
KOLADA = WORKBOOKS / "kolada-1441.json"
_CELL = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+\d+)\"[^>]*?(?:/>|>.*?</c>)", re.S)
_SHEET_DATA = re.compile(rb"<sheetData>.*</sheetData>|<sheetData/>", re.S)
_FORMULA = re.compile(rb"<f>.*?</f>", re.S)
_VALUE = re.compile(rb"<v>.*?</v>", re.S)


def fill(template: Path, out: Path, period: str, *extra: str) -> Path:
    args = [
        "fill",
        str(template),
        "--period",
        period,
        "--budget",
        str(BUDGET),
        "--ledger",
        str(LEDGER),
        "--forecast",
        str(FORECAST),
        "--indicators",
        str(KOLADA),
        "--date",
        "2024-05-15",
        "--output",
        str(out),
        *extra,
    ]
    assert main(args) == 0
    return out


def cells(xml: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(0) for m in _CELL.finditer(xml)}


def sheet_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels)) | {
        a: b for b, a in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)
    }
    return {
        name: "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb)
    }


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_part_not_filled_is_byte_identical(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    template = TEMPLATES_DIR / name
    before = hashlib.sha256(template.read_bytes()).hexdigest()
    out = fill(template, tmp_path / name, PERIODS[name])
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before  # the template itself is never written
    assert_only_fill_changed(template, out)


def _elements(xml: bytes, tag: bytes) -> list[bytes]:
    return re.findall(rb"<" + tag + rb"\b[^>]*?(?:/>|>.*?</" + tag + rb">)", xml, re.S)


def _notes_only_added(x: bytes, y: bytes) -> None:
    """A comments part, VML drawing, relationships or content types: every original element still there, byte for byte."""
    for tag in (b"comment", b"author", b"v:shape", b"v:shapetype", b"Relationship", b"Override", b"Default"):
        new = _elements(y, tag)
        for element in _elements(x, tag):
            assert element in new, element[:80]


def assert_only_fill_changed(template: Path, out: Path) -> None:
    """What the fill did not mean to change is byte-identical.

    Sheets change only inside sheetData, only in filled cells and in the stored
    results of formulas (the formula text stays); workbook.xml only asks for a
    recalculation; parts that hold notes only gain vpexcel's notes.
    """
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(out) as b:
        assert b.namelist()[: len(a.namelist())] == a.namelist()
        added = b.namelist()[len(a.namelist()) :]
        assert all(
            re.fullmatch(r"xl/comments\d+\.xml|xl/drawings/vmlDrawing\d+\.vml|xl/worksheets/_rels/sheet\d+\.xml\.rels", n)
            for n in added
        )
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        sheets = set(sheet_parts(template).values())
        note_parts = {
            n for n in a.namelist() if re.search(r"comments\d+\.xml$|\.vml$|sheet\d+\.xml\.rels$|^\[Content_Types\]", n)
        }
        assert set(changed) <= sheets | {"xl/workbook.xml"} | note_parts
        assert any(n in sheets for n in changed)
        # workbook.xml: only the request to recalculate on opening
        assert b.read("xl/workbook.xml").replace(b' fullCalcOnLoad="1"', b"").replace(
            b'<calcPr fullCalcOnLoad="1"/>', b""
        ) == a.read("xl/workbook.xml").replace(b' fullCalcOnLoad="1"', b"")
        for part in changed:
            if part == "xl/workbook.xml":
                continue
            x, y = a.read(part), b.read(part)
            if part in note_parts:
                _notes_only_added(x, y)
                continue
            # outside sheetData (merges, conditional formats, validations, print settings, drawings) nothing moved,
            # except a <legacyDrawing> for notes on a sheet that had none
            assert _SHEET_DATA.sub(b"", x) == re.sub(rb'<legacyDrawing r:id="rId\d+"/>', b"", _SHEET_DATA.sub(b"", y)) or (
                _SHEET_DATA.sub(b"", x) == _SHEET_DATA.sub(b"", y)
            )
            cx, cy = cells(x), cells(y)
            for ref, xml in cx.items():
                if ref in cy and cy[ref] != xml:
                    if b"<f>" in xml:  # a formula keeps its text and style; only its stored result is new
                        assert _FORMULA.search(xml).group(0) == _FORMULA.search(cy[ref]).group(0), f"{part} {ref}"  # type: ignore[union-attr]
                        assert _VALUE.sub(b"", xml) == _VALUE.sub(b"", cy[ref]), f"{part} {ref}: more than the value changed"
                        continue
                    assert b"<v>" in cy[ref] or b"<is>" in cy[ref]
            assert set(cx) <= set(cy)


def test_xlsm_with_vba_and_a_button_keeps_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vba = b"\xd0\xcf\x11\xe0" + b"vpexcel test vbaProject " * 64  # the bytes must come through unchanged
    template = build_template(tmp_path / "mall.xlsm", "Månadsrapport", ("drift",), vba=vba, button=True)
    out = fill(template, tmp_path / "ifylld.xlsm", "2024-02")
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(out) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin") == vba
        vml = [n for n in a.namelist() if n.endswith(".vml")]
        assert vml and all(_notes_only_added(a.read(n), b.read(n)) is None for n in vml)  # the button's shape kept
        assert b"FyllUppfoljning" in b"".join(b.read(n) for n in vml)
        assert b.read("[Content_Types].xml") == a.read("[Content_Types].xml")
    assert_only_fill_changed(template, out)


def _values(path: Path, sheet: str) -> list[list[object]]:
    book = read_workbook(path)
    grid = book.sheet(sheet)
    assert grid is not None
    return grid.rows


def test_operating_table_gets_the_reconciled_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = fill(TEMPLATES_DIR / "tertialrapport-april.xlsx", tmp_path / "t1.xlsx", "2024-04")
    s = default_settings()
    rec = reconcile(budget_figures(read_workbook(BUDGET), s), read_ledger(LEDGER), s, (2024, 4))
    rows = {r[0]: r for r in _values(out, "Driftredovisning") if r and isinstance(r[0], str)}
    for a in rec.areas:
        row = rows[a.area]
        assert row[1] == pytest.approx(a.budget.net)
        assert row[2] == pytest.approx(a.budget_to_date.net, abs=1e-6)
        assert row[3] == pytest.approx(a.actual_to_date.net, abs=1e-6)
    assert rows["Kommundirektör"][6] == pytest.approx(-18.4)  # the area's own forecast
    assert rows["Kommundirektör"][8] == "=Konsultutredning våren 2024 ger underskott"  # text, not a formula
    ks = next(a for a in rec.areas if a.area == "KS-reserv")
    assert rows["KS-reserv"][6] == pytest.approx(ks.actual_to_date.net + ks.budget.net * 8 / 12, abs=1e-6)  # a proposal
    assert rows["Kommunledning och verksamhetsstöd"][9] == "Vakanser inom IT och HR under våren."  # the user's comment
    book = read_workbook(out)
    sheet = book.sheet("Driftredovisning")
    assert sheet is not None
    assert sheet.formula(15, 1) == "SUM(B7:B15)"  # the total stays a formula
    assert sheet.value(0, 0) == "Tertialrapport 1 – Kommunstyrelsen"
    assert sheet.value(1, 0) == "Period: januari–april 2024"
    assert sheet.value(3, 1) == "2024-05-15"
    printed = capsys.readouterr().out
    assert "Prognosen är ett förslag" in printed and "KS-reserv" in printed
    with zipfile.ZipFile(out) as z:
        xml = z.read(sheet_parts(out)["Driftredovisning"])
    assert b'<c r="I8" s=' in xml and b't="inlineStr"' in xml  # style kept, text inline
    assert b"<f>=Konsult" not in xml and b"<f>Konsult" not in xml


def test_indicators_targets_and_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = fill(TEMPLATES_DIR / "arsredovisning-december.xlsx", tmp_path / "ar.xlsx", "2024-12")
    ind = {r[0]: r for r in _values(out, "Indikatorer")[3:] if r and r[0]}
    hme = next(v for k, v in ind.items() if str(k).startswith("Hållbart"))
    assert hme[4] == 80.3 and hme[6] == "Ja"  # rose, as expected
    sick = next(v for k, v in ind.items() if str(k).startswith("Sjukfrånvaro"))
    assert sick[4] == 8.5 and sick[6] == "Ja"  # fell from 8.8 (Kolada's 2023, the template's cell is empty)
    rank = next(v for k, v in ind.items() if "ranking" in str(k))
    assert rank[4] == 71 and rank[6] == "Ja"  # a lower placing is better
    dimios = next(v for k, v in ind.items() if "DIMIOS" in str(k))
    assert dimios[4] in ("", None)  # entered by hand in the settings; none for 2024
    targets = {r[0]: r for r in _values(out, "Finansiella mål")[3:] if r and r[0]}
    assert targets["Soliditet (%)"][2] == 28.3 and targets["Soliditet (%)"][3] == "Ja"
    assert targets["Skulder per invånare (kr)"][3] == "Ja"
    net_share = targets["Nettokostnadsandel över tio år (%)"]
    assert net_share[2] == 99.6 and str(net_share[3]).startswith("Ja (snitt 10 år: 97,0")
    control = _values(out, "Internkontroll")
    assert [r[3] for r in control[3:9]] == ["grön", "gul", "grön", "röd", "gul", "grön"]
    assert control[3][4] == "Revideringen klar i mars."  # the user's comment, kept
    printed = capsys.readouterr().out
    assert "Inget värde ännu: Indikatorer!E9: inget värde för Digital mognad (DIMIOS) 2024" in printed  # no figure yet: exit 0


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_fills_from_the_samples(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    fill(TEMPLATES_DIR / name, tmp_path / name, PERIODS[name])
    printed = capsys.readouterr().out
    assert "driftredovisningen" in printed
    assert "platshållaren" not in printed


def test_fill_refuses_to_overwrite_the_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = Path(shutil.copy(TEMPLATES_DIR / "manadsrapport-februari.xlsx", tmp_path / "mall.xlsx"))
    args = [
        "fill",
        str(template),
        "--period",
        "2024-02",
        "--budget",
        str(BUDGET),
        "--ledger",
        str(LEDGER),
        "--output",
        str(template),
    ]
    assert main(args) == 2
    assert "skriva över" in capsys.readouterr().err


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None and os.environ.get("CI") != "true", reason="LibreOffice is not installed (CI installs it)")
def test_libreoffice_recalculates_the_filled_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    soffice = _soffice()
    assert soffice, "LibreOffice is missing: scripts/test.sh installs it with apt-get"
    out = fill(TEMPLATES_DIR / "delarsrapport-augusti.xlsx", tmp_path / "delar.xlsx", "2024-08")
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item>\n</oor:items>\n",
        encoding="utf-8",
    )
    conv = tmp_path / "recalculated"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(conv),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    recalculated = _values(conv / "delar.xlsx", "Driftredovisning")
    ours = _values(out, "Driftredovisning")
    header = next(i for i, r in enumerate(ours) if r and r[0] == "Produktionsområde")
    total = next(i for i, r in enumerate(ours) if r and r[0] == "Totalt")
    for col in (1, 2, 3, 4, 6, 7):
        expected = sum(r[col] for r in ours[header + 1 : total] if isinstance(r[col], float))
        assert recalculated[total][col] == pytest.approx(expected, abs=1e-4), f"column {col}"
    assert recalculated[total][5] == pytest.approx(recalculated[total][3] / recalculated[total][1], abs=1e-6)
    # what vpexcel stored with the formulas (for previews) is what a spreadsheet program computes
    for col in range(1, 8):
        assert ours[total][col] == pytest.approx(recalculated[total][col], abs=1e-6), f"stored total, column {col}"


def test_hand_entered_indicator_from_the_settings_sheet(make_book, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from vpexcel.samples import clean_budget
    from vpexcel.settings import SETTINGS_SHEET, settings_rows

    rows = settings_rows(default_settings())
    i = next(n for n, r in enumerate(rows) if r and r[0] == "Digital mognad (DIMIOS)")
    rows[i][3] = "2021=44; 2022=47,1; 2023=50,6; 2024=52,3"
    budget = make_book({**clean_budget(), SETTINGS_SHEET: rows})
    out = tmp_path / "ar.xlsx"
    args = [
        "fill",
        str(TEMPLATES_DIR / "arsredovisning-december.xlsx"),
        "--period",
        "2024-12",
        "--budget",
        str(budget),
        "--ledger",
        str(LEDGER),
        "--indicators",
        str(KOLADA),
        "--output",
        str(out),
    ]
    assert main(args) == 0
    dimios = next(r for r in _values(out, "Indikatorer") if r and "DIMIOS" in str(r[0]))
    assert dimios[4] == 52.3 and dimios[6] == "Ja"


def test_forecast_from_one_sheet_per_area(make_book, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    forecast = make_book(
        {
            "Kommundirektör": [["Kommundirektör – prognos (tkr)"], [], ["Prognos helår", -17_900]],
            "Vuxenutbildning": [["Vuxenutbildning – prognos (mkr)"], [], ["Prognos helår", -24.2]],
        }
    )
    out = tmp_path / "feb.xlsx"
    args = [
        "fill",
        str(TEMPLATES_DIR / "manadsrapport-februari.xlsx"),
        "--period",
        "2024-02",
        "--budget",
        str(BUDGET),
        "--ledger",
        str(LEDGER),
        "--forecast",
        str(forecast),
        "--output",
        str(out),
    ]
    assert main(args) == 0
    rows = {r[0]: r for r in _values(out, "Driftredovisning") if r and isinstance(r[0], str)}
    assert rows["Kommundirektör"][6] == pytest.approx(-17.9)  # tkr read as mkr
    assert rows["Vuxenutbildning"][6] == pytest.approx(-24.2)
    printed = capsys.readouterr().out
    assert "förslag" in printed and "Kommundirektör" not in printed.split("förslag")[1].split("\n")[0]


# --- a kommun's own templates (tests/template_corpus.py) ------------------------------------
def run_fill(template: Path, out: Path, period: str, *extra: str, forecast: bool = True) -> int:
    args = ["fill", str(template), "--period", period, "--budget", str(BUDGET), "--ledger", str(LEDGER)]
    args += ["--forecast", str(FORECAST)] if forecast else []
    return main([*args, "--date", "2024-05-15", "--output", str(out), *extra])


def _reconciled(period: tuple[int, int]) -> dict[str, object]:
    s = default_settings()
    rec = reconcile(budget_figures(read_workbook(BUDGET), s), read_ledger(LEDGER), s, period)
    return {a.area: a for a in rec.areas}


@pytest.mark.parametrize(("unit", "factor"), [("tkr", 1_000), ("mkr", 1), ("kr", 1_000_000)])
def test_a_kommuns_monthly_followup_fills_every_area_in_its_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], unit: str, factor: int
) -> None:
    from .template_corpus import AS_WRITTEN, FIRST_ROW, monthly_followup

    template = monthly_followup(tmp_path / "mall.xlsx", unit, comments={"KS-reserv": "Reserven används inte."})
    out = tmp_path / "ifylld.xlsx"
    assert run_fill(template, out, "2024-04") == 0
    printed = capsys.readouterr().out
    assert f"beloppen skrivs i {unit}, som mallen anger (A2)" in printed
    assert "Kunde inte fylla" not in printed
    areas = _reconciled((2024, 4))
    rows = _values(out, "Månadsuppföljning")
    for i, (label, name) in enumerate(AS_WRITTEN.items()):
        row, a = rows[FIRST_ROW + i], areas[name]
        assert row[0] == label
        assert row[1] == pytest.approx(a.budget.net * factor, abs=1e-6)  # type: ignore[attr-defined]
        assert row[2] == pytest.approx(a.budget_to_date.net * factor, abs=1e-6)  # type: ignore[attr-defined]
        assert row[3] == pytest.approx(a.actual_to_date.net * factor, abs=1e-6)  # type: ignore[attr-defined]
        assert row[4] == pytest.approx(row[3] - row[2], abs=1e-6)  # the template's own formula, computed for previews
        assert row[6] == pytest.approx(row[5] - row[1], abs=1e-6)
    assert rows[FIRST_ROW + 1][5] == pytest.approx(-18.4 * factor)  # Kommundirektören's submitted forecast
    total = rows[FIRST_ROW + len(AS_WRITTEN)]
    assert total[0] == "Summa Kommunstyrelsen"
    for c in range(1, 7):
        filled = [rows[FIRST_ROW + i][c] for i in range(len(AS_WRITTEN))]
        assert total[c] == pytest.approx(sum(filled), abs=1e-6), f"column {c}"
    assert abs(total[1]) > 100 * factor  # not the template's stored 0
    assert_only_fill_changed(template, out)


def test_two_rows_for_one_area_fill_only_the_first_so_the_total_counts_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .template_corpus import AS_WRITTEN, FIRST_ROW, monthly_followup

    labels = [*AS_WRITTEN, "Kommundirektör (1010)"]  # the same area again, written another way
    template = monthly_followup(tmp_path / "mall.xlsx", "tkr", labels=labels)
    out = tmp_path / "ifylld.xlsx"
    assert run_fill(template, out, "2024-04") == 1
    printed = capsys.readouterr().out
    assert f"A{FIRST_ROW + len(labels)}: 'Kommundirektör (1010)' är samma produktionsområde (Kommundirektör)" in printed
    rows = _values(out, "Månadsuppföljning")
    assert rows[FIRST_ROW + len(AS_WRITTEN)][1] in (None, "")  # the second row is left as it was
    budget = sum(a.budget.net for a in _reconciled((2024, 4)).values()) * 1_000  # type: ignore[attr-defined]
    assert rows[FIRST_ROW + len(labels)][1] == pytest.approx(budget, abs=1e-6)  # Summa: each area once


def test_proposals_say_so_in_the_comment_column_and_submitted_forecasts_do_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .template_corpus import AS_WRITTEN, FIRST_ROW, monthly_followup

    template = monthly_followup(tmp_path / "mall.xlsx", comments={"KS-reserv": "Reserven används inte."})
    out = tmp_path / "ifylld.xlsx"
    assert run_fill(template, out, "2024-04") == 0
    rows = {r[0]: r for r in _values(out, "Månadsuppföljning")[FIRST_ROW:] if r and r[0] in AS_WRITTEN}
    note = "Förslag från vpexcel: utfall jan–apr + budget maj–dec"
    # no forecast submitted: vpexcel's proposal, marked
    assert rows["Samhällsplanering"][7] == note and rows["Arbetsliv och stöd"][7] == note
    assert rows["KS-reserv"][7] == "Reserven används inte."  # the user's comment is never replaced
    # submitted in prognos-2024.xlsx: nothing marks them
    for label in ("Politisk organisation", "Kommundirektören", "Vuxenutbildning", "Räddningstjänsten"):
        assert rows[label][7] in (None, ""), label
    printed = capsys.readouterr().out
    assert "Prognosen är ett förslag" in printed and "Samhällsplanering" in printed
    notes = _notes(out, "Månadsuppföljning")
    labels = list(AS_WRITTEN)
    proposed = {labels[r - FIRST_ROW] for (r, c) in notes}
    assert proposed == {"Stöd och utveckling", "Samhällsplanering", "Arbetsliv och stöd", "KS-reserv"}
    assert {c for (r, c) in notes} == {5} and set(notes.values()) == {("vpexcel", note)}  # on the forecast cell
    assert_only_fill_changed(template, out)


def _notes(path: Path, sheet: str) -> dict[tuple[int, int], tuple[str, str]]:
    """Cell notes as another reader (openpyxl) sees them: (row, col) -> (author, text)."""
    import openpyxl

    ws = openpyxl.load_workbook(path)[sheet]
    return {(c.row - 1, c.column - 1): (c.comment.author, c.comment.text) for row in ws.iter_rows() for c in row if c.comment}


def test_proposal_notes_join_the_notes_a_template_already_has(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = fill(TEMPLATES_DIR / "tertialrapport-april.xlsx", tmp_path / "t1.xlsx", "2024-04")
    notes = _notes(out, "Driftredovisning")
    assert notes[(5, 6)][1].startswith("Produktionsområdenas prognos")  # the template's own note, kept
    rows = {r[0]: i for i, r in enumerate(_values(out, "Driftredovisning")) if r and isinstance(r[0], str)}
    assert notes[(rows["KS-reserv"], 6)] == ("vpexcel", "Förslag från vpexcel: utfall jan–apr + budget maj–dec")
    assert (rows["Kommundirektör"], 6) not in notes  # submitted: no note
    assert len(notes) == 5


def test_the_excel_buttons_summary_says_what_was_not_placed() -> None:
    from vpexcel.excel import fill_message
    from vpexcel.fill import FillPlan

    plan = FillPlan(missing=[f"rad {i}" for i in range(10)], warnings=["enheten"], proposals=["KS-reserv"])
    text = fill_message("april 2024", plan)
    assert text.startswith("Mallen är fylld för april 2024: 0 celler.")
    assert "Kunde inte fylla (10):\nrad 0\n" in text and "rad 7" in text and "rad 8" not in text and "och 2 till" in text
    assert "Varning: enheten" in text and "förslag för 1 områden" in text
    assert fill_message("april 2024", FillPlan()) == "Mallen är fylld för april 2024: 0 celler."


def test_no_forecasts_at_all_marks_every_row_a_proposal_in_the_forecast_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feb.xlsx"
    assert run_fill(TEMPLATES_DIR / "manadsrapport-februari.xlsx", out, "2024-02", forecast=False) == 0
    rows = {r[0]: r for r in _values(out, "Driftredovisning") if r and isinstance(r[0], str)}
    assert rows["Kommundirektör"][8] == "Förslag från vpexcel: utfall jan–feb + budget mar–dec"
    assert rows["Totalt"][8] in (None, "")


def test_a_template_without_a_unit_gets_the_settings_unit_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .template_corpus import FIRST_ROW, monthly_followup

    template = monthly_followup(tmp_path / "mall.xlsx", None)
    out = tmp_path / "ifylld.xlsx"
    assert run_fill(template, out, "2024-04") == 0
    assert "mallen anger ingen enhet; beloppen skrivs i mkr (inställningarnas enhet)" in capsys.readouterr().out
    assert _values(out, "Månadsuppföljning")[FIRST_ROW][1] == pytest.approx(-6.1)  # Politisk organisation, mkr


def test_numbers_that_contradict_the_stated_unit_are_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .template_corpus import AS_WRITTEN, FIRST_ROW, monthly_followup

    areas = _reconciled((2024, 4))
    last_year = {label: round(areas[name].budget.net * 0.97, 1) for label, name in AS_WRITTEN.items()}  # type: ignore[attr-defined]
    template = monthly_followup(tmp_path / "mall.xlsx", "tkr", last_year=last_year)  # last year's figures typed in mkr
    assert run_fill(template, tmp_path / "ifylld.xlsx", "2024-04") == 0
    printed = capsys.readouterr().out
    assert (
        "Varning: Månadsuppföljning: mallen anger tkr (A2), men talen som redan står i tabellen ser ut att vara i mkr" in printed
    )
    assert "orörda kolumner: Utfall 2023, Kommentar (bara 'Förslag från vpexcel' i tomma celler)" in printed
    rows = _values(tmp_path / "ifylld.xlsx", "Månadsuppföljning")
    assert [rows[FIRST_ROW + i][8] for i in range(len(AS_WRITTEN))] == list(last_year.values())  # last year's figures kept


def test_another_kommuns_template_needs_its_own_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.io.settings_io import write_settings_workbook
    from vpexcel.settings import Area

    from .template_corpus import OTHER_KOMMUN, other_kommun

    template = other_kommun(tmp_path / "mall.xlsx")
    # with the default settings most rows are unknown: exit 1, each listed with a suggestion where one is close
    assert run_fill(template, tmp_path / "utan.xlsx", "2024-04") == 1
    printed = capsys.readouterr().out
    assert "'Kommunchefen' är inget produktionsområde i inställningarna" in printed
    assert "'Reserv KS' är inget produktionsområde i inställningarna (menar du KS-reserv?); raden lämnas orörd" in printed
    assert (
        "4 produktionsområden i budgeten har ingen rad i mallens driftredovisning: Politisk organisation, Kommundirektör, "
        "Samhällsplanering, Arbetsliv och stöd." in printed
    )  # KS-reserv and the other area a row was asked about ("menar du ...?") are not said twice
    rows = {r[0]: r for r in _values(tmp_path / "utan.xlsx", "Uppföljning KS") if r and r[0]}
    assert rows["Räddningstjänsten"][1] == pytest.approx(-33.2 * 1000, abs=1e3)  # matched without help, in tkr
    # its own settings name its areas: every row filled, exit 0
    s = default_settings()
    aliases: dict[str, list[str]] = {}
    for label, name in OTHER_KOMMUN.items():
        aliases.setdefault(name, []).append(label)
    own = s.model_copy(
        update={"areas": [Area(name=a.name, aliases=[*a.aliases, *aliases.get(a.name, [])], parent=a.parent) for a in s.areas]}
    )
    settings = write_settings_workbook(tmp_path / "installningar.xlsx", own)
    out = tmp_path / "med.xlsx"
    assert run_fill(template, out, "2024-04", "--settings", str(settings)) == 0
    printed = capsys.readouterr().out
    assert "Kunde inte fylla" not in printed
    areas = _reconciled((2024, 4))
    rows = {r[0]: r for r in _values(out, "Uppföljning KS") if r and r[0]}
    for label, name in OTHER_KOMMUN.items():
        assert rows[label][1] == pytest.approx(areas[name].budget.net * 1000, abs=1e-6), label  # type: ignore[attr-defined]
        assert rows[label][2] == pytest.approx(areas[name].actual_to_date.net * 1000, abs=1e-6), label  # type: ignore[attr-defined]
        assert rows[label][4] == pytest.approx(rows[label][3] - rows[label][1], abs=1e-6), (
            label
        )  # "Avvikelse mot budget": the year's
    assert rows["Summa"][1] == pytest.approx(sum(rows[label][1] for label in OTHER_KOMMUN), abs=1e-6)
    assert_only_fill_changed(template, out)


def test_a_workbook_that_is_no_template_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .template_corpus import not_a_template

    book = not_a_template(tmp_path / "projekt.xlsx")
    out = tmp_path / "ut.xlsx"
    assert run_fill(book, out, "2024-04") == 2
    err = capsys.readouterr().err.strip()
    assert "projekt.xlsx är ingen mall som vpexcel känner igen" in err and "ingenting har skrivits" in err
    assert err.count("\n") == 0
    assert not out.exists()


def test_december_is_year_end_no_forecast_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .template_corpus import AS_WRITTEN, FIRST_ROW, monthly_followup

    template = monthly_followup(tmp_path / "mall.xlsx", "tkr", title="Månadsuppföljning Kommunstyrelsen december 2024")
    out = tmp_path / "dec.xlsx"
    assert run_fill(template, out, "2024-12") == 0
    printed = capsys.readouterr().out
    assert "bokslut: prognos helår lämnas tomma" in printed
    assert "Prognosen är ett förslag" not in printed
    assert "räknar med prognoskolumnen" in printed  # Avvikelse helår = Helårsprognos − Årsbudget: the template's own formula
    areas = _reconciled((2024, 12))
    rows = _values(out, "Månadsuppföljning")
    for i, name in enumerate(AS_WRITTEN.values()):
        row = rows[FIRST_ROW + i]
        assert row[3] == pytest.approx(areas[name].actual_to_date.net * 1000, abs=1e-6)  # type: ignore[attr-defined]
        assert row[5] in (None, "")  # no forecast at year-end
        assert row[7] in (None, "")  # and no proposal, no forecast comment


def test_a_bokslut_template_is_year_end_in_any_month_and_the_shipped_one_has_no_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .template_corpus import FIRST_ROW, monthly_followup

    template = monthly_followup(tmp_path / "mall.xlsx", "tkr", title="Bokslut 2024 Kommunstyrelsen")
    assert run_fill(template, tmp_path / "b.xlsx", "2024-08") == 0
    assert _values(tmp_path / "b.xlsx", "Månadsuppföljning")[FIRST_ROW][5] in (None, "")
    forecast = monthly_followup(tmp_path / "prognos.xlsx", "tkr", title="Bokslutsprognos augusti 2024")  # a forecast
    assert run_fill(forecast, tmp_path / "p.xlsx", "2024-08") == 0
    assert _values(tmp_path / "p.xlsx", "Månadsuppföljning")[FIRST_ROW][5] == pytest.approx(-6.1 * 1000)
    out = fill(TEMPLATES_DIR / "arsredovisning-december.xlsx", tmp_path / "ar.xlsx", "2024-12")
    rows = _values(out, "Driftredovisning")
    assert rows[5][:4] == ["Produktionsområde", "Budget helår", "Utfall helår", "Budgetavvikelse"]
    areas = _reconciled((2024, 12))
    kd = next(r for r in rows if r and r[0] == "Kommundirektör")
    a = areas["Kommundirektör"]
    assert kd[3] == pytest.approx(a.actual_to_date.net - a.budget.net, abs=1e-6)  # type: ignore[attr-defined]
    assert not any("Konsultutredning" in str(v) for r in rows for v in r)  # the spring's forecast comment is not carried over


@pytest.mark.parametrize("convention", ["negativ_underskott", "positiv_underskott"])
def test_the_deviation_setting_sets_the_sign(tmp_path: Path, capsys: pytest.CaptureFixture[str], convention: str) -> None:
    from vpexcel.io.settings_io import write_settings_workbook

    settings = write_settings_workbook(tmp_path / "s.xlsx", default_settings().model_copy(update={"deviation": convention}))
    out = fill(TEMPLATES_DIR / "tertialrapport-april.xlsx", tmp_path / "t1.xlsx", "2024-04", "--settings", str(settings))
    rows = {r[0]: r for r in _values(out, "Driftredovisning") if r and isinstance(r[0], str)}
    a = _reconciled((2024, 4))["Kommundirektör"]
    worse = -18.4 - a.budget.net  # type: ignore[attr-defined]  # forecast − budget: the forecast is the larger net cost
    assert worse < 0
    expected = worse if convention == "negativ_underskott" else -worse
    assert rows["Kommundirektör"][7] == pytest.approx(expected, abs=1e-6)
    to_date = a.actual_to_date.net - a.budget_to_date.net  # type: ignore[attr-defined]
    assert rows["Kommundirektör"][4] == pytest.approx(to_date if convention == "negativ_underskott" else -to_date, abs=1e-6)
    printed = capsys.readouterr().out
    sentence = (
        "ett negativt tal är ett underskott" if convention == "negativ_underskott" else "ett positivt tal är ett underskott"
    )
    assert "Tecken enligt inställningen Avvikelse: Avvikelse = " in printed and sentence in printed
    assert sentence in str(_values(out, "Driftredovisning")[2][0])  # the report's heading line says it too


@pytest.mark.parametrize(("value", "convention"), [("Negativt tal", "negativ_underskott"), ("positivt", "positiv_underskott")])
def test_the_avvikelse_section_of_the_settings_sheet(value: str, convention: str) -> None:
    from vpexcel.grid import SheetGrid
    from vpexcel.settings import settings_from_sheet

    rows = [["Avvikelse"], ["Inställning", "Värde"], ["Ett underskott visas som", value]]
    assert settings_from_sheet(SheetGrid("Inställningar", rows)).deviation == convention


def test_a_bad_avvikelse_value_is_named_by_its_cell() -> None:
    from vpexcel.errors import InputError
    from vpexcel.grid import SheetGrid
    from vpexcel.settings import settings_from_sheet

    rows = [["Avvikelse"], ["Inställning", "Värde"], ["Ett underskott visas som", "rött"]]
    with pytest.raises(InputError, match=r"Inställningar!B3: skriv 'negativt tal' eller 'positivt tal'"):
        settings_from_sheet(SheetGrid("Inställningar", rows))


@pytest.mark.parametrize(("convention", "red_when"), [("negativ_underskott", "lessThan"), ("positiv_underskott", "greaterThan")])
def test_the_templates_traffic_lights_follow_the_deviation_setting(tmp_path: Path, convention: str, red_when: str) -> None:
    shipped = TEMPLATES_DIR / "tertialrapport-april.xlsx"
    path = (
        shipped
        if convention == "negativ_underskott"
        else build_template(tmp_path / "t.xlsx", "T1", ("drift",), deviation=convention)
    )
    with zipfile.ZipFile(path) as z:
        sheet = z.read(sheet_parts(path)["Driftredovisning"]).decode()
        styles = z.read("xl/styles.xml").decode()
    rules = re.findall(r'<cfRule type="cellIs" dxfId="(\d+)" priority="\d+" operator="(\w+)"><formula>0</formula>', sheet)
    fills = re.findall(
        r'<dxf>.*?<bgColor rgb="FF([0-9A-F]{6})"/>.*?</dxf>', re.search(r"<dxfs.*</dxfs>", styles, re.S).group(0), re.S
    )  # type: ignore[union-attr]
    colour = {op: fills[int(dxf)] for dxf, op in rules}
    assert colour[red_when] == "FFC7CE"  # an underskott is red
    assert "C6EFCE" in colour.values()  # and the other side green


def test_stored_results_replace_only_the_value_of_formula_cells() -> None:
    from vpexcel.io.xlsx_patch import set_cached_values

    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" s="3"><f>SUM(B1:C1)</f><v>0</v></c>'
        b'<c r="B1" t="str"><f t="shared" ref="B1:B2" si="0">C1&amp;"x"</f><v>old</v></c><c r="C1"><v>4</v></c>'
        b'<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData></worksheet>'
    )
    out = set_cached_values(xml, {(0, 0): 12.5, (0, 1): "4 & x", (0, 2): 99.0, (0, 3): True})
    assert b'<c r="A1" s="3"><f>SUM(B1:C1)</f><v>12.5</v></c>' in out
    assert b'<c r="B1" t="str"><f t="shared" ref="B1:B2" si="0">C1&amp;"x"</f><v>4 &amp; x</v></c>' in out
    assert b'<c r="C1"><v>4</v></c>' in out  # not a formula: never touched here
    assert b'<c r="D1" t="b"><f>1/0</f><v>1</v></c>' in out


def test_formulas_on_another_sheet_that_read_filled_cells_are_left_to_excel_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import xlsxwriter

    path = tmp_path / "mall.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Drift")
    ws.write(0, 0, "Belopp i mkr")
    ws.write_row(1, 0, ["Produktionsområde", "Budget helår", "Utfall ack."])
    ws.write(2, 0, "Räddningstjänsten")
    ws.write_formula(3, 1, "=SUM(B3)", None, 0)
    ws.write_formula(3, 2, "=VLOOKUP(A3,A3:C3,3,FALSE)", None, 0)  # reads a filled cell; not computed by vpexcel
    summary = wb.add_worksheet("Sammanfattning")
    summary.write_formula(0, 0, "=Drift!B3", None, 0)  # another sheet
    summary.write_formula(1, 0, "=Drift!A1", None, 0)  # another sheet, nothing filled there
    wb.close()
    assert run_fill(path, tmp_path / "ut.xlsx", "2024-04") == 1  # the other areas have no row
    printed = capsys.readouterr().out
    assert "Beräknat: 1 formel som" in printed
    assert (
        "  2 formler som läser ifyllda celler räknar vpexcel inte ut (Drift!C4, Sammanfattning!A1); Excel räknar om dem"
        in printed
    )
