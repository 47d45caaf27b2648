"""The one exception type for input a user must fix.

Every edge (CLI, Excel button) turns it into a Swedish sentence and exit code 2;
nothing else is ever shown to a user as a traceback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path


class InputError(Exception):
    """The user's input cannot be used. ``message`` is Swedish and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def log_path() -> Path:
    """The log file for details a user is not shown (English exception text, tracebacks)."""
    return Path(tempfile.gettempdir()) / "vpexcel-fel.log"


def log_detail(text: str) -> None:
    """Append one line of detail to the log; never fails (a read-only temp folder loses the line)."""
    try:
        with log_path().open("a", encoding="utf-8") as fh:
            fh.write(text.replace("\n", " ") + "\n")
    except OSError:
        pass
