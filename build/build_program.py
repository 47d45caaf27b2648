"""Build the packaged vpexcel program and the folder users unzip.

    .venv/bin/python build/build_program.py [--no-zip]

PyInstaller (one folder) with build/vpexcel.spec, then dist/vpexcel-VERSION-PLATFORM/:
the program (vpexcel/), the add-in (vpexcel.xlam), the sample workbooks and templates
(exempel/), the user guide (dokumentation/), "LÄS MIG.txt", and on Windows the
installer for one user (installera.cmd, install.ps1 from build/windows/); and that
folder zipped. The same script runs on the Windows runner
(.github/workflows/windows-program.yml).

The layout follows the buttons' rule for finding the program (macros/Programsok.bas,
vpexcel/excel/lookup.py): vpexcel.xlam beside vpexcel/, the sample .xlsm in a folder
beside it (the folder above the workbook), and install.ps1 copies the whole folder
to %LOCALAPPDATA%\\vpexcel. tests/test_vba_rule.py checks the layout against the rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

README_SV = """vpexcel {version} – paketerat program ({platform}), byggt {built}

Innehåll
  {program}
      programmet (kräver inte Python)
  vpexcel.xlam
      tillägget med fliken Verksamhetsplan i Excel
  exempel
      exempelarbetsböcker, huvudbok, prognoser och mallarna för uppföljningen
  dokumentation
      användarguiden: excel.md om knapparna, index.md om resten, regler om varje kontroll
{installer_files}
{install}
Kommandotolken (i den här mappen)
  {program} validate {ex}budget-2024.xlsx
  {program} reconcile {ex}budget-2024.xlsx {ex}huvudbok-2024.csv --period 2024-04
  {program} doctor
      kontrollerar installationen och säger vad som ska åtgärdas
  {program} --help

Du kan också dra en arbetsbok och släppa den på programmet: den kontrolleras och
rapporten sparas bredvid den.

Slutkoder: 0 inga fel, 1 budgeten har fel, 2 filen eller kommandot går inte att använda.
"""

INSTALL_WINDOWS = """Installera (för dig själv, utan administratörsrätt)
  1. Innan du packar upp: högerklicka på zip-filen > Egenskaper, bocka i Avblockera
     längst ner och klicka OK. Annars stoppar Excel tilläggets makron ("Microsoft har
     blockerat makron ...") eftersom filen kommer från internet.
  2. Packa upp hela zip-filen, till exempel till Hämtade filer. Mappen får gärna ligga
     i OneDrive, men programmet installeras utanför den.
  3. Stäng Excel och dubbelklicka på installera.cmd. Den kopierar allt till
     %LOCALAPPDATA%\\vpexcel, tar bort internetmärkningen från filerna, gör mappen till en
     betrodd plats i Excel och lägger till tillägget. Svarar Windows "Datorn skyddades av
     Windows": klicka Mer information > Kör ändå.
  4. Öppna Excel. Fliken Verksamhetsplan finns. Öppna en budgetarbetsbok och klicka
     Validera. Python behövs inte.
  Stoppas installationen av en regel hos IT (till exempel att skript inte får köras) eller
  säger knapparna "fel 70": be IT göra stegen i dokumentation{sep}excel.md, avsnittet För IT.

Installera för hand
  Avblockera zip-filen (steg 1), packa upp, och i Excel: Arkiv > Alternativ > Tillägg >
  Hantera: Excel-tillägg > Gå till > Bläddra, välj vpexcel.xlam. Frågar Excel om tillägget
  ska kopieras till mappen för tillägg går det bra: knapparna hittar ändå programmet om
  det också finns i %LOCALAPPDATA%\\vpexcel (installera.cmd), annars svara Nej.

Var knapparna letar efter programmet
  Knapparna i Excel letar efter {program}, i den här ordningen:
  1. sökvägen i namnet VPEXCEL_PROGRAM, om arbetsboken eller tillägget har ett sådant namn
     (Formler > Namnhanteraren, Refererar till: ="C:\\sökväg\\vpexcel.exe", med citattecken;
     %LOCALAPPDATA% och andra miljövariabler fungerar)
  2. mappen vpexcel bredvid tillägget (eller bredvid arbetsboken med knappar)
  3. mappen vpexcel i mappen ovanför (så hittar exempel{sep}budget-2024-knappar.xlsm programmet)
  4. %LOCALAPPDATA%\\vpexcel\\vpexcel\\vpexcel.exe, dit installera.cmd lägger det
  Hittas programmet inte säger Excel var det letade. En mapp i OneDrive eller SharePoint som
  Excel bara ser som en webbadress (https://...) används aldrig för att leta.
"""

INSTALL_OTHER = """Kom igång
  Packa upp hela mappen. Excel-knapparna kräver Excel för Windows; på den här datorn
  används programmet från kommandotolken.
"""


def assemble(folder: Path, program: Path, system: str, version: str, plat: str, built: str) -> Path:
    """The folder users unzip: the program (a PyInstaller one-folder build), the add-in, the samples,
    the user guide, LÄS MIG and, for Windows, the installer."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copytree(program, folder / "vpexcel")
    shutil.copy2(ROOT / "workbooks" / "vpexcel.xlam", folder / "vpexcel.xlam")
    shutil.copytree(ROOT / "workbooks", folder / "exempel", ignore=shutil.ignore_patterns("vpexcel.xlam"))
    shutil.copytree(ROOT / "docs", folder / "dokumentation", ignore=shutil.ignore_patterns("developers.md"))
    windows = system == "windows"
    if windows:
        for name in ("installera.cmd", "install.ps1"):
            shutil.copy2(ROOT / "build" / "windows" / name, folder / name)
    sep = "\\" if windows else "/"
    program_path = f"vpexcel{sep}vpexcel" + (".exe" if windows else "")
    files = "  installera.cmd, install.ps1\n      installerar för dig, utan administratörsrätt (se nedan)\n" if windows else ""
    text = README_SV.format(
        version=version,
        platform=plat,
        built=built,
        program=program_path,
        ex=f"exempel{sep}",
        sep=sep,
        installer_files=files,
        install=(INSTALL_WINDOWS if windows else INSTALL_OTHER).format(sep=sep, program=program_path),
    )
    (folder / "LÄS MIG.txt").write_text(text.replace("\n", "\r\n") if windows else text, encoding="utf-8")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-zip", action="store_true")
    args = ap.parse_args()
    from vpexcel import __version__

    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    plat = f"{system}-{platform.machine().lower()}"
    work = ROOT / "build" / "work"
    dist = ROOT / "dist"
    work.mkdir(parents=True, exist_ok=True)
    info = work / "vpexcel_build.json"
    built = dt.date.today().isoformat()
    info.write_text(json.dumps({"version": __version__, "built": built, "platform": plat}), encoding="utf-8")
    env = {**os.environ, "VPEXCEL_BUILD_INFO": str(info)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "pyi"),
            str(ROOT / "build" / "vpexcel.spec"),
        ],
        check=True,
        env=env,
    )
    folder = assemble(dist / f"vpexcel-{__version__}-{plat}", work / "dist" / "vpexcel", system, __version__, plat, built)
    print(folder.relative_to(ROOT))
    if not args.no_zip:
        archive = shutil.make_archive(str(folder), "zip", root_dir=dist, base_dir=folder.name)
        print(Path(archive).relative_to(ROOT))


if __name__ == "__main__":
    main()
