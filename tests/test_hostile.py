"""Hostile input (issue 9, reading side): each file from scripts/make_hostile.py gets its exact exit
code and one Swedish sentence that names the sheet, part or file, and nothing is written."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from vpexcel.cli import main
from vpexcel.io.xlsx_reader import read_workbook, scan_formulas, sheet_extent, surely_small
from vpexcel.samples import clean_budget
from vpexcel.settings import SETTINGS_SHEET, default_settings, settings_rows

from .conftest import WORKBOOKS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = WORKBOOKS / "budget-2024.xlsx"
LEDGER = WORKBOOKS / "huvudbok-2024.csv"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "scripts" / "make_hostile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = _load_script()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


def refused(rc: int, err: str, *words: str) -> None:
    assert rc == 2, err
    line = err.strip()
    assert line.startswith("vpexcel: ") and "\n" not in line, err
    assert "Traceback" not in err and "Error" not in err
    for w in words:
        assert w in line, (w, line)


def build(name: str, tmp_path: Path) -> Path:
    path: Path = hostile.BUILDERS[name](tmp_path)
    return path


@pytest.mark.parametrize(("name", "cell"), [("stray_xfd", "XFD1048576"), ("stray_cv", "CV1048576"), ("stray_a", "A1048576")])
def test_a_stray_cell_far_out_is_refused_naming_sheet_and_cell(
    name: str, cell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = build(name, tmp_path)
    rc, _, err = run(["validate", str(book), "--format", "xlsx"], capsys)
    refused(rc, err, "'Produktionsområden'", cell, "Ta bort")
    assert not list(tmp_path.glob("*rapport*"))  # nothing written on exit 2


def test_a_stray_cell_kills_no_process(tmp_path: Path) -> None:
    """Calamine alone aborted with a Rust backtrace (exit 134) on XFD1048576."""
    book = build("stray_xfd", tmp_path)
    done = subprocess.run([sys.executable, "-m", "vpexcel", "validate", str(book)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "panicked" not in done.stderr and done.stderr.count("\n") == 1


def test_reconcile_and_fill_refuse_the_same_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = build("stray_cv", tmp_path)
    rc, _, err = run(["reconcile", str(book), str(LEDGER), "--period", "2024-04"], capsys)
    refused(rc, err, "CV1048576")
    template = WORKBOOKS / "templates" / "tertialrapport-april.xlsx"
    out = tmp_path / "ut.xlsx"
    args = ["fill", str(template), "--period", "2024-04", "--budget", str(book), "--ledger", str(LEDGER)]
    rc, _, err = run([*args, "--output", str(out)], capsys)
    refused(rc, err, "CV1048576")
    assert not out.exists()


def test_extent_follows_cells_with_values_only() -> None:
    data = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1" s="2"/></row>'
        b'<row r="9"><c r="B9" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="900000"><c r="XFD900000" s="1"/></row></sheetData></worksheet>'
    )
    extent = sheet_extent(data)
    assert (extent.cells, extent.last_row, extent.last_col) == (2, 8, 1)  # styled empty cells do not count
    odd = data.replace(b'<c r="B9"', b'<c s="0" r="B9"')  # attributes in another order: the slow path agrees
    assert sheet_extent(odd)[:3] == (2, 8, 1)


def test_styled_empty_cells_do_not_hide_a_stray_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A million formatted empty cells must not make one value at S1048576 look like a dense table."""
    import zipfile

    with zipfile.ZipFile(SAMPLE) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    styled = b"".join(b'<row r="%d"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>' % (r, r, r) for r in range(20, 100_020))
    sheet = sheet.replace(b"</sheetData>", styled + b'<row r="1048576"><c r="S1048576"><v>1</v></c></row></sheetData>')
    book = hostile.rezip(SAMPLE, tmp_path / "formaterad.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    rc, _, err = run(["validate", str(book)], capsys)
    refused(rc, err, "S1048576")


def test_the_quick_bound_lets_only_small_sheets_pass() -> None:
    """surely_small skips the exact extent; it must never say "small" for a sheet that is not."""
    import zipfile

    with zipfile.ZipFile(SAMPLE) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert surely_small(sheet)
    for far in (b'<c r="XFD9"><v>1</v></c>', b'<c r="A99999"><v>1</v></c>', b'<c r="a1048576"><v>1</v></c>', b"<c><v>1</v></c>"):
        hostile_sheet = sheet.replace(b"</row></sheetData>", far + b"</row></sheetData>")
        assert not surely_small(hostile_sheet), far


def test_empty_formula_elements_and_valueless_error_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = read_workbook(SAMPLE)
    for name in ("empty_formulas", "error_cells"):
        book = read_workbook(build(name, tmp_path))
        assert [s.formulas for s in book.sheets] == [s.formulas for s in plain.sheets]
        assert book.sheets[0].rows == plain.sheets[0].rows
        rc, _, _ = run(["validate", str(tmp_path / book.name)], capsys)
        assert rc == 0


def test_formula_scan_still_finds_formulas_between_hostile_elements() -> None:
    data = (
        b"<worksheet><sheetData>" + b"<f/>" * 500 + b'<row r="2"><c r="B2"><f>SUM(A1:A2)</f><v>3</v></c>'
        b'<c r="C2" t="e"/><c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>' + b"<f>" * 500 + b"</sheetData></worksheet>"
    )
    formulas, errors = scan_formulas(data)
    assert formulas == {(1, 1): "SUM(A1:A2)", (1, 3): "1/0"}
    assert errors == {(1, 3): "#DIV/0!"}


def test_a_workbook_unpacking_to_a_gigabyte_is_refused_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(build("gigabyte", tmp_path))], capsys)
    refused(rc, err, "gigabyte.xlsx", "packas upp till mer än 300 MB")


def test_a_dtd_late_in_a_part_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(build("late_dtd", tmp_path))], capsys)
    refused(rc, err, "sen-dtd.xlsx", "XML")


def test_a_damaged_part_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(build("damaged_member", tmp_path))], capsys)
    refused(rc, err, "xl/worksheets/sheet1.xml", "skadad")


def test_a_lying_shared_string_count_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(build("shared_string_lie", tmp_path))], capsys)
    refused(rc, err, "xl/sharedStrings.xml")


def test_xlsb_is_read_as_values_and_says_once_that_formulas_are_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = build("xlsb", tmp_path)
    book = read_workbook(path)
    assert not book.has_formulas and book.sheets[0].value(1, 0) == "Vuxenutbildning"
    assert book.sheets[0].value(1, 3) == -23.3
    rc, out, err = run(["validate", str(path)], capsys)
    assert rc in (0, 1) and "Validering av budget.xlsb" in out
    assert out.count("VP405") == 1 and "vpexcel: OBS:" not in err  # said once: by the finding, not again as an OBS line
    rc, out, err = run(["validate", str(path), "--format", "json"], capsys)
    assert err.count("vpexcel: OBS:") == 1 and ".xlsb" in err and "formler" in err


def test_macro_sheets_are_skipped_with_one_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = build("macro_sheet", tmp_path)
    assert [s.name for s in read_workbook(path).sheets] == ["Produktionsområden", "Delområden KLV"]
    rc, _, err = run(["validate", str(path)], capsys)
    assert rc == 0
    assert err.count("vpexcel: OBS:") == 1 and "Makro1" in err


def test_deeply_nested_settings_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(SAMPLE), "--settings", str(build("nested_json", tmp_path))], capsys)
    refused(rc, err, "djup.json", "nästlad")


def test_settings_with_many_areas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(SAMPLE), "--settings", str(build("many_areas", tmp_path))], capsys)
    refused(rc, err, "manga-omraden.json", "högst 2000")
    fewer = tmp_path / "omraden.json"
    fewer.write_text(json.dumps({"areas": [{"name": f"Område {i}"} for i in range(2000)]}), encoding="utf-8")
    rc, out, _ = run(["validate", str(SAMPLE), "--settings", str(fewer), "--format", "json"], capsys)
    assert rc in (0, 1) and json.loads(out)["file"] == "budget-2024.xlsx"  # read, checked, linear in the areas


@pytest.mark.parametrize("rounding", ["1e300", "Infinity", "NaN", "0", "-0.1", "11"])
def test_rounding_cannot_switch_the_checks_off(rounding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "s.json"
    settings.write_text(f'{{"rounding": {rounding}}}', encoding="utf-8")
    rc, _, err = run(["validate", str(SAMPLE), "--settings", str(settings)], capsys)
    refused(rc, err, "s.json", "rounding")


@pytest.mark.parametrize("value", [1e300, "Infinity", 0])
def test_rounding_in_the_settings_sheet_names_the_cell(
    value: object, make_book: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = settings_rows(default_settings())
    r = next(i for i, row in enumerate(rows) if row and row[0] == "Avrundning")
    rows[r] = ["Avrundning", value]
    sheets = dict(clean_budget())
    sheets[SETTINGS_SHEET] = rows
    rc, _, err = run(["validate", str(make_book(sheets))], capsys)
    refused(rc, err, f"{SETTINGS_SHEET}!B{r + 1}", "avrundningen")


def test_frames_must_be_finite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = tmp_path / "s.json"
    settings.write_text('{"frames": [{"year": 2024, "amount": -Infinity}]}', encoding="utf-8")
    rc, _, err = run(["validate", str(SAMPLE), "--settings", str(settings)], capsys)
    refused(rc, err, "frames.0.amount", "ändligt")


@pytest.mark.parametrize(
    "args",
    [
        ["--years", "0001-0002"],
        ["--years", "2024-2021"],
        ["--years", "2021-2099"],
        ["--years", ""],
        ["--years", "2021,x"],
        ["--years", "2021", "--kommun", "../../etc"],
        ["--years", "2021", "--kommun", "14411"],
    ],
)
def test_odd_kolada_arguments(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "k.json"
    rc, _, err = run(["kolada", "fetch", *args, "--cache", str(cache), "--api", "http://127.0.0.1:9"], capsys)
    refused(rc, err)
    assert not cache.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Path(shutil.copy(SAMPLE, tmp_path / "last.xlsx"))
    book.chmod(0)
    try:
        rc, _, err = run(["validate", str(book)], capsys)
    finally:
        book.chmod(0o644)
    refused(rc, err, "last.xlsx", "åtkomst nekad")


def test_permission_denied_on_workbook_and_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same as above for a user who is not root: opening the file is refused by the system."""
    book = Path(shutil.copy(SAMPLE, tmp_path / "last.xlsx"))
    settings = tmp_path / "last.json"
    settings.write_text("{}", encoding="utf-8")
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name.startswith("last."):
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded)
    rc, _, err = run(["validate", str(book)], capsys)
    refused(rc, err, "last.xlsx", "åtkomst nekad")
    rc, _, err = run(["validate", str(SAMPLE), "--settings", str(settings)], capsys)
    refused(rc, err, "last.json", "åtkomst nekad")
    assert "Permission" not in err


def test_unreadable_inputs_deep_down_are_input_faults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wherever a named file fails (permissions, a damaged stream, nesting), the user gets exit 2, not 3."""
    import vpexcel.io.ledger_reader as ledger_reader

    def denied(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied", str(LEDGER))

    for fault, words in (
        (denied, ["huvudbok-2024.csv", "åtkomst nekad"]),
        (zlib.error("Error -3 while decompressing data"), ["skadad"]),
        (RecursionError("maximum recursion depth exceeded"), ["nästlade"]),
    ):
        if callable(fault):
            monkeypatch.setattr(ledger_reader, "read_ledger", fault)
        else:

            def boom(*_a: object, _e: BaseException = fault, **_k: object) -> None:
                raise _e

            monkeypatch.setattr(ledger_reader, "read_ledger", boom)
        rc, _, err = run(["reconcile", str(SAMPLE), str(LEDGER)], capsys)
        refused(rc, err, *words)
        assert "Permission" not in err and "decompressing" not in err and "recursion" not in err


def test_an_internal_fault_is_still_exit_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import vpexcel.validate as validate

    def bug(*_a: object, **_k: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(validate, "validate", bug)
    rc, _, err = run(["validate", str(SAMPLE)], capsys)
    assert rc == 3 and "internt fel" in err and "KeyError" not in err
