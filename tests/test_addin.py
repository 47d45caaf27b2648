"""The add-in and the sample .xlsm are built from macros/: the VBA read back with olevba equals the
source, the ribbon calls Subs that exist, every button calls a function vpexcel has, and xlwings'
VBA is the version of the pinned Python package."""

from __future__ import annotations

import inspect
import os
import re
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from .conftest import ROOT, WORKBOOKS

MACROS = ROOT / "macros"
BAS = (MACROS / "Verksamhetsplan.bas").read_text(encoding="utf-8")
RULE_BAS = (MACROS / "Programsok.bas").read_text(encoding="utf-8")
RIBBON_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
FRESH = ROOT / "build" / "out"
BUILT = [WORKBOOKS] + ([FRESH] if (FRESH / "vpexcel.xlam").exists() or os.environ.get("CI") == "true" else [])


def normalized(code: str) -> str:
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]
    return "\n".join(
        line for line in lines if not line.startswith("Attribute VB_") and line.strip() != "Option VBASupport 1"
    ).strip()


def test_ribbon_tab_has_the_buttons_and_each_calls_a_sub() -> None:
    root = ET.parse(MACROS / "customUI.xml").getroot()
    (tab,) = list(root.iter(f"{RIBBON_NS}tab"))
    assert tab.get("label") == "Verksamhetsplan"
    buttons = {b.get("label"): b.get("onAction") for b in tab.iter(f"{RIBBON_NS}button")}
    assert set(buttons) == {
        "Validera",
        "Reparera siffror",
        "Stäm av mot huvudbok",
        "Fyll uppföljning",
        "Jämför med tidigare version",
        "Rensa markeringar",
        "Inställningar",
        "Hjälp",
    }
    for sub in buttons.values():
        assert re.search(rf"^Public Sub {sub}\(control As IRibbonControl\)", BAS, re.M), sub


def test_every_button_calls_a_function_vpexcel_has() -> None:
    import vpexcel.excel as excel

    calls = re.findall(r'KorKnapp "(\w+)"((?:, [^\n]+)?)', BAS)
    assert {name for name, _ in calls} == set(excel.BUTTONS)
    for name, rest in calls:
        fn = excel.BUTTONS[name]
        assert getattr(excel, name) is fn
        given = len([a for a in rest.split(",") if a.strip()])
        params = inspect.signature(fn).parameters.values()
        required = sum(1 for p in params if p.default is inspect.Parameter.empty)
        assert required <= given <= len(params), name
    assert 'RunPython "import vpexcel.excel as vp; vp." & knapp' in BAS
    assert 'RunFrozenPython exe, "knapp " & knapp & kommando' in BAS


def test_the_frozen_program_runs_the_same_button(monkeypatch: pytest.MonkeyPatch) -> None:
    import vpexcel.excel as excel
    from vpexcel.cli import main

    seen: list[tuple[str, ...]] = []
    monkeypatch.setitem(excel.BUTTONS, "reconcile", lambda *a: seen.append(a))
    assert main(["knapp", "reconcile", "C:\\\\data\\\\huvudbok.csv", "--wb=budget.xlsm", "--from_xl=1", "--hwnd=1234"]) == 0
    assert seen == [("C:\\\\data\\\\huvudbok.csv",)]


def test_xlwings_vba_and_package_are_one_version() -> None:
    import xlwings

    pinned = re.search(r'"xlwings==([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pinned and pinned.group(1) == xlwings.__version__
    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8-sig")
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in bas


def vba_project(path: Path) -> tuple[dict[str, str], int, str]:
    """Each module's source, the project's code page and its PROJECT stream, read back from the
    package's vbaProject.bin with oletools.

    The source sits in the module stream as an MS-OVBA compressed container after the compiled part;
    olevba's decompress_stream unpacks it. The code page is the PROJECTCODEPAGE record (id 3) of the
    compressed dir stream.
    """
    import olefile
    from oletools.olevba import decompress_stream

    with zipfile.ZipFile(path) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    out = {}
    for entry in ole.listdir():
        if len(entry) != 2 or entry[0] != "VBA" or entry[1] in ("dir", "_VBA_PROJECT") or entry[1].startswith("__SRP"):
            continue
        data = ole.openstream(entry).read()
        for offset in (i for i, b in enumerate(data) if b == 1):
            try:
                text = bytes(decompress_stream(bytearray(data[offset:])))
            except Exception:
                continue
            if text.startswith(b"Attribute VB_Name"):
                out[entry[1]] = text.decode("cp1252")
                break
    directory = bytes(decompress_stream(bytearray(ole.openstream(["VBA", "dir"]).read())))
    project = ole.openstream(["PROJECT"]).read().decode("cp1252")
    ole.close()
    i = directory.index(b"\x03\x00\x02\x00\x00\x00")  # PROJECTCODEPAGE: id 3, size 2
    return out, int.from_bytes(directory[i + 6 : i + 8], "little"), project


def vba_sources(path: Path) -> dict[str, str]:
    return vba_project(path)[0]


def declared_code_names(path: Path) -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_addin", ROOT / "build" / "build_addin.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.code_names(path))


@pytest.mark.parametrize("folder", BUILT, ids=lambda p: p.name)
def test_built_vba_equals_the_source(folder: Path) -> None:
    import xlwings
    from oletools.olevba import VBA_Parser

    expected = {
        "Verksamhetsplan": normalized(BAS),
        "Programsok": normalized(RULE_BAS),
        "xlwings": normalized((Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8-sig")),
    }
    for name in ("vpexcel.xlam", "budget-2024-knappar.xlsm"):
        documents = declared_code_names(folder / name)
        modules = {k: normalized(v) for k, v in vba_sources(folder / name).items() if k not in documents}
        assert modules == expected, name
        parser = VBA_Parser(str(folder / name))  # and olevba itself finds the same modules
        assert {Path(m[2]).stem for m in parser.extract_macros()} == {*expected, *documents}
        parser.close()


@pytest.mark.parametrize("folder", BUILT, ids=lambda p: p.name)
def test_built_project_has_code_page_1252_and_a_document_module_per_code_name(folder: Path) -> None:
    for name, sheets in (("vpexcel.xlam", 1), ("budget-2024-knappar.xlsm", 3)):
        documents = declared_code_names(folder / name)
        assert documents == ["ThisWorkbook", *(f"Sheet{i}" for i in range(1, sheets + 1))], name
        modules, code_page, project = vba_project(folder / name)
        assert code_page == 1252, name  # as Excel writes it on Swedish Windows; LibreOffice's default is 0
        for doc in documents:
            assert f"Document={doc}/&H00000000" in project.splitlines(), (name, doc)
            assert modules[doc].startswith(f'Attribute VB_Name = "{doc}"'), (name, doc)
        assert "Module=Verksamhetsplan" in project.splitlines()


@pytest.mark.parametrize("folder", BUILT, ids=lambda p: p.name)
def test_addin_package_has_the_ribbon_and_the_sample_its_buttons(folder: Path) -> None:
    with zipfile.ZipFile(folder / "vpexcel.xlam") as z:
        assert z.read("customUI/customUI.xml") == (MACROS / "customUI.xml").read_bytes()
        assert b"ui/extensibility" in z.read("_rels/.rels")
        assert b"application/vnd.ms-excel.addin.macroEnabled.main+xml" in z.read("[Content_Types].xml")
    with zipfile.ZipFile(folder / "budget-2024-knappar.xlsm") as z:
        vml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".vml"))
    macros = set(re.findall(rb"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml))
    assert macros == {b"Validera", b"RepareraSiffror", b"StamAv", b"RensaMarkeringar"}
    for m in macros:
        assert re.search(rf"^Public Sub {m.decode()}\(\)", BAS, re.M)


def test_vba_source_is_plain_ascii() -> None:
    # The VBA project's code page decides how non-ASCII bytes read; Swedish letters go through Sv("{ae}").
    assert BAS.isascii() and RULE_BAS.isascii()
    assert 'Sv("V{ae}lj huvudboksexporten")' in BAS
