"""Build the packaged vpexcel program and the folder users unzip.

    .venv/bin/python build/build_program.py [--no-zip]

PyInstaller (one folder) with build/vpexcel.spec, then dist/vpexcel-VERSION-PLATFORM/:
the program (vpexcel/), the add-in (vpexcel.xlam), the sample workbooks and templates
(exempel/), and "LÄS MIG.txt"; and that folder zipped. The same script runs on the
Windows runner (.github/workflows/windows-program.yml).
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

Kom igång i Excel
  1. Packa upp hela mappen, till exempel till Dokument.
  2. Excel: Arkiv > Alternativ > Tillägg > Hantera: Excel-tillägg > Gå till > Bläddra,
     välj vpexcel.xlam. Fliken Verksamhetsplan visas.
  3. Öppna en budgetarbetsbok och klicka Validera. Python behövs inte.

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
    folder = dist / f"vpexcel-{__version__}-{plat}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copytree(work / "dist" / "vpexcel", folder / "vpexcel")
    shutil.copy2(ROOT / "workbooks" / "vpexcel.xlam", folder / "vpexcel.xlam")
    examples = folder / "exempel"
    shutil.copytree(ROOT / "workbooks", examples, ignore=shutil.ignore_patterns("vpexcel.xlam"))
    sep = "\\" if system == "windows" else "/"
    program = f"vpexcel{sep}vpexcel" + (".exe" if system == "windows" else "")
    text = README_SV.format(version=__version__, platform=plat, built=built, program=program, ex=f"exempel{sep}")
    (folder / "LÄS MIG.txt").write_text(text.replace("\n", "\r\n") if system == "windows" else text, encoding="utf-8")
    print(folder.relative_to(ROOT))
    if not args.no_zip:
        archive = shutil.make_archive(str(folder), "zip", root_dir=dist, base_dir=folder.name)
        print(Path(archive).relative_to(ROOT))


if __name__ == "__main__":
    main()
