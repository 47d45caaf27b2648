"""Make an .xlsm whose xl/vbaProject.bin holds the given VBA modules, with LibreOffice over UNO;
or run pure VBA functions and print what they return.

Runs under Debian's python3 with python3-uno (not the project's venv):

    /usr/bin/python3 build/lo_vba.py OUT.xlsm [--document NAME ...] MODULE.bas [MODULE.bas ...]
    /usr/bin/python3 build/lo_vba.py --run CALLS.json MODULE.bas [MODULE.bas ...]

LibreOffice creates the modules in VBA compatibility mode and writes a real VBA
project when it saves as .xlsm; build_addin.py takes the vbaProject.bin from that
file. LibreOffice's own .xlsm is never shipped (it rewrites sheets and buttons).
The project is written in Windows-1252 with code page 1252 (LibreOffice's library
container property ``VBATextEncoding``; without it LibreOffice uses the system's
encoding and leaves the code page at 0), and with an empty document module for
each ``--document`` code name (the workbook's and its sheets' codeName in
workbook.xml and the sheet parts), as Excel's own files have.

``--run`` takes a JSON list of ``[module, function, [arguments...]]`` (or
``["@name", NAME, [CONTENT]]`` to define a name in the document) and prints a
JSON list of the results: the tests run the pure VBA of macros/Programsok.bas this
way and compare it with vpexcel/excel/lookup.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Save" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
MS_1252 = 1  # rtl_TextEncoding RTL_TEXTENCODING_MS_1252


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def module_name(text: str, path: Path) -> str:
    m = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.M)
    return m.group(1) if m else path.stem


def module_code(text: str) -> str:
    """The module as LibreOffice wants it: no Attribute lines, VBA support switched on."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("Attribute VB_"))
    return "Option VBASupport 1\n" + body.strip("\n") + "\n"


@contextlib.contextmanager
def office() -> Iterator[Any]:
    """A headless LibreOffice with a fresh profile; yields its Desktop."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice (soffice) is missing")
    work = Path(tempfile.mkdtemp(prefix="vpexcel-lo-"))
    (work / "profile" / "user").mkdir(parents=True)
    (work / "profile" / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    pipe = f"vpexcel{os.getpid()}"
    desktop = None
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        if ctx is None:
            sys.exit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield desktop
    finally:
        if desktop is not None:
            with contextlib.suppress(Exception):  # LibreOffice may already be gone
                desktop.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def vba_document(desktop: Any, sources: list[Path], documents: list[str]) -> Any:
    """A new Calc document in VBA mode with the modules of ``sources`` and empty document modules."""
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    libs = doc.BasicLibraries
    libs.VBACompatibilityMode = True
    libs.ProjectName = "VBAProject"  # LibreOffice exports the library named like the VBA project
    libs.setPropertyValue("VBATextEncoding", MS_1252)
    lib = libs.getByName("VBAProject") if libs.hasByName("VBAProject") else libs.createLibrary("VBAProject")

    def insert(name: str, code: str, kind: str) -> None:
        if lib.hasByName(name):
            lib.removeByName(name)
        info = uno.createUnoStruct("com.sun.star.script.ModuleInfo")
        info.ModuleType = uno.getConstantByName(f"com.sun.star.script.ModuleType.{kind}")
        if lib.hasModuleInfo(name):
            lib.removeModuleInfo(name)
        lib.insertModuleInfo(name, info)  # the VBA export asks every module for its type
        lib.insertByName(name, code)

    for name in documents:
        insert(name, "Option VBASupport 1\n", "DOCUMENT")
    for path in sources:
        text = path.read_text(encoding="utf-8-sig")
        insert(module_name(text, path), module_code(text), "NORMAL")
    return doc


def build(out: Path, sources: list[Path], documents: list[str]) -> None:
    with office() as desktop:
        doc = vba_document(desktop, sources, documents)
        url = uno.systemPathToFileUrl(str(out.resolve()))
        doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 VBA XML"), prop("Overwrite", True)))
        doc.close(True)


def run(calls: list[list[Any]], sources: list[Path]) -> list[Any]:
    with office() as desktop:
        doc = vba_document(desktop, sources, [])
        provider = doc.getScriptProvider()
        results = []
        for module, function, args in calls:
            if module == "@name":  # a defined name in the document: ["@name", NAME, [CONTENT]]
                doc.NamedRanges.addNewByName(function, args[0], uno.createUnoStruct("com.sun.star.table.CellAddress"), 0)
                results.append(None)
                continue
            script = provider.getScript(f"vnd.sun.star.script:VBAProject.{module}.{function}?language=Basic&location=document")
            results.append(script.invoke(tuple(args), (), ())[0])
        doc.close(True)
        return results


def main(argv: list[str]) -> None:
    if argv[0] == "--run":
        calls = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(json.dumps(run(calls, [Path(p) for p in argv[2:]]), ensure_ascii=False))
        return
    out, rest = Path(argv[0]), argv[1:]
    documents = []
    while rest and rest[0] == "--document":
        documents.append(rest[1])
        rest = rest[2:]
    build(out, [Path(p) for p in rest], documents)


if __name__ == "__main__":
    main(sys.argv[1:])
