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
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        sheets = set(sheet_parts(template).values())
        assert set(changed) <= sheets | {"xl/workbook.xml"}
        assert any(n in sheets for n in changed)
        # workbook.xml: only the request to recalculate on opening
        assert b.read("xl/workbook.xml").replace(b' fullCalcOnLoad="1"', b"").replace(
            b'<calcPr fullCalcOnLoad="1"/>', b""
        ) == a.read("xl/workbook.xml").replace(b' fullCalcOnLoad="1"', b"")
        for part in changed:
            if part == "xl/workbook.xml":
                continue
            x, y = a.read(part), b.read(part)
            # outside sheetData (merges, conditional formats, validations, print settings, drawings) nothing moved
            assert _SHEET_DATA.sub(b"", x) == _SHEET_DATA.sub(b"", y)
            cx, cy = cells(x), cells(y)
            for ref, xml in cx.items():
                if ref in cy and cy[ref] != xml:
                    if b"<f>" in xml:  # a formula keeps its text and style; only its stored result is new
                        assert _FORMULA.search(xml).group(0) == _FORMULA.search(cy[ref]).group(0), f"{part} {ref}"
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
        assert vml and all(a.read(n) == b.read(n) for n in vml)
        assert b"FyllUppfoljning" in b"".join(b.read(n) for n in vml)
        assert b.read("[Content_Types].xml") == a.read("[Content_Types].xml")


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
