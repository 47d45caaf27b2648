"""Write new files atomically, and never over the user's input.

Every output goes to a temporary file beside the target (``.~vpexcel-*``), which
is renamed into place when it is complete. A run that is stopped (Ctrl+C,
SIGTERM) removes its temporary file; one that was killed outright leaves it, and
the next write into the same folder removes such leftovers once they are a day
old. The new file gets the mode of the file it replaces, or the umask's default
for a new file. A read-only output, a folder as output, or an output that is one
of the inputs is refused in Swedish before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vpexcel.errors import InputError

TEMP_PREFIX = ".~vpexcel-"
STALE_SECONDS = 24 * 3600  # a temporary file of ours older than this is a leftover of a killed run


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file: the same path, a symlink, a hard link or another case of the name."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # same device and inode: symlinks, hard links, case-insensitive folders
    except OSError:
        pass
    try:
        return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def ensure_not_input(output: Path, *inputs: Path | None, option: str = "--output") -> None:
    """Refuse an output that is one of the inputs (also through a symlink, a hard link or another case)."""
    out = Path(output)
    for p in inputs:
        if p is not None and same_file(out, Path(p)):
            raise InputError(
                f"Resultatet skulle skriva över {Path(p).name}, som är en av filerna som läses. Ange ett annat filnamn med {option}."
            )


def check_output(target: Path, option: str = "--output") -> None:
    """Refuse, in Swedish, an output path that cannot be written: a folder, a path under a file, a read-only file.

    ``option`` is the command-line option that names the path, for the advice.
    """
    try:
        _check_output(target, option)
    except OSError:  # a name too long for the file system, a path the system cannot look at
        raise InputError(f"Sökvägen {target} går inte att använda. Välj en kortare sökväg med {option}.") from None


def _check_output(target: Path, option: str) -> None:
    if target.is_dir():
        raise InputError(f"{target} är en mapp, inte en fil. Ange ett filnamn med {option}.")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"{target} kan inte skapas: {parent} är en fil, inte en mapp. Välj en annan sökväg med {option}."
                )
            break
    if target.exists() and not target.is_file():  # a device such as /dev/null, a pipe: never replaced by a file
        raise InputError(f"{target} är ingen vanlig fil och ersätts inte. Ange ett filnamn med {option}.")
    if target.exists() and _is_database(target):  # the board's history (vpexcel-historik.sqlite) is read and kept, never replaced
        raise InputError(
            f"{target.name} är en databas (till exempel vpexcel-historik) och ersätts inte. Ange ett annat filnamn med {option}."
        )
    if target.exists():
        mode = target.stat().st_mode
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
            raise InputError(
                f"{target} är skrivskyddad och ersätts inte. Ta bort skrivskyddet eller välj ett annat filnamn med {option}."
            )


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def remove_stale(folder: Path, now: float | None = None) -> int:
    """Remove our temporary files older than a day in ``folder`` (left by killed runs); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _new_temp(target: Path) -> Path:
    """A new empty file beside ``target``; created with mode 0666 so the umask decides, as for any new file."""
    for _ in range(100):
        tmp = target.parent / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{target.suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(str(target.parent))


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through write_atomic, which removes its temporary file


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """While a temporary file exists, SIGTERM (and SIGHUP) unwind like Ctrl+C instead of killing outright."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: list[tuple[int, Any]] = []
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        old = signal.getsignal(sig)
        if old is signal.SIG_IGN:
            continue
        try:
            signal.signal(sig, _stop)
        except (OSError, ValueError):
            continue
        saved.append((sig, old))
    try:
        yield
    finally:
        for sig, old in saved:
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


def write_atomic(target: Path, write: Callable[[Path], None], option: str = "--output") -> Path:
    """Call ``write`` on a temporary file beside ``target``, then rename it into place.

    ``option`` is the command-line option that names ``target``, for the advice when it cannot be written.
    """
    check_output(target, option)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise InputError(
            f"Mappen {target.parent} finns inte och går inte att skapa. Välj en mapp där du har skrivrätt med {option}."
        ) from None
    remove_stale(target.parent)
    with _signals_unwind():
        try:
            tmp = _new_temp(target)
        except OSError:
            raise InputError(
                f"Det går inte att skriva i mappen {target.parent}. Välj en mapp där du har skrivrätt med {option}."
            ) from None
        try:
            write(tmp)
            if target.exists():
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))  # keep the mode of the file it replaces
            os.replace(tmp, target)
        except PermissionError:
            tmp.unlink(missing_ok=True)
            raise InputError(f"Kan inte skriva {target}. Stäng filen om den är öppen i Excel och försök igen.") from None
        except OSError:
            tmp.unlink(missing_ok=True)
            raise InputError(
                f"Kan inte skriva {target}. Kontrollera att det finns plats på disken och att mappen går att skriva i."
            ) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return target
