"""Who to ask to save a file again: Excel for its own formats, the program it came from for an .ods.

The reader's refusals end in advice ("Spara om arbetsboken från Excel."). An OpenDocument
spreadsheet comes from LibreOffice, OpenOffice or Google Sheets, where that advice cannot be
followed; for such a file the advice names the program it was made in instead.
"""

from __future__ import annotations

from pathlib import Path

_ELSEWHERE = "LibreOffice eller det program den gjordes i"
# Excel's advice -> the same advice for a file made elsewhere (longest first: one phrase may hold another)
_ODS_ADVICE = (
    ("Spara om arbetsboken från Excel", f"Spara om filen från {_ELSEWHERE}"),
    ("Spara om den från Excel", f"Spara om filen från {_ELSEWHERE}"),
    ("Spara arbetsboken från Excel igen", f"Spara filen igen från {_ELSEWHERE}"),
    ("Ta bort lösenordet i Excel (Arkiv > Info > Skydda arbetsbok)", f"Ta bort lösenordet i {_ELSEWHERE}"),
    ("Ta bort lösenordet i Excel", f"Ta bort lösenordet i {_ELSEWHERE}"),
    (
        "den är ingen Excel-arbetsbok (.xlsx). Spara filen som .xlsx i Excel",
        f"den är inget kalkylark. Spara om filen från {_ELSEWHERE}",
    ),
    ("Spara filen som .xlsx i Excel", f"Spara om filen från {_ELSEWHERE}"),
    ("Spara arbetsboken som .xlsx i Excel", f"Spara arbetsboken som .xlsx i {_ELSEWHERE}"),
    ("vilket Excel aldrig skriver", "vilket inget kalkylprogram skriver"),
    ("en zip-fil men ingen Excel-arbetsbok", "en zip-fil men inget kalkylark"),
    ("den är ingen Excel-arbetsbok", "den är inget kalkylark"),
)


def advice_for(path: Path, sentence: str) -> str:
    """``sentence`` with its advice fitted to the program ``path`` comes from (by its suffix)."""
    if path.suffix.lower() != ".ods":
        return sentence
    for excel, elsewhere in _ODS_ADVICE:
        sentence = sentence.replace(excel, elsewhere)
    return sentence
