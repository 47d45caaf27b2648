"""Make an .xlsm whose xl/vbaProject.bin holds the given VBA modules, with LibreOffice over UNO.

Runs under Debian's python3 with python3-uno (not the project's venv):

    /usr/bin/python3 build/lo_vba.py OUT.xlsm MODULE.bas [MODULE.bas ...]

LibreOffice creates the modules in VBA compatibility mode and writes a real VBA
project when it saves as .xlsm; build_addin.py takes the vbaProject.bin from that
file. LibreOffice's own .xlsm is never shipped (it rewrites sheets and buttons).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Save" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


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


def main(out: Path, sources: list[Path]) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice (soffice) is missing")
    work = Path(tempfile.mkdtemp(prefix="vpexcel-lo-"))
    (work / "profile" / "user").mkdir(parents=True)
    (work / "profile" / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    pipe = f"vpexcel{os.getpid()}"
    desktop = None
    office = subprocess.Popen(
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
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
        libs = doc.BasicLibraries
        libs.VBACompatibilityMode = True
        libs.ProjectName = "VBAProject"  # LibreOffice exports the library named like the VBA project
        lib = libs.getByName("VBAProject") if libs.hasByName("VBAProject") else libs.createLibrary("VBAProject")
        for path in sources:
            text = path.read_text(encoding="utf-8-sig")
            name = module_name(text, path)
            code = module_code(text)
            if lib.hasByName(name):
                lib.removeByName(name)
            info = uno.createUnoStruct("com.sun.star.script.ModuleInfo")
            info.ModuleType = uno.getConstantByName("com.sun.star.script.ModuleType.NORMAL")
            if lib.hasModuleInfo(name):
                lib.removeModuleInfo(name)
            lib.insertModuleInfo(name, info)  # the VBA export asks every module for its type
            lib.insertByName(name, code)
        url = uno.systemPathToFileUrl(str(out.resolve()))
        doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 VBA XML"), prop("Overwrite", True)))
        doc.close(True)
    finally:
        if desktop is not None:
            with contextlib.suppress(Exception):  # LibreOffice may already be gone
                desktop.terminate()
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
