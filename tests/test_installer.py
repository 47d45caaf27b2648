"""The installer for one user without admin rights (build/windows/): install.ps1, run by installera.cmd.

PowerShell is not available here, so the script's content is checked against what it must do (and
never do); the .cmd wrapper runs under wine where wine is installed, with a stand-in for PowerShell
that records how it was called. The Windows workflow runs install.ps1 itself on a Windows runner.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

WINDOWS = ROOT / "build" / "windows"
PS1_BYTES = (WINDOWS / "install.ps1").read_bytes()
PS1 = PS1_BYTES.decode("utf-8-sig")
CMD = (WINDOWS / "installera.cmd").read_bytes().decode("utf-8")


def code(text: str) -> str:
    """The script without its comments."""
    return "\n".join(line.split("#")[0] if not line.lstrip().startswith("#") else "" for line in text.splitlines())


def test_the_script_is_read_as_utf8_by_windows_powershell() -> None:
    # Windows PowerShell 5.1 reads a file without a byte order mark in the ANSI code page: å ä ö would break
    assert PS1_BYTES.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in PS1_BYTES and b"\n" not in PS1_BYTES.replace(b"\r\n", b"")


def test_the_script_installs_for_one_user_only() -> None:
    body = code(PS1)
    assert "HKLM" not in body and "RunAs" not in body and "Program Files" not in body  # no admin rights needed
    assert re.search(r"\$Target = \(Join-Path \$env:LOCALAPPDATA 'vpexcel'\)", body)
    assert "'HKCU:\\Software\\Microsoft\\Office\\16.0\\Excel'" in body
    assert "Unblock-File" in body  # the mark of the web
    assert "'Security\\Trusted Locations\\vpexcel'" in body
    assert "-Name 'AllowSubfolders' -Value 1 -PropertyType DWord" in body
    assert "$addin = '/R \"' + (Join-Path $Target 'vpexcel.xlam') + '\"'" in body  # Excel's OPEN value
    assert "'OPEN' } else { \"OPEN$i\" }" in body and "-like '*vpexcel.xlam*'" in body  # reuses its own entry
    assert "Get-Process -Name 'EXCEL'" in body  # Excel writes Options when it closes
    # the order of the steps: copy, unblock, trust, add-in
    steps = [body.index(s) for s in ("Copy-Item", "Unblock-File", "Trusted Locations", "OPEN")]
    assert steps == sorted(steps)


def test_the_script_speaks_swedish() -> None:
    said = re.findall(r"(?:Done \d+|Write-Host) [\"'(](.*)", code(PS1))
    assert said and all(re.search(r"[åäö]|vpexcel|Klart|Kopierar", s) for s in said), said
    assert "Installationen avbröts" in PS1 and "För IT" in PS1


def test_the_wrapper_runs_the_script_for_this_process_only() -> None:
    assert '-NoProfile -ExecutionPolicy Bypass -File "%VPEXCEL_HERE%install.ps1"' in CMD
    assert "chcp 65001" in CMD  # the Swedish messages in UTF-8
    assert CMD.count("\r\n") == CMD.count("\n")


WINE = shutil.which("wine")


@pytest.mark.skipif(WINE is None, reason="wine is not installed")
def test_the_wrapper_under_wine(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WINEDEBUG": "-all",
        "VPEXCEL_NOPAUSE": "1",
        "WINEPREFIX": os.environ.get("VPEXCEL_WINEPREFIX", str(Path.home() / ".cache" / "vpexcel" / "wine-prefix")),
    }

    def win(p: Path) -> str:
        return "Z:" + str(p).replace("/", "\\")

    def run(folder: Path, **extra: str) -> subprocess.CompletedProcess[bytes]:
        # run from its folder, as a double-click does (wine's cmd /c mangles a quoted path with spaces)
        return subprocess.run(
            [str(WINE), "cmd", "/c", "installera.cmd", "-Target", "C:\\test"],
            cwd=folder,
            env={**env, **extra},
            capture_output=True,
            timeout=300,
        )

    # alone, without install.ps1: a Swedish sentence and exit 2
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy2(WINDOWS / "installera.cmd", lone)
    done = run(lone)
    assert done.returncode == 2 and b"install.ps1 saknas" in done.stdout
    # beside install.ps1: PowerShell (a stand-in that records its arguments) runs the script
    folder = tmp_path / "vpexcel 0.1 (kopia)"
    folder.mkdir()
    for name in ("installera.cmd", "install.ps1"):
        shutil.copy2(WINDOWS / name, folder)
    stub = tmp_path / "powershell-stub.cmd"
    stub.write_bytes(b'@echo off\r\necho %* > "%VPEXCEL_STUB_OUT%"\r\nexit /b 0\r\n')
    args = tmp_path / "args.txt"
    run(folder, VPEXCEL_POWERSHELL=win(stub), VPEXCEL_STUB_OUT=win(args))
    said = args.read_bytes().decode("utf-8", "replace").strip()
    assert said == f'-NoProfile -ExecutionPolicy Bypass -File "{win(folder)}\\install.ps1" -NoPause -Target C:\\test'


def test_the_docs_for_it_name_the_steps_the_script_takes() -> None:
    docs = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    it = docs[docs.index("## För IT") :]
    for key in (
        "HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\Security\\Trusted Locations\\vpexcel",
        "HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\Options",
    ):
        assert key in it
        assert key.removeprefix("HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\").split("\\")[-1] in PS1
    for words in ("AllowSubfolders", '/R "', "Unblock-File", "d4f940ab-401b-4efc-aadc-ad5f3c50688a", "fel 70", "signera"):
        assert words in it, words
    user = docs[: docs.index("## För IT")]
    for words in ("Avblockera", "installera.cmd", "OneDrive", "VPEXCEL_PROGRAM", "%LOCALAPPDATA%\\vpexcel", "skyddad vy"):
        assert words in user, words


def test_the_windows_workflow_runs_the_installer() -> None:
    workflow = ROOT / ".github" / "workflows" / "windows-program.yml"
    text = workflow.read_text(encoding="utf-8")
    assert "installera.cmd" in text and "-OfficeKey" in text and "Zone.Identifier" in text
    check = "import sys, yaml; d = yaml.safe_load(open(sys.argv[1], encoding='utf-8')); print(len(d['jobs']['build']['steps']))"
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import yaml"], capture_output=True).returncode == 0:
            done = subprocess.run([python, "-c", check, str(workflow)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr  # valid YAML (a plain scalar with ": " is not)
            return
    pytest.skip("no Python with PyYAML to parse the workflow")
