"""Assemble the add-in (vpexcel.xlam) and the sample workbook with sheet buttons from macros/.

    .venv/bin/python build/build_addin.py [--out DIR]

macros/ is the source of truth: Verksamhetsplan.bas (the buttons) and customUI.xml
(the ribbon tab). The VBA project also gets xlwings.bas from the installed xlwings,
which pyproject pins, so the add-in's RunPython always matches the Python package.
LibreOffice (over UNO, with Debian's python3-uno) compiles the modules into a
vbaProject.bin (code page 1252, with a document module for each code name the
workbook declares); XlsxWriter writes the workbooks around it; the ribbon XML is then
added to the package as Office expects (a customUI part with its relationship) and
the workbook's content type made that of an add-in.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MACROS = ROOT / "macros"
UI_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
SHEET_BUTTONS = [
    ("Validera", "Validera"),
    ("Reparera siffror", "RepareraSiffror"),
    ("Stäm av mot huvudbok", "StamAv"),
    ("Rensa markeringar", "RensaMarkeringar"),
]


def xlwings_bas() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "xlwings.bas"


def vba_project(sources: list[Path], documents: list[str]) -> bytes:
    """A vbaProject.bin with the modules of ``sources`` and empty document modules named ``documents``."""
    uno_python = os.environ.get("VPEXCEL_UNO_PYTHON", "/usr/bin/python3")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "vba.xlsm"
        docs = [a for name in documents for a in ("--document", name)]
        subprocess.run(
            [uno_python, str(ROOT / "build" / "lo_vba.py"), str(out), *docs, *map(str, sources)], check=True, timeout=300
        )
        with zipfile.ZipFile(out) as z:
            return z.read("xl/vbaProject.bin")


def code_names(path: Path) -> list[str]:
    """The code names a workbook package declares: the workbook's, then each sheet's (workbook order)."""
    import defusedxml.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        names = [p.get("codeName") for p in book.iter(f"{main}workbookPr")]
        for sheet in book.iter(f"{main}sheet"):
            part = ET.fromstring(z.read("xl/" + str(targets[sheet.get(rel)]).lstrip("/").removeprefix("xl/")))
            names += [p.get("codeName") for p in part.iter(f"{main}sheetPr")]
    return [n for n in names if n]


def addin_workbook(path: Path, vba: bytes) -> Path:
    """The add-in's own workbook: one explanatory sheet and the VBA project."""
    import datetime as dt

    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 1, 1), "author": "vpexcel", "title": "vpexcel – Verksamhetsplan"})
    ws = wb.add_worksheet("vpexcel")
    ws.write("A1", "vpexcel: tillägget för fliken Verksamhetsplan.")
    ws.write("A2", "Programmet för datorer utan Python letas efter där namnet VPEXCEL_PROGRAM pekar, i mappen vpexcel")
    ws.write("A3", "bredvid tillägget, i mappen ovanför och i %LOCALAPPDATA%\\vpexcel (dit installera.cmd packar upp).")
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    return path


def make_addin(xlsm: Path, target: Path, ribbon: bytes) -> Path:
    """An add-in package: the .xlsm's parts, the ribbon part and relationship, the add-in content type."""
    with zipfile.ZipFile(xlsm) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                    b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                )
            elif info.filename == "_rels/.rels":
                rel = f'<Relationship Id="rIdVpexcelUi" Type="{UI_REL}" Target="customUI/customUI.xml"/>'.encode()
                data = data.replace(b"</Relationships>", rel + b"</Relationships>")
            zout.writestr(info, data)
        zout.writestr("customUI/customUI.xml", ribbon)
    return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "workbooks"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        sys.exit("build_addin: LibreOffice is needed (apt-get install libreoffice-calc-nogui python3-uno)")
    import xlwings

    pinned = re.search(r'"xlwings==([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    if not pinned or pinned.group(1) != xlwings.__version__:
        sys.exit(
            f"build_addin: xlwings {xlwings.__version__} is installed but pyproject pins {pinned.group(1) if pinned else '?'}"
        )
    sources = [xlwings_bas(), *sorted(MACROS.glob("*.bas"))]
    from vpexcel.samples import clean_budget, write_book

    # each workbook is written twice: first to learn the code names it declares, then with its project
    with tempfile.TemporaryDirectory() as tmp:
        names = code_names(addin_workbook(Path(tmp) / "names.xlsm", b""))
        plain = addin_workbook(Path(tmp) / "vpexcel.xlsm", vba_project(sources, names))
        addin = make_addin(plain, out / "vpexcel.xlam", (MACROS / "customUI.xml").read_bytes())
        names = code_names(write_book(Path(tmp) / "names.xlsm", clean_budget(), vba=b"", buttons=SHEET_BUTTONS))
    sample = write_book(out / "budget-2024-knappar.xlsm", clean_budget(), vba=vba_project(sources, names), buttons=SHEET_BUTTONS)
    print(addin.relative_to(ROOT) if addin.is_relative_to(ROOT) else addin)
    print(sample.relative_to(ROOT) if sample.is_relative_to(ROOT) else sample)


if __name__ == "__main__":
    main()
