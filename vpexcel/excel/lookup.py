"""Where the Excel buttons look for the packaged program, and how they hand it text.

The add-in and the sample workbook's sheet buttons run the same VBA
(macros/Programsok.bas); this module is the same rule in Python, pure, so the
tests can check it against the zip's layout, an add-in copied into
``%APPDATA%\\Microsoft\\AddIns`` and a OneDrive web address, and check the VBA
against it (tests/test_vba_rule.py runs the VBA through LibreOffice).

The places, in order:

1. the setting ``VPEXCEL_PROGRAM`` (a defined name holding a quoted path, in the
   open workbook or the add-in; ``%VAR%`` expanded by the VBA),
2. ``vpexcel\\vpexcel.exe`` beside the workbook that holds the VBA (the add-in, or
   the workbook with sheet buttons),
3. the same in the folder above it (the sample workbooks sit in ``exempel\\``),
4. the install folder ``%LOCALAPPDATA%\\vpexcel\\`` (what install.cmd creates).

A web address (OneDrive or SharePoint: ``https://...``) is never a place: the VBA
would fail on it (``Dir`` raises error 52), so it is skipped before any file call.
"""

from __future__ import annotations

from collections.abc import Callable

PROGRAM_IN_FOLDER = "vpexcel\\vpexcel.exe"  # the program's place inside the unpacked folder
INSTALL_FOLDER = "vpexcel"  # under %LOCALAPPDATA%
ARG_PREFIX = "u16:"


def is_local(path: str) -> bool:
    """A path the file functions may be called on: not empty and not a web address."""
    return bool(path) and "://" not in path


def _strip(folder: str) -> str:
    return folder.rstrip("\\")


def parent(folder: str) -> str:
    """The folder above ``folder`` ("" when there is none)."""
    f = _strip(folder)
    i = f.rfind("\\")
    return f[:i] if i > 0 else ""


def candidates(setting: str, folder: str, local_appdata: str) -> list[str]:
    """Every place the program may be, in the order the buttons try them (no duplicates)."""
    out: list[str] = []

    def add(path: str) -> None:
        if path.lower() not in (p.lower() for p in out):
            out.append(path)

    if is_local(setting):
        add(setting)
    if is_local(folder):
        add(_strip(folder) + "\\" + PROGRAM_IN_FOLDER)
        if parent(folder):
            add(parent(folder) + "\\" + PROGRAM_IN_FOLDER)
    if is_local(local_appdata):
        add(_strip(local_appdata) + "\\" + INSTALL_FOLDER + "\\" + PROGRAM_IN_FOLDER)
    return out


def find_program(setting: str, folder: str, local_appdata: str, exists: Callable[[str], bool]) -> str | None:
    """The first place that holds the program, or None."""
    return next((p for p in candidates(setting, folder, local_appdata) if exists(p)), None)


def setting_text(refers_to: str) -> str:
    """The path a defined name VPEXCEL_PROGRAM holds: ``="C:\\x\\vpexcel.exe"`` (its RefersTo) gives
    ``C:\\x\\vpexcel.exe``, ``""`` inside read as one quote; "" for a name holding anything else."""
    t = refers_to.strip(" ")
    if t.startswith("="):
        t = t[1:].strip(" ")
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        return t[1:-1].replace('""', '"')
    return ""


def encode_arg(text: str) -> str:
    """A button's text as the VBA passes it: hex of its UTF-16 code units.

    Both ways to Python go through ``cmd.exe /C``, which expands ``%VAR%`` and treats
    quotes, ``^`` and ``&`` specially; hex digits pass through unchanged.
    """
    data = text.encode("utf-16-le")
    return ARG_PREFIX + "".join(f"{int.from_bytes(data[i : i + 2], 'little'):04X}" for i in range(0, len(data), 2))


def decode_arg(text: str) -> str:
    """The text the user chose, from :func:`encode_arg`'s form; any other text as it is."""
    if not text.startswith(ARG_PREFIX):
        return text
    digits = text[len(ARG_PREFIX) :]
    try:
        units = [int(digits[i : i + 4], 16) for i in range(0, len(digits), 4)]
        return b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le")
    except ValueError:
        return text
