"""Settings files: the "Inställningar" sheet in an .xlsx (what ``init`` writes), or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from vpexcel.errors import InputError, log_detail
from vpexcel.io.atomic import write_atomic
from vpexcel.settings import (
    SETTINGS_SHEET,
    Settings,
    default_settings,
    settings_from_sheet,
    settings_rows,
    settings_sheet,
    validated,
)

MAX_SETTINGS_JSON_BYTES = 10 * 1024 * 1024  # thousands of areas fit in well under 1 MB


def load_settings_file(path: Path, notes: list[str] | None = None) -> Settings:
    """Settings from a file named on the command line. A workbook under another format's name is read by its
    content, and the reader's note saying so goes to ``notes`` (only that one: the settings are one sheet of
    text and figures, so formulas not read or macro sheets left out change nothing)."""
    if path.suffix.lower() == ".json":
        return validated(_read_json(path), path.name)
    from vpexcel.grid import NoteKind
    from vpexcel.io.xlsx_reader import read_workbook

    book = read_workbook(path)
    sheet = settings_sheet(book)
    if sheet is None:
        raise InputError(f"{path.name} har inget blad som heter {SETTINGS_SHEET!r}. Skapa ett med 'vpexcel init'.")
    settings = settings_from_sheet(sheet, default_settings())
    if notes is not None:
        notes.extend(book.notes_of(NoteKind.RENAMED))
    return settings


def _read_json(path: Path) -> object:
    """The parsed JSON of a settings file; every way it can fail is a Swedish sentence naming the file."""
    try:
        if path.is_dir():
            raise InputError(f"{path} är en mapp, inte en inställningsfil. Ange en .json-fil.")
        if path.stat().st_size > MAX_SETTINGS_JSON_BYTES:
            raise InputError(
                f"Inställningsfilen {path.name} är större än {MAX_SETTINGS_JSON_BYTES // (1024 * 1024)} MB och kan inte vara rätt fil."
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"Inställningsfilen {path} finns inte. Kontrollera sökvägen.") from None
    except UnicodeDecodeError:
        raise InputError(f"Inställningsfilen {path.name} är inte sparad som UTF-8-text. Spara den som UTF-8.") from None
    except OSError as exc:
        log_detail(f"{path}: {type(exc).__name__}: {exc}")
        raise InputError(
            f"Inställningsfilen {path.name} kan inte läsas (åtkomst nekad eller filen är låst). Kontrollera behörigheten."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"Inställningsfilen {path.name} är inte giltig JSON (fel på rad {exc.lineno}, kolumn {exc.colno}). "
            "Rätta filen eller skapa en ny med 'vpexcel init'."
        ) from None
    except RecursionError:
        raise InputError(
            f"Inställningsfilen {path.name} är orimligt djupt nästlad och kan inte läsas. Skapa en ny med 'vpexcel init'."
        ) from None


def write_settings_workbook(target: Path, settings: Settings | None = None) -> Path:
    """A new workbook with a pre-filled "Inställningar" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from vpexcel.io.openpyxl_text import put

    settings = settings or default_settings()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SETTINGS_SHEET
    heading = Font(bold=True, size=12)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    rows = settings_rows(settings)
    for r, line in enumerate(rows, start=1):
        for c, v in enumerate(line, start=1):
            put(ws.cell(r, c), v)  # an area named "=1+1" stays text
        if r == 1:
            ws.cell(r, 1).font = Font(bold=True, size=14)
        elif len(line) == 1 and r > 3:
            ws.cell(r, 1).font = heading
            for c in range(1, 5):
                ws.cell(r + 1, c).fill = header_fill
                ws.cell(r + 1, c).font = Font(bold=True)
    for col, width in zip("ABCD", (40, 34, 40, 36), strict=True):
        ws.column_dimensions[col].width = width
    return write_atomic(target, lambda tmp: wb.save(tmp))
