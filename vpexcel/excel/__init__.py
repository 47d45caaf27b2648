"""The Excel buttons: what the ribbon tab "Verksamhetsplan" and the sheet buttons run.

Each function is called by the add-in's VBA (RunPython, or RunFrozenPython for the
packaged program) and works on the workbook that called it, through
``xlwings.Book.caller()``: unsaved edits count. Dialogs that ask for a file or a
period live in the VBA, which passes the answer as an argument. Every failure
reaches the user as a Swedish message box; the details go to ``vpexcel-fel.log``
next to the workbook. Imports are lazy: each click starts a process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SEVERITY_COLORS = {"error": "#FFC7CE", "warning": "#FFEB9C", "info": "#DDEBF7"}
REPORT_SHEET = "Valideringsrapport"
RECONCILE_SHEET = "Avstämning"


def _caller() -> Any:
    """The workbook the user is working in.

    From a sheet button that is the calling workbook. From the ribbon, xlwings' VBA
    names the add-in itself as the caller (RunPython runs in ThisWorkbook), so the
    user's workbook is the active one.
    """
    import xlwings as xw

    book = xw.Book.caller()
    if str(book.name).lower().endswith(".xlam"):
        active = book.app.books.active
        if active is None:  # only the add-in is open, or the workbook is in Protected View
            raise LookupError("no active workbook")
        return active
    return book


def _run(action: Callable[[Any], str | None]) -> None:
    """Run a button's work on the calling book; turn every failure into a Swedish message box."""
    from vpexcel.errors import InputError
    from vpexcel.excel.port import LiveWorkbook

    try:
        book = LiveWorkbook(_caller())
    except Exception:
        _no_workbook()
        return
    try:
        message = action(book)
        if message:
            book.alert(message)
    except InputError as exc:
        book.alert(exc.message)
    except Exception:
        log = _log(book)
        where = f" Detaljerna finns i {log}. Skicka filen till den som förvaltar vpexcel." if log else ""
        book.alert(f"Något gick fel i vpexcel och inget har ändrats efter felet.{where}")
    finally:
        book.status(None)


NO_WORKBOOK = (
    "vpexcel hittar ingen arbetsbok att arbeta på. Öppna budgeten eller mallen; är den öppnad i skyddad vy, "
    "klicka Aktivera redigering i det gula fältet. Klicka sedan på knappen igen."
)


def _no_workbook() -> None:
    """Book.caller() failed (no workbook, Protected View, a window Excel does not hand out): say so in
    Swedish. Through Excel's own message box when there is an Excel to ask; otherwise on stderr, which
    xlwings' VBA shows in its message box, and exit 2 (no traceback)."""
    import sys

    _log(None)
    try:
        import xlwings as xw

        xw.apps.active.alert(NO_WORKBOOK, title="vpexcel")  # type: ignore[union-attr]
        return
    except Exception:
        pass
    sys.stderr.write(NO_WORKBOOK + "\n")
    raise SystemExit(2)


def _log(book: Any) -> str | None:
    """Append the current traceback to vpexcel-fel.log beside the workbook, else in the temp folder.

    Never raises: it runs inside the error handler, and the workbook may sit on a read-only share
    or on OneDrive (a web address). None when no folder takes the log.
    """
    import contextlib
    import tempfile
    import traceback
    from pathlib import Path

    folders = []
    try:
        full = Path(str(book.book.fullname))
        if full.is_absolute() and full.parent.is_dir():  # a saved workbook: the log goes beside it
            folders.append(full.parent)
    except Exception:
        pass
    with contextlib.suppress(Exception):
        folders.append(Path(tempfile.gettempdir()))
    text = traceback.format_exc()
    for folder in folders:
        path = folder / "vpexcel-fel.log"
        try:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text + "\n")
            return str(path)
        except OSError:
            continue
    return None


def _arg(text: str) -> str:
    """A button's text as the VBA hands it over (hex, see vpexcel.excel.lookup), or plain from Python."""
    from vpexcel.excel.lookup import decode_arg

    return decode_arg(text)


def _remember(live: Any, command: str, files: dict[str, Any], rc: int, **parts: Any) -> str:
    """Keep the button's run in the board's history, as the command line does (the settings' switch decides).

    The workbook the button works on must be saved for its run to be kept (the history lies beside it
    and names it). Returns the history's warning, if any, to add to the dialog; never raises.
    """
    import contextlib
    import io

    if files.get("budget") is None:
        return ""
    out = io.StringIO()
    try:
        from vpexcel.io.history_db import remember

        with contextlib.redirect_stderr(out):
            remember(command, files, rc, **parts)
    except Exception:  # keeping the history must never cost the user the button's result
        _log(live)
        return ""
    return out.getvalue().strip().removeprefix("vpexcel: ")


def _with(message: str, warning: str) -> str:
    return f"{message}\n\n{warning[:1].upper()}{warning[1:]}" if warning else message


def _noted(message: str, notes: list[str]) -> str:
    """The dialog's message with what the readers of the files the button opened want said (a file under
    another format's name, sheets left out, values the indicator file could not use): one line each, each once,
    as the command line says them after its result."""
    lines = [f"OBS: {n}" for n in dict.fromkeys(notes)]
    return message + "\n\n" + "\n".join(lines) if lines else message


# --- Validera / Rensa markeringar / Reparera siffror ------------------------------------
def validate() -> None:
    """Validera: mark each finding's cell, write the report sheet, show a summary."""
    _run(_validate)


def _validate(book: Any) -> str:
    from vpexcel.excel.port import MARKS_SHEET
    from vpexcel.render import summary_sv
    from vpexcel.validate import validate as check

    book.status("vpexcel: kontrollerar arbetsboken ...")
    grid = book.grid(skip=(MARKS_SHEET, REPORT_SHEET))
    report = check(grid)
    targets: dict[tuple[str, str], Any] = {}
    for f in report.findings:
        if f.sheet and f.cell and not f.silenced:
            targets.setdefault((f.sheet, f.cell), f)
    # refuse before changing anything: the cells to mark, those marked last time, the sheets to add
    book.check_writable({s for s, _ in targets} | {s for s, _, _, _ in _recorded(book)}, sheets_added=REPORT_SHEET)
    book.status("vpexcel: tar bort tidigare markeringar ...")
    _clear(book)
    book.status("vpexcel: markerar celler ...")
    marks: list[list[Any]] = [["Blad", "Cell", "Färg före", "Anteckning tillagd"]]
    plan = []
    for (sheet, cell), f in targets.items():
        before = book.color(sheet, cell)
        noted = not book.has_note(sheet, cell)  # a note of the user's own is never replaced
        marks.append([sheet, cell, "okänd" if before is None else before, "ja" if noted else "nej"])
        plan.append((sheet, cell, f, noted))
    # the record first: whatever happens while marking, Rensa markeringar knows every mark
    book.replace_sheet(MARKS_SHEET, marks, visible=False)
    for sheet, cell, f, noted in plan:
        book.set_color(sheet, cell, SEVERITY_COLORS[f.severity.value])
        if noted:
            book.add_note(sheet, cell, f"vpexcel {f.code}: {f.message}")
    _report_sheet(book, report)
    message = f"Valideringen är klar: {summary_sv(report)}. Se bladet {REPORT_SHEET}."
    message = _noted(message, [h.note for h in report.hidden_sheets])  # its marks cannot be seen until it is shown
    rc = 1 if report.has_errors else 0
    return _with(message, _remember(book, "validate", {"budget": book.saved_path()}, rc, book=grid, findings=report.findings))


def _report_sheet(book: Any, report: Any) -> None:
    from vpexcel.findings import SEVERITY_SV
    from vpexcel.rules import RULES

    # once per hidden sheet with findings, above the table: its links cannot open the sheet until it is shown
    rows: list[list[Any]] = [[h.note] for h in report.hidden_sheets]
    rows += [[]] if rows else []
    top = len(rows) + 2  # the first finding's row
    rows.append(["Nivå", "Kod", "Regel", "Blad", "Cell", "Meddelande", "Förslag", "Undantag"])
    for f in report.findings:
        rows.append(
            [
                SEVERITY_SV[f.severity],
                f.code,
                RULES[f.code].title,
                f.sheet or "",
                f.cell or "",
                f.message,
                f.suggestion or "",
                f.silenced or "",
            ]
        )
    sheet = book.replace_sheet(REPORT_SHEET, rows)
    for i, f in enumerate(report.findings, start=top):
        if f.sheet and f.cell:
            book.hyperlink(sheet, f"E{i}", f"#'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell}", f.cell)


def clear_marks() -> None:
    """Rensa markeringar: undo exactly what Validera added (colours, notes, the report sheet)."""
    _run(lambda book: f"Markeringarna är borttagna ({_clear(book)} celler).")


def _sheet_name(value: Any, present: set[str]) -> str | None:
    """The sheet a marks row names. Older versions wrote names without the apostrophe, so Excel may
    have turned "2024" into 2024.0 and "2024-04" into a date: match those back to the sheets there are."""
    import datetime as dt

    if isinstance(value, str):
        return value if value in present else None
    forms: list[str] = []
    if isinstance(value, float) and value.is_integer():
        forms.append(str(int(value)))
    if isinstance(value, (int, float)):
        forms.append(str(value))
    if isinstance(value, (dt.date, dt.datetime)):
        forms += [value.strftime("%Y-%m"), value.strftime("%Y-%m-%d")]
    return next((f for f in forms if f in present), None)


def _recorded(book: Any) -> list[tuple[str, str, Any, Any]]:
    """The marks Validera recorded (sheet, cell, colour before, note added) on sheets there are."""
    from vpexcel.excel.port import MARKS_SHEET

    present = set(book.sheet_names())
    out = []
    for row in book.read_sheet(MARKS_SHEET)[1:]:
        if len(row) < 4 or not row[1]:
            continue
        sheet = _sheet_name(row[0], present)
        if sheet is not None:
            out.append((sheet, str(row[1]), row[2], row[3]))
    return out


def _clear(book: Any) -> int:
    from vpexcel.excel.port import MARKS_SHEET

    recorded = _recorded(book)
    ours = {MARKS_SHEET, REPORT_SHEET} & set(book.sheet_names())
    book.check_writable({s for s, _, _, _ in recorded}, sheets_added=REPORT_SHEET if ours else None)
    for sheet, cell, before, noted in recorded:
        book.set_color(sheet, cell, None if before in ("", "okänd", None) else before)
        if noted == "ja":
            book.delete_note(sheet, cell)
    book.delete_sheet(MARKS_SHEET)
    book.delete_sheet(REPORT_SHEET)
    return len(recorded)


def repair_numbers() -> None:
    """Reparera siffror: numbers stored as text (VP201) become numbers; formats stay."""
    _run(_repair)


def _repair(book: Any) -> str:
    from vpexcel.validate import validate as check

    report = check(book.grid(skip=(REPORT_SHEET,)))
    fixed = [f for f in report.findings if f.code == "VP201" and f.sheet and f.cell and isinstance(f.expected, float)]
    book.check_writable({f.sheet for f in fixed})
    for f in fixed:
        book.set_number(f.sheet, f.cell, f.expected)
    if not fixed:
        return "Inga tal lagrade som text hittades."
    return (
        f"{len(fixed)} tal lagrade som text är nu tal: "
        + ", ".join(f"{f.sheet}!{f.cell}" for f in fixed[:10])
        + (" …" if len(fixed) > 10 else "")
    )


# --- Stäm av / Fyll / Inställningar / Hjälp -------------------------------------------------
def reconcile(ledger: str, period: str = "") -> None:
    """Stäm av mot huvudbok: the open budget against the ledger file the VBA asked for."""
    _run(lambda book: _reconcile(book, _arg(ledger), _arg(period)))


def _reconcile(book: Any, ledger: str, period: str) -> str:
    from pathlib import Path

    from vpexcel.io.ledger_reader import read_ledger
    from vpexcel.numbers import format_sv
    from vpexcel.period import period_option
    from vpexcel.reconcile import SIGN_CONVENTION, budget_figures
    from vpexcel.reconcile import reconcile as run_reconcile
    from vpexcel.render import summary_sv
    from vpexcel.validate import resolve_settings

    book.check_writable((), sheets_added=RECONCILE_SHEET)
    grid = book.grid(skip=(REPORT_SHEET, RECONCILE_SHEET))
    settings = resolve_settings(grid)
    when = period_option(period) if period else None
    figures = budget_figures(grid, settings, when[0] if when else None)
    book.status("vpexcel: läser huvudboken ...")
    ledger_data = read_ledger(Path(ledger), details=False, columns=settings.ledger.columns)
    rec = run_reconcile(figures, ledger_data, settings, when, book.name)
    rows: list[list[Any]] = [
        [f"Avstämning mot {rec.ledger_file}, {rec.period_sv} ({rec.unit})"],
        [f"{SIGN_CONVENTION}{rec.budget_sign_note} {rec.deviation_text}"],
        [],
        ["Produktionsområde", "Budget netto", "Periodiserad budget", "Utfall ack.", "Avvikelse", "Förbrukning"],
    ]
    for a in [*rec.areas, rec.board]:
        rows.append([a.area, a.budget.net, a.budget_to_date.net, a.actual_to_date.net, rec.deviation_of(a), a.used_share])
    rows.append([])
    rows += [[f"{f.code}: {f.message}"] for f in rec.findings]
    book.replace_sheet(RECONCILE_SHEET, rows)
    message = (
        f"Avstämningen är klar: utfall {format_sv(rec.board.actual_to_date.net)} {rec.unit} mot periodiserad budget "
        f"{format_sv(rec.board.budget_to_date.net)}; {summary_sv(rec.report())}. Se bladet {RECONCILE_SHEET}."
    )
    files = {"budget": book.saved_path(), "ledger": Path(ledger)}
    rc = 1 if rec.report().has_errors else 0
    message = _noted(message, ledger_data.notes)  # a ledger workbook misnamed, or with macro sheets
    return _with(message, _remember(book, "reconcile", files, rc, settings=settings, reconciliation=rec))


def fill(period: str, budget: str, ledger: str, forecast: str = "", indicators: str = "") -> None:
    """Fyll uppföljning: fill the open template in place, through Excel (nothing in it is lost)."""
    _run(lambda book: _fill(book, _arg(period), _arg(budget), _arg(ledger), _arg(forecast), _arg(indicators)))


def _fill(book: Any, period: str, budget: str, ledger: str, forecast: str, indicators: str) -> str:
    from pathlib import Path

    from vpexcel.fill import FillData, plan_fill, propose_forecasts
    from vpexcel.grid import FIGURE_NOTES, a1
    from vpexcel.io.ledger_reader import read_ledger
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.period import period_option
    from vpexcel.reconcile import budget_figures
    from vpexcel.reconcile import reconcile as run_reconcile
    from vpexcel.validate import resolve_settings

    when = period_option(period)
    assert when is not None
    budget_book = read_workbook(Path(budget))
    settings = resolve_settings(budget_book)
    figures = budget_figures(budget_book, settings, when[0])
    ledger_data = read_ledger(Path(ledger), details=False, columns=settings.ledger.columns)
    # fill checks no formulas: the budget's note that they were not read is not for this dialog
    said = [*budget_book.notes_of(*FIGURE_NOTES), *ledger_data.notes]
    rec = run_reconcile(figures, ledger_data, settings, when, Path(budget).name)
    given: dict[str, Any] = {}
    statuses: list[Any] = []
    if forecast:
        from vpexcel.io.forecast_reader import read_forecast

        nets = {name: line.net for name, line in figures.areas.items()}
        given, statuses = read_forecast(Path(forecast), settings, figures.unit, said, nets)
    kolada = None
    if indicators:
        from vpexcel.io.kolada_client import load_cache

        kolada = load_cache(Path(indicators), said)
    from vpexcel.io.history_db import forecast_development_for

    development = forecast_development_for(settings, Path(budget), rec.year)
    data = FillData(settings, rec, propose_forecasts(rec, given), statuses, kolada, development=development)
    plan = plan_fill(book.grid(), data)
    book.check_writable(plan.updates)
    for sheet, cells in plan.updates.items():
        for (r, c), value in cells.items():
            book.set_value(sheet, a1(r, c), value)
    for sheet, notes in plan.notes.items():
        for (r, c), text in notes.items():
            if not book.has_note(sheet, a1(r, c)):
                book.add_note(sheet, a1(r, c), text)
    files = {
        "template": book.saved_path(),
        "budget": Path(budget),
        "ledger": Path(ledger),
        "forecast": Path(forecast) if forecast else None,
    }
    missing = [f"Kunde inte fylla: {line}" for line in plan.missing]
    warning = _remember(
        book, "fill", files, plan.exit_code, settings=settings, reconciliation=rec, forecasts=data.forecasts, notes=missing
    )
    return _with(_noted(fill_message(rec.period_sv, plan), said), warning)


def fill_message(period: str, plan: Any) -> str:
    """The fill button's dialog: what was filled, and everything that was not placed (at most eight lines)."""
    text = f"Mallen är fylld för {period}: {plan.count} celler."
    if plan.proposals:
        text += f" Prognosen är vpexcels förslag för {len(set(plan.proposals))} områden (markerat med en anteckning)."
    if plan.warnings:
        text += "\n\nVarning: " + "\nVarning: ".join(plan.warnings)
    if any("Ingen prognoshistorik ännu" in line for line in plan.no_data):
        text += "\n\nIngen prognoshistorik ännu: tabellen Prognosutveckling lämnas tom tills årets uppföljningar har fyllts med vpexcel."
    if plan.missing:
        shown = plan.missing[:8]
        more = f"\n... och {len(plan.missing) - len(shown)} till." if len(plan.missing) > len(shown) else ""
        text += f"\n\nKunde inte fylla ({len(plan.missing)}):\n" + "\n".join(shown) + more
    return text


# --- Jämför med tidigare version -----------------------------------------------------------
def compare(older: str) -> None:
    """Jämför med tidigare version: the open workbook (as saved) against an older version the VBA asked for."""
    _run(lambda book: _compare(book, _arg(older)))


def _compare(book: Any, older: str) -> str:
    from pathlib import Path

    from vpexcel.compare import counts_sv
    from vpexcel.errors import InputError
    from vpexcel.io.atomic import same_file
    from vpexcel.io.compare_xlsx import compare_files
    from vpexcel.numbers import format_sv

    current = book.saved_path()
    if current is None:
        raise InputError(
            f"{book.name} är inte sparad på datorn (ny, eller öppnad från OneDrive eller SharePoint i webbläget), "
            "så vpexcel kan inte läsa den. Spara den i en mapp på datorn (Arkiv > Spara som) och klicka på knappen igen."
        )
    old = Path(older)
    if same_file(old, current):
        raise InputError(
            f"Du valde samma fil som den öppna ({current.name}). Välj den tidigare versionen av budgeten och klicka igen."
        )
    book.status("vpexcel: jämför versionerna ...")
    notes: list[str] = []  # a version under another format's name (values only is said by counts_sv)
    comp, target = compare_files(old, current, notes=notes)
    lines = [f"Jämförelsen av {old.name} (före) och {current.name} (efter, som den är sparad) är klar."]
    lines.append(counts_sv(comp))
    moved = [s for s in comp.summary if s.measure == "budget" and s.change is not None and abs(s.change) >= 1e-9]
    if moved:
        lines.append(f"Netto som ändrats ({comp.unit}):")
        for s in moved[:8]:
            year = f" {s.year}" if s.year else ""
            sign = "+" if (s.change or 0) > 0 else ""
            lines.append(
                f"  {s.area}{year}: {format_sv(s.old or 0)} → {format_sv(s.new or 0)} ({sign}{format_sv(s.change or 0)})"
            )
        if len(moved) > 8:
            lines.append(f"  ... och {len(moved) - 8} till.")
    lines.append(f"Alla ändringar, med länkar till cellerna i båda filerna, finns i {target}.")
    return _noted("\n".join(lines), notes)


def settings() -> None:
    """Inställningar: create the settings sheet pre-filled from the defaults, or say where it is."""
    _run(_settings)


def _settings(book: Any) -> str:
    from vpexcel.settings import SETTINGS_SHEET, default_settings, settings_rows

    if SETTINGS_SHEET in book.sheet_names():
        book.book.sheets[SETTINGS_SHEET].activate()
        return f"Bladet {SETTINGS_SHEET} finns redan. Ändra tabellerna där; en tom rad avslutar en tabell."
    book.check_writable((), sheets_added=SETTINGS_SHEET)
    book.replace_sheet(SETTINGS_SHEET, settings_rows(default_settings()))
    return f"Bladet {SETTINGS_SHEET} är skapat med standardvärdena för Lerums kommun. Ändra det som gäller för er nämnd."


def help() -> None:
    """Hjälp: what the buttons do, and where the user guide is."""
    _run(
        lambda book: (
            "Verksamhetsplan-fliken: Validera kontrollerar budgeten och markerar fel i cellerna. Reparera siffror gör tal "
            "lagrade som text till tal. Stäm av mot huvudbok jämför med ekonomisystemets export. Fyll uppföljning fyller "
            "mallen för en period. Jämför med tidigare version visar vad som ändrats sedan en äldre version av budgeten. Rensa markeringar tar bort det Validera lade till. Användarguiden finns i mappen "
            "dokumentation där vpexcel packades upp (efter installera.cmd: %LOCALAPPDATA%\\vpexcel\\dokumentation): "
            "excel.md om knapparna, index.md om resten."
        )
    )


BUTTONS: dict[str, Callable[..., None]] = {
    "validate": validate,
    "repair_numbers": repair_numbers,
    "reconcile": reconcile,
    "fill": fill,
    "compare": compare,
    "clear_marks": clear_marks,
    "settings": settings,
    "help": help,
}
