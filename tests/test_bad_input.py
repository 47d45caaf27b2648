"""Input that cannot be used: exit code 2, one Swedish sentence, no traceback, nothing lost."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vpexcel.cli import main

from .conftest import WORKBOOKS

SAMPLE = WORKBOOKS / "budget-2024.xlsx"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


def assert_swedish_refusal(rc: int, err: str, *words: str) -> None:
    assert rc == 2
    assert "Traceback" not in err
    line = err.strip()
    assert line.startswith("vpexcel: ") and "\n" not in line
    for w in words:
        assert w in line


def test_not_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "budget.xlsx"
    p.write_text("Produktionsområde;Netto\nVuxenutbildning;-23,3\n", encoding="utf-8")
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "ingen Excel-arbetsbok", "Spara")


def test_broken_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "trasig.xlsx"
    p.write_bytes(SAMPLE.read_bytes()[:3000])
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "trasig")


def test_password_protected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with SAMPLE.open("rb") as fh:
        OOXMLFile(fh).encrypt("hemligt", out)
    p = tmp_path / "skyddad.xlsx"
    p.write_bytes(out.getvalue())
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "lösenordsskyddad", "Ta bort lösenordet")


def test_broken_old_xls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An OLE2 header (as Excel 97-2003 writes it) with a "Workbook" name but no valid container behind it:
    # .xls is read as values now (tests/test_legacy_formats.py), a broken one is still refused
    p = tmp_path / "gammal.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1024)
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "trasig", "Spara om")


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "tom.xlsx"
    p.write_bytes(b"")
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "tom")


def test_empty_workbook(make_book, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    p = make_book({"Blad1": []})
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "arbetsboken är tom")


def _rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in replace.items():
            if name not in zin.namelist():
                zout.writestr(name, data)
    return dst


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>"""


def test_xml_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _rezip(SAMPLE, tmp_path / "bomb.xlsx", {"xl/workbook.xml": BILLION_LAUGHS})
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "XML")


def test_xml_bomb_in_a_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = BILLION_LAUGHS.replace(b"<workbook", b"<worksheet").replace(b"</workbook>", b"</worksheet>")
    p = _rezip(SAMPLE, tmp_path / "bomb2.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "XML")


def test_zip_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _rezip(SAMPLE, tmp_path / "zipbomb.xlsx", {"xl/media/padding.bin": b"\0" * (60 * 1024 * 1024)})
    rc, _, err = run(["validate", str(p)], capsys)
    assert_swedish_refusal(rc, err, "zip-bomb")


def test_missing_file_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(tmp_path / "finns-inte.xlsx")], capsys)
    assert_swedish_refusal(rc, err, "finns inte")
    rc, _, err = run(["validate", str(tmp_path)], capsys)
    assert_swedish_refusal(rc, err, "mapp")


def test_bad_command_line_is_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", str(SAMPLE), "--format", "pdf"], capsys)
    assert_swedish_refusal(rc, err, "kommandot kan inte tolkas")


def test_report_never_overwrites_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = shutil.copy(SAMPLE, tmp_path / "budget.xlsx")
    before = hashlib.sha256(Path(book).read_bytes()).hexdigest()
    rc, _, err = run(["validate", str(book), "--format", "xlsx", "--output", str(book)], capsys)
    assert_swedish_refusal(rc, err, "skriva över")
    assert hashlib.sha256(Path(book).read_bytes()).hexdigest() == before


def test_refusal_from_a_real_process_is_one_line_without_traceback(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a zip at all")
    done = subprocess.run([sys.executable, "-m", "vpexcel", "validate", str(p)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_broken_template_and_encrypted_ledger_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    template = tmp_path / "mall.xlsx"
    template.write_bytes((WORKBOOKS / "templates" / "manadsrapport-februari.xlsx").read_bytes()[:2000])
    ledger = WORKBOOKS / "huvudbok-2024.csv"
    rc, _, err = run(["fill", str(template), "--period", "2024-02", "--budget", str(SAMPLE), "--ledger", str(ledger)], capsys)
    assert_swedish_refusal(rc, err, "trasig")
    out = io.BytesIO()
    with SAMPLE.open("rb") as fh:
        OOXMLFile(fh).encrypt("hemligt", out)
    locked = tmp_path / "huvudbok.xlsx"
    locked.write_bytes(out.getvalue())
    rc, _, err = run(["reconcile", str(SAMPLE), str(locked)], capsys)
    assert_swedish_refusal(rc, err, "lösenordsskyddad")
