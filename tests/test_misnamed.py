"""Files whose name does not say what they are: a workbook under another workbook format's
ending is read by its content (with the same vetting) and the user is told once to rename it;
a web page, an XML spreadsheet or a text file under a spreadsheet's name is refused with one
Swedish sentence saying what it is and what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from vpexcel.cli import main

from .conftest import WORKBOOKS, sample_fill_args, soffice_convert
from .test_hostile import refused, run

SAMPLE = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"


def _findings(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, str | None, str | None]], str]:
    rc = main(["validate", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert rc in (0, 1), err
    return rc, [(f["code"], f["sheet"], f["cell"]) for f in json.loads(out)["findings"]], err


def _renamed(src: Path, name: str, tmp_path: Path) -> Path:
    target = tmp_path / "omdopt" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(src, target)
    return target


@pytest.mark.parametrize("suffix", [".ods", ".xls", ".xlsb"])
def test_an_xlsx_under_another_ending_gives_the_xlsx_findings_and_one_rename_note(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc_x, expected, _ = _findings(SAMPLE, capsys)
    renamed = _renamed(SAMPLE, f"budget{suffix}", tmp_path)
    rc, got, err = _findings(renamed, capsys)
    assert (rc, got) == (rc_x, expected)  # formulas checked too: it is an .xlsx, whatever its name
    assert "VP405" not in [f[0] for f in got]
    note = f"vpexcel: OBS: budget{suffix} är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. Byt filändelse till .xlsx"
    assert err.count(note) == 1, err
    assert "trasig" not in err


@pytest.mark.parametrize(
    ("kind", "suffix", "what"),
    [
        ("ods", ".xlsx", "ett OpenDocument-kalkylark (.ods)"),
        ("xls", ".xlsx", "en Excel-arbetsbok i det gamla formatet (.xls)"),
        ("ods", ".xls", "ett OpenDocument-kalkylark (.ods)"),
        ("xls", ".ods", "en Excel-arbetsbok i det gamla formatet (.xls)"),
    ],
)
def test_an_ods_or_xls_under_another_ending_gives_the_findings_of_the_right_name(
    kind: str, suffix: str, what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    converted = soffice_convert(SAMPLE, kind, tmp_path)
    rc_c, expected, _ = _findings(converted, capsys)
    renamed = _renamed(converted, f"budget{suffix}", tmp_path)
    rc, got, err = _findings(renamed, capsys)
    assert (rc, got) == (rc_c, expected)
    assert err.count(f"budget{suffix} är egentligen {what}") == 1, err
    assert f"Byt filändelse till .{kind}" in err and "trasig" not in err


def test_the_vetting_follows_the_content_not_the_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A zip bomb named .ods is refused as the .xlsx it claims to be inside, not passed to a reader by its name."""
    import zipfile

    bomb = tmp_path / "bomb.ods"
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        out.writestr("xl/media/fyllnad.bin", b"\0" * (60 * 1024 * 1024))
    rc, _, err = run(["validate", str(bomb)], capsys)
    refused(rc, err, "bomb.ods", "zip-bomb")


def test_reconcile_jamfor_and_fill_read_a_renamed_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = _renamed(SAMPLE, "budget.ods", tmp_path)
    rc_x, out_x, _ = run(["reconcile", str(SAMPLE), str(LEDGER), "--format", "json"], capsys)
    rc, out, err = run(["reconcile", str(renamed), str(LEDGER), "--format", "json"], capsys)
    assert rc == rc_x, err
    assert json.loads(out)["areas"] == json.loads(out_x)["areas"]
    assert err.count("budget.ods är egentligen en Excel-arbetsbok (.xlsx)") == 1, err
    rc, out, err = run(["jämför", str(SAMPLE), str(renamed), "--format", "json"], capsys)
    assert rc == 0, err
    assert json.loads(out)["changes"] == []
    assert "budget.ods är egentligen en Excel-arbetsbok (.xlsx)" in err


def test_a_renamed_ledger_workbook_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_xlsx = soffice_convert(LEDGER, "xlsx", tmp_path, infilter="CSV:59,34,76,1")
    renamed = _renamed(ledger_xlsx, "huvudbok.xls", tmp_path)
    rc_c, out_c, _ = run(["reconcile", str(SAMPLE), str(LEDGER), "--format", "json"], capsys)
    rc, out, err = run(["reconcile", str(SAMPLE), str(renamed), "--format", "json"], capsys)
    assert rc == rc_c, err
    assert json.loads(out)["areas"] == json.loads(out_c)["areas"]
    assert err.count("huvudbok.xls är egentligen en Excel-arbetsbok (.xlsx)") == 1, err
    assert "trasig" not in err and "formlerna" not in err


HTML = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body><table>\n'
    "<tr><td>Period</td><td>Konto</td><td>Belopp</td></tr>\n<tr><td>202401</td><td>3010</td><td>-1000</td></tr>\n"
    "</table></body></html>\n"
)
XML2003 = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
    '<Worksheet ss:Name="Blad1"><Table><Row><Cell><Data ss:Type="String">Produktionsområde</Data></Cell></Row></Table>'
    "</Worksheet></Workbook>\n"
)
FODS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body/></office:document>\n'
)
CSV = "Produktionsområde;Budget 2024\nKommunstyrelsen;-1000\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (HTML, "den är en webbsida (HTML) med namnet .xls"),
        (XML2003, "XML-kalkylblad (SpreadsheetML 2003)"),
        (FODS, "platt OpenDocument-kalkylark (.fods)"),
        (CSV, "textfil (till exempel CSV)"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "jämför"])
def test_a_text_file_named_xls_is_told_what_it_is(
    text: str, said: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "budget.xls"
    path.write_text(text, encoding="utf-8")
    args = [command, str(path)] if command == "validate" else [command, str(SAMPLE), str(path)]
    before = sorted(p.name for p in tmp_path.iterdir())
    rc, _, err = run([*args, "--output", str(tmp_path / "ut.txt")] if command == "validate" else args, capsys)
    refused(rc, err, "budget.xls", said, "Spara som")
    assert "(.xlsx)." not in err.split(said)[0]  # not "ingen Excel-arbetsbok (.xlsx)" before what it is
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_an_html_ledger_named_xls_is_refused_but_a_csv_named_xls_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html_ledger = tmp_path / "huvudbok.xls"
    rows = [line.split(";") for line in LEDGER.read_text(encoding="utf-8-sig").splitlines()]
    html_ledger.write_text(
        "<html><body><table>\n"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in rows)
        + "</table></body></html>\n",
        encoding="utf-8",
    )
    out_file = tmp_path / "avstamning.xlsx"
    rc, out, err = run(["reconcile", str(SAMPLE), str(html_ledger), "--output", str(out_file)], capsys)
    refused(rc, err, "huvudbok.xls", "webbsida (HTML)", "Spara som > Excel-arbetsbok (.xlsx)")
    assert "<td>" not in err and not out_file.exists()
    csv_ledger = _renamed(LEDGER, "huvudbok-csv.xls", tmp_path)
    rc_c, out_c, _ = run(["reconcile", str(SAMPLE), str(LEDGER), "--format", "json"], capsys)
    rc, out, err = run(["reconcile", str(SAMPLE), str(csv_ledger), "--format", "json"], capsys)
    assert rc == rc_c, err
    assert json.loads(out)["areas"] == json.loads(out_c)["areas"]


def test_fill_reads_a_renamed_budget_as_the_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = _renamed(SAMPLE, "budget.xls", tmp_path)
    results = []
    for budget, out in ((SAMPLE, tmp_path / "a.xlsx"), (renamed, tmp_path / "b.xlsx")):
        args = sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-10")
        args[args.index("--budget") + 1] = str(budget)
        rc, _, err = run([*args, "--output", str(out)], capsys)
        results.append((rc, [[c.value for c in row] for ws in openpyxl.load_workbook(out) for row in ws.iter_rows()]))
    assert results[0] == results[1], err
    assert err.count("budget.xls är egentligen en Excel-arbetsbok (.xlsx)") == 1, err


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_formulas_not_read_is_said_once_on_the_screen(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In text mode VP405 is the one place that says it; the reader's note is not repeated as an OBS line."""
    converted = soffice_convert(SAMPLE, kind, tmp_path)
    rc, out, err = run(["validate", str(converted)], capsys)
    assert rc == 0, err
    assert out.count("VP405") == 1 and "formlerna kontrollerades inte" in " ".join(out.split())
    assert "formlerna" not in err and "OBS" not in err, err


@pytest.mark.parametrize(
    ("command", "argument"),
    [("validate", "ARBETSBOK"), ("jämför", "GAMMAL"), ("jamfor", "NY"), ("reconcile", "BUDGET"), ("fill", "--budget BUDGET")],
)
def test_help_names_every_workbook_format_read(command: str, argument: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    said = out[out.index(f" {argument} ", out.index("argument:")) :][:160]
    assert all(f"{ext}" in said for ext in (".xlsx", ".xlsb", ".xls", ".ods")), said


def test_with_output_to_a_file_the_screen_still_says_the_formulas_were_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate budget.ods --output rapport.txt`: the report (with VP405) goes to the file, so the screen keeps
    the OBS line (found by the second reviewer)."""
    converted = soffice_convert(SAMPLE, "ods", tmp_path)
    target = tmp_path / "rapport.txt"
    rc, _, err = run(["validate", str(converted), "--output", str(target)], capsys)
    assert rc == 0, err
    assert "VP405" in target.read_text(encoding="utf-8")
    assert err.count("OBS") == 1 and "formlerna" in err


def test_excels_unicode_text_named_xls_is_told_it_is_a_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's "Unicode-text" export is UTF-16 with a byte-order mark and tabs; named .xls it is a text file,
    not "ingen Excel-arbetsbok (.xlsx)" (found by the second reviewer)."""
    path = tmp_path / "budget.xls"
    path.write_bytes(b"\xff\xfe" + CSV.replace(";", "\t").encode("utf-16-le"))
    rc, _, err = run(["validate", str(path)], capsys)
    refused(rc, err, "budget.xls", "textfil (till exempel CSV)")
