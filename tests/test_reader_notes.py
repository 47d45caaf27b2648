"""What the reader says once about a workbook (a file under another format's name, a format read as
values only, macro sheets left out) is a typed note: each command passes on the notes that concern
it, picked by kind, and the sentences the user sees are the ones the reader wrote."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from vpexcel.grid import NoteKind
from vpexcel.io.xlsx_reader import read_workbook

from .conftest import WORKBOOKS, sample_fill_args, soffice_convert
from .test_hostile import build, run

SAMPLE = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"
VALUES_ONLY_ODS = (
    "budget-2024.ods är ett OpenDocument-kalkylark (.ods): värdena läses men inte formlerna, så kontrollerna av formler "
    "görs inte. Spara som .xlsx för en fullständig kontroll."
)


@pytest.fixture(scope="module")
def ods(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample budget saved by LibreOffice as .ods (values only for vpexcel)."""
    return soffice_convert(SAMPLE, "ods", tmp_path_factory.mktemp("ods"))


def _copy(src: Path, folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    return Path(shutil.copyfile(src, folder / name))


def _kinds_and_texts(path: Path) -> list[tuple[NoteKind, str]]:
    return [(n.kind, n.text) for n in read_workbook(path).notes]


def test_the_reader_gives_each_note_its_kind_and_the_sentence_the_user_reads(tmp_path: Path, ods: Path) -> None:
    assert _kinds_and_texts(SAMPLE) == []
    assert _kinds_and_texts(ods) == [(NoteKind.VALUES_ONLY, VALUES_ONLY_ODS)]
    renamed = _copy(SAMPLE, tmp_path / "omdopt", "budget.xls")
    assert _kinds_and_texts(renamed) == [
        (
            NoteKind.RENAMED,
            "budget.xls är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
            "Byt filändelse till .xlsx så att andra program också känner igen den.",
        )
    ]
    ods_as_xlsx = _copy(ods, tmp_path / "omdopt", "budget-2024.xlsx")
    assert [k for k, _ in _kinds_and_texts(ods_as_xlsx)] == [NoteKind.RENAMED, NoteKind.VALUES_ONLY]
    assert _kinds_and_texts(ods_as_xlsx)[0][1].startswith(
        "budget-2024.xlsx är egentligen ett OpenDocument-kalkylark (.ods) och lästes som ett sådant. Byt filändelse till .ods"
    )
    assert _kinds_and_texts(build("xlsb", tmp_path)) == [
        (
            NoteKind.VALUES_ONLY,
            "budget.xlsb är en binär arbetsbok (.xlsb): värdena läses men inte formlerna, så kontrollerna av formler "
            "görs inte. Spara som .xlsx för en fullständig kontroll.",
        )
    ]
    assert _kinds_and_texts(build("macro_sheet", tmp_path)) == [
        (
            NoteKind.SHEETS_LEFT_OUT,
            "Arbetsboken har blad som inte är kalkylblad (makroblad eller dialogblad: Makro1); "
            "de hoppas över och bara kalkylbladen kontrolleras.",
        )
    ]


def test_no_caller_picks_notes_by_their_wording() -> None:
    """Matching the Swedish text breaks silently when a sentence is reworded: notes are picked by kind."""
    root = Path(__file__).resolve().parents[1] / "vpexcel"
    for path in [root / "cli.py", root / "io" / "compare_xlsx.py", root / "io" / "ledger_reader.py", *root.glob("excel/*.py")]:
        text = path.read_text(encoding="utf-8")
        for wording in ("lästes som", "läses men inte formlerna", "Byt filändelse", "values_only_notes", "renamed_notes"):
            assert wording not in text, (path.name, wording)


def test_reconcile_of_a_values_only_budget_does_not_say_that_formulas_were_not_read(
    tmp_path: Path, ods: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """reconcile checks no formulas: the note is not its to say, on the screen or in its outputs."""
    rc_x, out_x, _ = run(["reconcile", str(SAMPLE), str(LEDGER), "--format", "json"], capsys)
    rc, out, err = run(["reconcile", str(ods), str(LEDGER), "--format", "json"], capsys)
    assert (rc, json.loads(out)["areas"]) == (rc_x, json.loads(out_x)["areas"]), err
    assert "formler" not in err + out and "OBS" not in err, err
    rc, out, err = run(["reconcile", str(ods), str(LEDGER)], capsys)
    assert rc == rc_x and "formler" not in err + out and "OBS" not in err, err
    target = tmp_path / "avstamning.xlsx"
    rc, out, err = run(["reconcile", str(ods), str(LEDGER), "--format", "xlsx", "--output", str(target)], capsys)
    assert rc == rc_x and "formler" not in err + out and "OBS" not in err, err
    cells = [str(v) for ws in openpyxl.load_workbook(target) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if "formler" in c], cells


def test_reconcile_still_says_a_budget_is_misnamed_and_that_macro_sheets_were_left_out(
    tmp_path: Path, ods: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    misnamed = _copy(ods, tmp_path / "omdopt", "budget-2024.xlsx")  # an .ods under an .xlsx name
    rc, _, err = run(["reconcile", str(misnamed), str(LEDGER), "--format", "json"], capsys)
    assert rc in (0, 1), err
    assert err.count("vpexcel: OBS:") == 1, err
    assert err.count("budget-2024.xlsx är egentligen ett OpenDocument-kalkylark (.ods) och lästes som ett sådant.") == 1
    assert "formlerna" not in err
    rc, _, err = run(["reconcile", str(build("macro_sheet", tmp_path)), str(LEDGER), "--format", "json"], capsys)
    assert rc in (0, 1), err
    assert err.count("vpexcel: OBS:") == 1 and "makroblad eller dialogblad: Makro1" in err, err


def test_fill_with_a_values_only_budget_does_not_say_that_formulas_were_not_read(
    tmp_path: Path, ods: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = []
    for budget in (SAMPLE, ods, _copy(ods, tmp_path / "omdopt", "budget-2024.xls")):
        args = sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-10")
        args[args.index("--budget") + 1] = str(budget)
        target = tmp_path / f"fylld-{len(results)}.xlsx"
        rc, out, err = run([*args, "--output", str(target)], capsys)
        cells = [[c.value for c in row] for ws in openpyxl.load_workbook(target) for row in ws.iter_rows()]
        results.append((rc, cells, out, err))
    (rc_x, cells_x, out_x, _), (rc, cells, out, err), (rc_r, cells_r, _, err_r) = results
    assert (rc, cells) == (rc_x, cells_x) == (rc_r, cells_r), err
    assert out.replace("fylld-1", "fylld-0") == out_x  # the same lines on the screen, no note about formulas
    assert "formlerna" not in err + out and "OBS" not in err, err
    assert not [v for row in cells for v in row if isinstance(v, str) and "formlerna" in v]
    # under another format's name the renamed note is said, once, and still not the formulas note
    assert err_r.count("vpexcel: OBS:") == 1 and err_r.count("budget-2024.xls är egentligen ett OpenDocument-kalkylark") == 1
    assert "formlerna" not in err_r


def test_validate_still_says_once_that_formulas_were_not_read(ods: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["validate", str(ods)], capsys)
    assert rc == 0 and out.count("VP405") == 1 and "OBS" not in err, err  # the finding says it
    rc, out, err = run(["validate", str(ods), "--format", "json"], capsys)
    assert err.count("vpexcel: OBS:") == 1 and VALUES_ONLY_ODS in " ".join(err.split()), err


def test_a_note_quoting_a_file_name_with_control_characters_reaches_the_screen_harmless(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    misnamed = _copy(SAMPLE, tmp_path / "omdopt", "budget\x1b[2J\x1b[31m.ods")
    rc, out, err = run(["validate", str(misnamed), "--format", "json"], capsys)
    assert rc in (0, 1), err
    assert "\x1b" not in out + err
    assert err.count("vpexcel: OBS: budget\ufffd[2J\ufffd[31m.ods är egentligen en Excel-arbetsbok (.xlsx)") == 1, err


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    """Every call in cli.py with the name of the function it is in."""
    found: list[tuple[str, ast.Call]] = []

    def walk(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                walk(child, child.name)
                continue
            if isinstance(child, ast.Call):
                found.append((where, child))
            walk(child, where)

    walk(tree, "<module>")
    return found


def test_every_line_the_cli_shows_goes_through_one_helper() -> None:
    """Text from a user's file (a name, a cell, an area) can hold ESC: every line for the screen goes
    through _say (control characters shown as \ufffd); only JSON, which escapes them itself, is written as is."""
    import vpexcel.cli as cli

    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    for where, call in _calls(tree):
        func = call.func
        if isinstance(func, ast.Name) and func.id == "print":
            assert where == "_say", f"print() in {where}: use _say"
        if isinstance(func, ast.Attribute) and func.attr == "write" and isinstance(func.value, ast.Attribute):
            stream = func.value.attr
            assert stream != "stderr", f"sys.stderr.write in {where}: use _say(text, sys.stderr)"
            if stream == "stdout":
                assert "json" in ast.unparse(call.args[0]), f"sys.stdout.write in {where} of something not JSON: use _say"


# --- the other files a command reads: forecast, settings, ledger; and doctor --------------------------------
FORECAST = WORKBOOKS / "prognos-2024.xlsx"
MACRO_NOTE = (
    "Arbetsboken har blad som inte är kalkylblad (makroblad eller dialogblad: Makro1); "
    "de hoppas över och bara kalkylbladen kontrolleras."
)


def renamed_note(name: str) -> str:
    """What the reader says of an Excel workbook (.xlsx) under the name ``name``."""
    return (
        f"{name} är egentligen en Excel-arbetsbok (.xlsx) och lästes som en sådan. "
        "Byt filändelse till .xlsx så att andra program också känner igen den."
    )


def with_macro_sheet(src: Path, dst: Path) -> Path:
    """A copy of the workbook ``src`` with an Excel 4 macro sheet Makro1 beside its worksheets."""
    import zipfile

    from .test_hostile import hostile

    with zipfile.ZipFile(src) as zf:
        wb, rels, types = (zf.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"))
    ns = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    replace = {
        "xl/workbook.xml": wb.replace(b"</sheets>", b'<sheet name="Makro1" sheetId="99" r:id="rId99" ' + ns + b"/></sheets>"),
        "xl/_rels/workbook.xml.rels": rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"'
            b' Target="macrosheets/sheet1.xml"/></Relationships>',
        ),
        "[Content_Types].xml": types.replace(
            b"</Types>",
            b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>',
        ),
        "xl/macrosheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><f>HALT()</f><v>1</v></c></row></sheetData></xm:macrosheet>',
    }
    dst.parent.mkdir(exist_ok=True)
    path: Path = hostile.rezip(src, dst, replace)
    return path


def _fill_with_forecast(forecast: Path, target: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    args = sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-10")
    args[args.index("--forecast") + 1] = str(forecast)
    return run([*args, "--output", str(target)], capsys)


def test_fill_says_once_that_the_forecast_workbook_is_misnamed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc_x, out_x, err_x = _fill_with_forecast(FORECAST, tmp_path / "fylld-0.xlsx", capsys)
    assert "OBS" not in err_x, err_x
    misnamed = _copy(FORECAST, tmp_path / "omdopt", "prognos-2024.ods")
    rc, out, err = _fill_with_forecast(misnamed, tmp_path / "fylld-1.xlsx", capsys)
    assert rc == rc_x and out.replace("fylld-1", "fylld-0") == out_x, err  # the forecasts were read all the same
    assert err.count("vpexcel: OBS:") == 1 and err.count(f"vpexcel: OBS: {renamed_note('prognos-2024.ods')}") == 1, err


def test_fill_says_that_macro_sheets_of_the_forecast_were_left_out_but_not_that_its_formulas_were_not_read(
    tmp_path: Path, ods: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    macro = with_macro_sheet(FORECAST, tmp_path / "makro" / "prognos-2024.xlsm")
    rc, _, err = _fill_with_forecast(macro, tmp_path / "fylld-1.xlsx", capsys)
    assert rc in (0, 1) and err.count("vpexcel: OBS:") == 1 and err.count(MACRO_NOTE) == 1, err
    forecast_ods = soffice_convert(FORECAST, "ods", tmp_path / "ods")  # values only: fill reads figures, no formulas
    rc, _, err = _fill_with_forecast(forecast_ods, tmp_path / "fylld-2.xlsx", capsys)
    assert rc in (0, 1) and "OBS" not in err and "formlerna" not in err, err


def _settings_workbook(folder: Path, name: str) -> Path:
    from vpexcel.io.settings_io import write_settings_workbook

    folder.mkdir(exist_ok=True)
    made = write_settings_workbook(folder / "installningar.xlsx")
    return made if name == made.name else Path(shutil.copyfile(made, folder / name))


def test_every_command_with_settings_says_once_that_the_settings_workbook_is_misnamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    right = _settings_workbook(tmp_path / "ratt", "installningar.xlsx")
    misnamed = _settings_workbook(tmp_path / "omdopt", "installningar.xls")
    fill = [*sample_fill_args("tertialrapport-april.xlsx", "2024-04", "2024-05-10"), "--output", str(tmp_path / "f.xlsx")]
    commands = [
        ["validate", str(SAMPLE), "--format", "json"],
        ["reconcile", str(SAMPLE), str(LEDGER), "--format", "json"],
        fill,
        ["jämför", str(SAMPLE), str(SAMPLE), "--format", "json"],
        ["jämför", str(SAMPLE), str(SAMPLE), "--format", "xlsx", "--output", str(tmp_path / "j.xlsx")],
    ]
    for command in commands:
        rc_x, out_x, err_x = run([*command, "--settings", str(right)], capsys)
        assert rc_x in (0, 1) and "OBS" not in err_x, (command, err_x)
        rc, out, err = run([*command, "--settings", str(misnamed)], capsys)
        assert (rc, out) == (rc_x, out_x), (command, err)  # the settings were read all the same
        assert err.count("vpexcel: OBS:") == 1, (command, err)
        assert err.count(f"vpexcel: OBS: {renamed_note('installningar.xls')}") == 1, (command, err)


def test_kolada_fetch_says_that_the_settings_workbook_is_misnamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import vpexcel.io.kolada_client as kolada

    monkeypatch.setattr(kolada, "fetch", lambda *_args, **_kwargs: [])  # no network in tests: Kolada answers nothing
    for name, said in (("installningar.xlsx", 0), ("installningar.xls", 1)):
        settings = _settings_workbook(tmp_path / name, name)
        cache = tmp_path / name / "kolada.json"
        rc, out, err = run(["kolada", "fetch", "--years", "2024", "--cache", str(cache), "--settings", str(settings)], capsys)
        assert rc == 0 and "kolada.json" in out, err
        assert err.count("vpexcel: OBS:") == said and err.count(renamed_note(name)) == said, err


def test_reconcile_says_that_macro_sheets_of_a_ledger_workbook_were_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for line in LEDGER.read_text(encoding="utf-8-sig").splitlines():
        ws.append(line.split(";"))
    (tmp_path / "hb").mkdir()
    plain = tmp_path / "hb" / "huvudbok.xlsx"
    wb.save(plain)
    rc_x, out_x, err_x = run(["reconcile", str(SAMPLE), str(plain), "--format", "json"], capsys)
    assert "OBS" not in err_x, err_x
    macro = with_macro_sheet(plain, tmp_path / "makro" / "huvudbok.xlsm")
    rc, out, err = run(["reconcile", str(SAMPLE), str(macro), "--format", "json"], capsys)
    assert rc == rc_x and json.loads(out)["areas"] == json.loads(out_x)["areas"], err
    assert err.count("vpexcel: OBS:") == 1 and err.count(MACRO_NOTE) == 1, err


def test_doctor_shows_every_note_of_the_workbook(tmp_path: Path, ods: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["doctor", "--workbook", str(SAMPLE)], capsys)
    assert "OBS" not in out + err, out
    misnamed = _copy(ods, tmp_path / "omdopt", "budget-2024.xlsx")  # renamed and values only: both are said
    rc_m, out, err = run(["doctor", "--workbook", str(misnamed)], capsys)
    assert rc_m == rc, out  # a note is no fault of the installation
    lines = out.splitlines()
    renamed = [i for i, line in enumerate(lines) if line.startswith("  OBS: budget-2024.xlsx är egentligen ett OpenDocument")]
    values = [i for i, line in enumerate(lines) if line.startswith("  OBS: budget-2024.xlsx är ett OpenDocument-kalkylark")]
    readable = [i for i, line in enumerate(lines) if line.startswith("  OK: budget-2024.xlsx går att läsa")]
    assert len(renamed) == len(values) == len(readable) == 1, out
    assert readable[0] < renamed[0] < values[0], out  # under the line about the workbook
    assert "OBS" not in err, err
    rc, out, _ = run(["doctor", "--workbook", str(build("macro_sheet", tmp_path))], capsys)
    assert out.count(f"  OBS: {MACRO_NOTE}") == 1 and out.count("OBS") == 1, out
