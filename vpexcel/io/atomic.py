"""Write new files atomically, and never over the user's input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from vpexcel.errors import InputError


def ensure_not_input(output: Path, *inputs: Path) -> None:
    out = output.resolve()
    for p in inputs:
        if p.exists() and out == p.resolve():
            raise InputError(f"Resultatet skulle skriva över {p.name}. Ange ett annat filnamn med --output.")


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~vpexcel-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except PermissionError:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Kan inte skriva {target}. Stäng filen om den är öppen i Excel och försök igen.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
