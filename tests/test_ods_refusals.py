"""A broken .ods is refused with advice its user can follow: save it again from LibreOffice (or the
program it was made in), not from Excel, which an .ods user may not have."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

import vpexcel.io.legacy_formats
import vpexcel.io.xlsx_reader
from vpexcel.cli import main
from vpexcel.io.resave import advice_for

from .conftest import WORKBOOKS

ELSEWHERE = "Spara om filen från LibreOffice eller det program den gjordes i"
CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Budget">'
    "<table:table-row>"
    '<table:table-cell office:value-type="string"><text:p>Område</text:p></table:table-cell>'
    '<table:table-cell office:value-type="float" office:value="12.5"><text:p>12,5</text:p></table:table-cell>'
    "</table:table-row>"
    "</table:table></office:spreadsheet></office:body></office:document-content>"
).encode()
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(path: Path, content: bytes = CONTENT) -> Path:
    """An .ods as LibreOffice lays it out: mimetype first and stored, the manifest, content.xml last and stored."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_STORED)
    return path


def refusal(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    rc = main(args)
    out, err = capsys.readouterr()
    assert rc == 2, out + err
    assert "Traceback" not in err and err.count("\n") == 1
    return err


def test_the_well_formed_ods_these_tests_break_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vpexcel.io.xlsx_reader import read_workbook

    assert read_workbook(ods(tmp_path / "hel.ods")).sheets[0].rows == [["Område", 12.5]]


def test_a_truncated_content_xml_says_to_save_from_libreoffice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ods(tmp_path / "budget.ods", CONTENT[: len(CONTENT) // 2])
    err = refusal(["validate", str(path)], capsys)
    assert "budget.ods kan inte läsas" in err and ELSEWHERE in err and "Excel" not in err


def test_a_corrupted_content_xml_says_to_save_from_libreoffice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ods(tmp_path / "budget.ods")
    data = bytearray(path.read_bytes())
    at = data.find(b"<office:body>")  # inside content.xml's stored bytes: its CRC no longer matches
    data[at : at + 13] = b"<office:BODY>"
    path.write_bytes(bytes(data))
    err = refusal(["validate", str(path)], capsys)
    assert "delen content.xml är skadad" in err and ELSEWHERE in err and "Excel" not in err


@pytest.mark.parametrize("part", [0.1, 0.5, 0.9])
def test_a_truncated_ods_says_to_save_from_libreoffice(part: float, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = ods(tmp_path / "hel.ods").read_bytes()
    path = tmp_path / "budget.ods"
    path.write_bytes(whole[: int(len(whole) * part)])
    err = refusal(["validate", str(path)], capsys)
    assert "budget.ods kan inte läsas" in err and ELSEWHERE in err and "Excel" not in err


def test_every_command_that_reads_an_ods_gives_the_same_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "trasig.ods"
    broken.write_bytes(ods(tmp_path / "hel.ods").read_bytes()[:300])
    budget = WORKBOOKS / "budget-2024.xlsx"
    for args in (
        ["jämför", str(budget), str(broken)],
        ["reconcile", str(broken), str(WORKBOOKS / "huvudbok-2024.csv")],
        ["reconcile", str(budget), str(broken)],  # an .ods ledger
    ):
        err = refusal(args, capsys)
        assert "trasig.ods kan inte läsas" in err and ELSEWHERE in err and "Excel" not in err, args


def test_a_truncated_xlsx_still_says_excel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "budget.xlsx"
    path.write_bytes((WORKBOOKS / "budget-2024.xlsx").read_bytes()[:3000])
    err = refusal(["validate", str(path)], capsys)
    assert "Spara om arbetsboken från Excel" in err and "LibreOffice" not in err


def _sentences(module: object) -> list[str]:
    source = Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8")
    return [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_no_refusal_the_reader_can_give_tells_an_ods_user_to_use_excel() -> None:
    sentences = _sentences(vpexcel.io.xlsx_reader) + _sentences(vpexcel.io.legacy_formats)
    advice = [s for s in sentences if "från Excel" in s]
    assert advice  # the reader's refusals do advise Excel for its own formats
    for s in advice:
        assert "från Excel" not in advice_for(Path("budget.ods"), s), s
        assert advice_for(Path("budget.xlsx"), s) == s
    # no refusal an .ods can get names Excel at all (".xls" and ".xlsb" ones are never said of an .ods file)
    for s in sentences:
        # sentences that say what the file really is (an .xls, .xlsb, SpreadsheetML, a text file) may advise Excel
        about_excel_formats = "formatet .xls" in s or ".xlsb" in s or "(.xls)" in s or "och ingen Excel-arbetsbok. Öppna" in s
        if s.startswith(("den ", "bladen ", "arbetsboken ", "innehållet ", "filen ")) and not about_excel_formats:
            assert "Excel" not in advice_for(Path("budget.ods"), s), s
