"""The buttons' one rule for finding the packaged program (macros/Programsok.bas), the same rule in
Python (vpexcel/excel/lookup.py), and the zip's layout: checked against each other.

The VBA runs in LibreOffice's VBA runner (build/lo_vba.py --run, Debian's python3-uno); the rest
needs neither Excel nor Windows.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path, PureWindowsPath

import pytest

from vpexcel.excel.lookup import (
    candidates,
    decode_arg,
    encode_arg,
    find_program,
    is_local,
    parent,
    setting_text,
)

from .conftest import ROOT

MACROS = ROOT / "macros"
BAS = (MACROS / "Verksamhetsplan.bas").read_text(encoding="utf-8")
RULE = (MACROS / "Programsok.bas").read_text(encoding="utf-8")
LOCALAPPDATA = "C:\\Users\\anna\\AppData\\Local"
UNPACKED = "C:\\Users\\anna\\Downloads\\vpexcel-0.1.0-windows-amd64"
ONEDRIVE = "https://lerum-my.sharepoint.com/personal/anna_lerum_se/Documents/vpexcel-0.1.0-windows-amd64"


def load_build_program():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_program", ROOT / "build" / "build_program.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the Windows zip, as build_program.py lays it out (a stand-in for the program)."""
    program = tmp_path_factory.mktemp("pyinstaller") / "vpexcel"
    program.mkdir()
    (program / "vpexcel.exe").write_bytes(b"MZ")
    folder = tmp_path_factory.mktemp("dist") / "vpexcel-0.1.0-windows-amd64"
    return load_build_program().assemble(folder, program, "windows", "0.1.0", "windows-amd64", "2026-11-28")


def on_disk(root: Path, windows_root: str):  # type: ignore[no-untyped-def]
    """exists() for Windows paths under windows_root, answered from the folder root."""

    def exists(path: str) -> bool:
        assert is_local(path), path  # never asked about a web address
        rel = PureWindowsPath(path).relative_to(PureWindowsPath(windows_root)) if path.startswith(windows_root) else None
        return rel is not None and (root / Path(*rel.parts)).is_file()

    return exists


def test_the_zip_holds_what_the_rule_and_the_readme_name(unpacked: Path) -> None:
    assert (unpacked / "vpexcel" / "vpexcel.exe").is_file() and (unpacked / "vpexcel.xlam").is_file()
    assert (unpacked / "exempel" / "budget-2024-knappar.xlsm").is_file()
    assert (unpacked / "installera.cmd").is_file() and (unpacked / "install.ps1").is_file()
    assert (unpacked / "dokumentation" / "excel.md").is_file() and (unpacked / "dokumentation" / "index.md").is_file()
    readme = (unpacked / "LÄS MIG.txt").read_text(encoding="utf-8")
    for words in ("Avblockera", "installera.cmd", "%LOCALAPPDATA%\\vpexcel", "VPEXCEL_PROGRAM", "OneDrive", "fel 70"):
        assert words in readme, words


def test_the_addin_in_the_unpacked_folder_finds_the_program_beside_it(unpacked: Path) -> None:
    found = find_program("", UNPACKED, LOCALAPPDATA, on_disk(unpacked, UNPACKED))
    assert found == UNPACKED + "\\vpexcel\\vpexcel.exe"


def test_the_sample_workbook_in_exempel_finds_the_program_in_the_folder_above(unpacked: Path) -> None:
    found = find_program("", UNPACKED + "\\exempel\\", LOCALAPPDATA, on_disk(unpacked, UNPACKED))
    assert found == UNPACKED + "\\vpexcel\\vpexcel.exe"


def test_an_addin_copied_into_excels_addins_folder_finds_the_installed_program(unpacked: Path) -> None:
    addins = "C:\\Users\\anna\\AppData\\Roaming\\Microsoft\\AddIns\\"
    installed = LOCALAPPDATA + "\\vpexcel"  # where install.ps1 copies the unpacked folder
    assert find_program("", addins, LOCALAPPDATA, on_disk(unpacked, installed)) == installed + "\\vpexcel\\vpexcel.exe"
    # not installed: nothing found, and the places tried are the ones the message lists
    assert find_program("", addins, LOCALAPPDATA, lambda p: False) is None
    assert candidates("", addins, LOCALAPPDATA) == [
        addins + "vpexcel\\vpexcel.exe",
        "C:\\Users\\anna\\AppData\\Roaming\\Microsoft\\vpexcel\\vpexcel.exe",
        installed + "\\vpexcel\\vpexcel.exe",
    ]


def test_a_onedrive_web_address_is_never_a_place(unpacked: Path) -> None:
    assert not is_local(ONEDRIVE)
    assert candidates("", ONEDRIVE, LOCALAPPDATA) == [LOCALAPPDATA + "\\vpexcel\\vpexcel\\vpexcel.exe"]
    assert candidates(ONEDRIVE + "/vpexcel/vpexcel.exe", "", "") == []
    installed = LOCALAPPDATA + "\\vpexcel"
    assert find_program("", ONEDRIVE, LOCALAPPDATA, on_disk(unpacked, installed)) == installed + "\\vpexcel\\vpexcel.exe"


def test_the_setting_comes_first_and_nothing_is_tried_twice() -> None:
    setting = "D:\\Program\\vpexcel\\vpexcel.exe"
    assert candidates(setting, "D:\\Program\\", "")[0] == setting
    assert candidates(setting, "D:\\Program", "") == [setting, "D:\\vpexcel\\vpexcel.exe"]  # the same path once
    assert candidates("", "C:\\", "") == ["C:\\vpexcel\\vpexcel.exe"]  # a drive has no folder above
    assert parent("C:\\a\\b\\") == "C:\\a" and parent("C:\\") == ""


def test_button_texts_survive_the_command_line() -> None:
    for text in ("C:\\data\\huvudbok.csv", "100%USERNAME% & \"x\" ^ 'y'", "åäö € \U0001f600", ""):
        encoded = encode_arg(text)
        assert re.fullmatch(r"u16:[0-9A-F]*", encoded)  # nothing cmd.exe or a Python literal would change
        assert decode_arg(encoded) == text
    assert decode_arg("C:\\plain.csv") == "C:\\plain.csv"


# --- the VBA is the same rule ------------------------------------------------------------------------
UNO_PYTHON = os.environ.get("VPEXCEL_UNO_PYTHON", "/usr/bin/python3")


def has_uno() -> bool:
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not Path(UNO_PYTHON).exists():
        return False
    return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


CASES = [
    ("", UNPACKED, LOCALAPPDATA),
    ("", UNPACKED + "\\exempel\\", LOCALAPPDATA),
    ("", "C:\\Users\\anna\\AppData\\Roaming\\Microsoft\\AddIns\\", LOCALAPPDATA),
    ("", ONEDRIVE, LOCALAPPDATA),
    (ONEDRIVE + "/x.exe", "", LOCALAPPDATA),
    ("D:\\Program\\vpexcel\\vpexcel.exe", "D:\\Program", ""),
    ("d:\\program\\VPEXCEL\\vpexcel.exe", "D:\\Program\\", ""),
    ("", "C:\\", ""),
    ("", "\\\\server\\share\\ekonomi\\", LOCALAPPDATA + "\\"),
    ("", "", ""),
]
TEXTS = ["C:\\data\\huvudbok.csv", '100%USERNAME% & "x" ^', "åäö ÅÄÖ €", "2024-04", ""]
REFERS_TO = ['="C:\\x\\vpexcel.exe"', '= "C:\\a ""b""\\v.exe" ', "=Blad1!$A$1", '="', "", '=""']


def lo_run(calls: list[list[object]], modules: list[Path], tmp_path: Path, env: dict[str, str] | None = None) -> list[object]:
    (tmp_path / "calls.json").write_text(json.dumps(calls), encoding="utf-8")
    out = subprocess.run(
        [UNO_PYTHON, str(ROOT / "build" / "lo_vba.py"), "--run", str(tmp_path / "calls.json"), *map(str, modules)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert isinstance(results, list)
    return results


@pytest.mark.skipif(not has_uno(), reason="LibreOffice with python3-uno is not installed")
def test_the_vba_rule_is_the_python_rule(tmp_path: Path) -> None:
    calls = [["Programsok", "Programkandidater", list(c)] for c in CASES]
    calls += [["Programsok", "ArgumentText", [t]] for t in TEXTS]
    calls += [["Programsok", "ArLokalSokvag", [p]] for p in (ONEDRIVE, "C:\\x", "", "http://a/b")]
    calls += [["Programsok", "NamnetsText", [r]] for r in REFERS_TO]
    results = lo_run(calls, [MACROS / "Programsok.bas"], tmp_path)
    found = results[: len(CASES)]
    assert [r.split("\n") if r else [] for r in found] == [candidates(*c) for c in CASES]
    texts = results[len(CASES) : len(CASES) + len(TEXTS)]
    assert texts == [encode_arg(t) for t in TEXTS]
    n = len(CASES) + len(TEXTS)
    assert results[n : n + 4] == [False, True, False, False]
    assert results[n + 4 :] == [setting_text(r) for r in REFERS_TO]
    assert results[n + 4 :] == ["C:\\x\\vpexcel.exe", 'C:\\a "b"\\v.exe', "", "", "", ""]


@pytest.mark.skipif(not has_uno(), reason="LibreOffice with python3-uno is not installed")
@pytest.mark.parametrize("installed", [False, True], ids=["not-installed", "installed"])
def test_the_buttons_vba_finds_the_program_and_hands_it_the_texts(tmp_path: Path, installed: bool) -> None:
    """Verksamhetsplan.bas itself in LibreOffice's VBA runner, with stand-ins for xlwings' functions
    (tests/vba/xlwings_stub.bas): where the add-in or workbook sits (xlwings' GetFullName), which
    Python xlwings has, and what RunPython / RunFrozenPython are handed. Windows paths are played by
    Linux file names that contain backslashes, so the VBA's own file check answers."""

    def place(name: str) -> str:
        path = str(tmp_path) + "/" + name
        Path(path).write_bytes(b"MZ")
        return path

    local = str(tmp_path) + "/la"  # %LOCALAPPDATA%
    zipped = str(tmp_path) + "/zip"  # the unpacked zip
    program = place("zip\\vpexcel\\vpexcel.exe")
    if installed:
        place("la\\vpexcel\\vpexcel\\vpexcel.exe")
    text = 'C:\\Ekonomi\\100%USERNAME% "x" & åäö.csv'
    scenarios = [
        ("beside", zipped + "\\vpexcel.xlam"),
        ("above", zipped + "\\exempel\\budget-2024-knappar.xlsm"),
        ("addins", str(tmp_path) + "/AddIns\\vpexcel.xlam"),
        ("onedrive", ONEDRIVE + "/vpexcel.xlam"),
    ]
    own = place("la\\eget\\vpexcel.exe")  # the named setting's program, used last

    def folder_of(fullname: str) -> str:
        return fullname[: fullname.rfind("\\") + 1] if is_local(fullname) else ""

    expected = [find_program("", folder_of(f), local, lambda p: Path(p).is_file() and p != own) for _, f in scenarios]
    # KorKnapp only where the program is found: when it is not, the button shows a MsgBox, which
    # LibreOffice's headless runner does not survive reliably (the static test below covers that path)
    calls: list[list[object]] = []
    for (_, fullname), found in zip(scenarios, expected, strict=True):
        calls += [["xlwings", "StubSet", ["fullname", fullname]], ["Verksamhetsplan", "Program", []]]
        calls += [["Verksamhetsplan", "KorKnapp", ["reconcile", text, "2024-04"]], ["xlwings", "StubCalls", []]] if found else []
    calls += [
        ["Verksamhetsplan", "ProgramSaknas", []],
        ["xlwings", "StubSet", ["config:CONDA PATH", "C:\\conda"]],
        ["Verksamhetsplan", "PythonInstallt", []],  # CONDA PATH without CONDA ENV: not a Python
        ["xlwings", "StubSet", ["config:CONDA ENV", "base"]],
        ["Verksamhetsplan", "PythonInstallt", []],
        ["xlwings", "StubSet", ["config:CONDA PATH", ""]],
        ["xlwings", "StubSet", ["config:INTERPRETER", "C:\\py\\python.exe"]],  # the older setting
        ["Verksamhetsplan", "KorKnapp", ["reconcile", text]],
        ["xlwings", "StubCalls", []],
        ["xlwings", "StubSet", ["config:INTERPRETER", ""]],
        ["@name", "VPEXCEL_PROGRAM", ['"%LOCALAPPDATA%\\eget\\vpexcel.exe"']],
        ["Verksamhetsplan", "Installning", []],
        ["Verksamhetsplan", "Program", []],
    ]
    modules = [ROOT / "tests" / "vba" / "xlwings_stub.bas", MACROS / "Programsok.bas", MACROS / "Verksamhetsplan.bas"]
    results = lo_run(calls, modules, tmp_path, {"LOCALAPPDATA": local})
    args = f"knapp reconcile {encode_arg(text)} {encode_arg('2024-04')}"
    at = 0
    for (name, _), found in zip(scenarios, expected, strict=True):
        assert results[at + 1] == (found or ""), name
        if name in ("beside", "above"):
            assert found == program
        else:  # the copied add-in and OneDrive: only the installed program
            assert found == (local + "\\vpexcel\\vpexcel\\vpexcel.exe" if installed else None), name
        if found:
            assert results[at + 3] == f"RunFrozenPython|{found}|{args}\n", name
        at += 4 if found else 2
    rest = results[at:]
    missing = str(rest[0])
    assert missing.startswith("vpexcel hittar inte programmet vpexcel.exe") and "installera.cmd" in missing
    assert (local + "\\vpexcel\\vpexcel\\vpexcel.exe") in missing.split("\n")  # where it looked
    assert rest[2] is False and rest[4] is True
    assert rest[8] == f"RunPython|import vpexcel.excel as vp; vp.reconcile('{encode_arg(text)}')\n"
    assert rest[11] == local + "\\eget\\vpexcel.exe"  # the name's %LOCALAPPDATA% expanded
    assert rest[12] == own  # the setting comes first


# --- and the buttons use it, and only it -----------------------------------------------------------
def body(name: str, source: str = BAS) -> str:
    m = re.search(rf"^(?:Private |Public )?(?:Function|Sub) {name}\b.*?^End (?:Function|Sub)", source, re.M | re.S)
    assert m, name
    return m.group(0)


def test_the_buttons_find_the_program_only_through_the_rule() -> None:
    code = [line.split("'")[0] for line in BAS.splitlines()]  # without comments
    text = "\n".join(code)
    assert "Dir(" not in text and "Dir$(" not in text  # Dir raises error 52 on a web address
    assert text.count("GetAttr(") == 1 and "GetAttr(" in body("FilFinns")
    assert "If Not ArLokalSokvag(path) Then Exit Function" in body("FilFinns")  # before GetAttr
    assert "ThisWorkbook.Path &" not in text  # no path built from a possibly https:// folder
    assert 'Programkandidater(Installning(), TillaggetsMapp(), Environ$("LOCALAPPDATA"))' in body("Program")
    assert "GetFullName(ThisWorkbook)" in body("TillaggetsMapp")
    assert "ExpandEnvironmentStrings(setting)" in body("Installning")
    for name in ("ActiveWorkbook", "ThisWorkbook"):
        assert f'{name}.Names("VPEXCEL_PROGRAM").RefersTo' in body("Installning")
    # no Or/And between calls that can fail (VBA evaluates both sides)
    for fn in ("PythonInstallt", "FilFinns", "TillaggetsMapp", "Program"):
        assert not re.search(
            r"\b(Or|And)\b.*\(", "\n".join(line for line in body(fn).splitlines() if "If " in line and "vbDirectory" not in line)
        ), fn


def test_the_buttons_hand_over_every_text_through_argument_text_and_name_the_causes() -> None:
    run = body("KorKnapp")
    assert "text = ArgumentText(CStr(argument(i)))" in run
    assert "CStr(argument(i))" not in run.replace("ArgumentText(CStr(argument(i)))", "")
    assert "If Not ArbetsbokOppen() Then Exit Sub" in run
    assert "MsgBox ProgramSaknas()" in run and "Err.Number = ASR_FEL" in run
    assert "Private Const ASR_FEL As Long = 70" in BAS
    for setting in (
        'GetConfig("INTERPRETER_WIN")',
        'GetConfig("INTERPRETER")',
        'GetConfig("CONDA PATH")',
        'GetConfig("CONDA ENV")',
    ):
        assert setting in body("PythonInstallt")
    assert "ActiveProtectedViewWindow" in body("ArbetsbokOppen")
    assert "installera.cmd" in body("ProgramSaknas") and "VPEXCEL_PROGRAM" in body("ProgramSaknas")
