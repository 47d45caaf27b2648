"""The command line: ``vpexcel validate|reconcile|fill|kolada fetch|init|regler``. Swedish for the user, exit codes for scripts.

argparse rather than typer: every heading and error can be put in Swedish, and
it costs nothing at start-up (each Excel click starts a process).

Exit codes: 0 no errors, 1 the budget has errors, 2 the input cannot be used
(with one Swedish sentence on stderr), 3 an internal fault (logged, never a traceback).
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
import tempfile
import traceback
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from vpexcel import __version__
from vpexcel.errors import InputError
from vpexcel.textcells import screen_text

if TYPE_CHECKING:
    from vpexcel.grid import SheetGrid, WorkbookGrid
    from vpexcel.settings import Settings

FORMATS = ("text", "json", "xlsx")


class _Parser(argparse.ArgumentParser):
    """argparse with Swedish headings and errors that become InputError (exit 2)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "argument"
        self._optionals.title = "val"
        self.add_argument("-h", "--help", action="help", help="Visa den här hjälpen och avsluta.")

    def error(self, message: str) -> NoReturn:
        raise InputError(
            f"kommandot kan inte tolkas ({_translate(message)}). Skriv '{self.prog} --help' för att se hur det används."
        )


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: object, groups: object, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix="Användning: ")  # type: ignore[arg-type]


def _translate(message: str) -> str:
    for en, sv in (
        ("the following arguments are required", "följande saknas"),
        ("unrecognized arguments", "okända argument"),
        ("invalid choice", "ogiltigt val"),
        ("expected one argument", "värdet saknas"),
        ("argument ", "argumentet "),
        ("choose from", "välj bland"),
    ):
        message = message.replace(en, sv)
    return message


def _settings_file(args: argparse.Namespace) -> Settings | None:
    """Settings named with --settings, if any (a workbook under another format's name: its note goes to NOTES)."""
    if args.settings is None:
        return None
    from vpexcel.io.settings_io import load_settings_file

    return load_settings_file(args.settings, NOTES)


def _read_book(path: Path, on_sheet: Callable[[SheetGrid], None] | None = None, figures_only: bool = False) -> WorkbookGrid:
    """A workbook named on the command line; what the reader wants said goes to NOTES. ``figures_only``: the
    command reads the figures and checks no formulas, so the note that formulas were not read is not its to say."""
    from vpexcel.grid import FIGURE_NOTES
    from vpexcel.io.xlsx_reader import read_workbook

    book = read_workbook(path, on_sheet)
    NOTES.extend(n.text for n in book.notes if not figures_only or n.kind in FIGURE_NOTES)
    return book


def _say(text: str, to: TextIO | None = None) -> None:
    """One line for the user, on stdout or ``to``. Every line vpexcel shows goes through here: any of them may
    quote a user's file (its name, a cell, an area), and a terminal would obey the control characters in it."""
    print(screen_text(text), file=to or sys.stdout)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")  # the same bytes on Windows


def _json_for_screen(text: str) -> str:
    """JSON for a terminal: json.dumps escapes C0 controls but, without ensure_ascii, leaves DEL and the
    C1 controls (U+009B opens a terminal command like ESC [) as they are; they can only stand inside
    strings, where the escape reads as the same character."""
    return "".join(f"\\u{ord(ch):04x}" if "\x7f" <= ch <= "\x9f" else ch for ch in text) if _HAS_C1(text) else text


_HAS_C1 = re.compile("[\x7f-\x9f]").search


def _emit(
    fmt: str,
    output: Path | None,
    inputs: list[Path],
    json_text: Callable[[], str],
    printer: Callable[[TextIO | None], None],
) -> None:
    """JSON or the text table, on the screen or atomically into ``output`` (never over an input)."""
    from vpexcel.io.atomic import ensure_not_input, write_atomic

    if output is None:
        if fmt == "json":
            sys.stdout.write(_json_for_screen(json_text()) + "\n")
        else:
            printer(None)
        return
    ensure_not_input(output, *inputs)

    def write(tmp: Path) -> None:
        if fmt == "json":
            _write_text(tmp, json_text() + "\n")
            return
        with tmp.open("w", encoding="utf-8") as fh:
            printer(fh)

    write_atomic(output, write)


def cmd_validate(args: argparse.Namespace) -> int:
    """Kontrollera en budgetarbetsbok: struktur, tal, summor, ram och formler."""
    from vpexcel.io.atomic import ensure_not_input
    from vpexcel.validate import SheetMapper, validate

    book: Path = args.book
    suffix = "json" if args.format == "json" else "txt"
    output = _output_path(book, args.output, f"{book.stem}-validering.{suffix}") if args.output else None
    loaded = _settings_file(args)
    mapper = SheetMapper(loaded)  # each sheet's tables found while the next sheet is read
    grid = _read_book(book, mapper)
    read_as: list[tuple[str, list[str]]] = []
    report = validate(grid, loaded, read_as, mapper)
    if args.format == "text" and output is None and any(f.code == "VP405" for f in report.findings):
        from vpexcel.grid import NoteKind

        said = grid.notes_of(NoteKind.VALUES_ONLY)  # the finding VP405 says it on the same screen: not again as an OBS line
        # (with --output the report goes to a file, and the screen has only the OBS line to say it)
        NOTES[:] = [n for n in NOTES if n not in said]
    if getattr(args, "visa", False) and args.format == "text":
        from vpexcel.render import print_map

        print_map(read_as)
    if args.format == "xlsx":
        from vpexcel.io.report_xlsx import write_report
        from vpexcel.render import summary_sv

        target = _output_path(book, args.output, f"{book.stem}-valideringsrapport.xlsx")
        ensure_not_input(target, book, *([args.settings] if args.settings else []))
        write_report(report, book, target, read_as)
        _say(f"{book.name}: {summary_sv(report)}. Rapporten är sparad i {target}.")
    else:
        from vpexcel.render import print_text, to_json

        inputs = [book, *([args.settings] if args.settings else [])]  # --output must not name the settings either
        _emit(
            args.format,
            output,
            inputs,
            lambda: to_json(report, read_as if getattr(args, "visa", False) else None),
            lambda out: print_text(report, out),
        )
    files = {"budget": book, "settings": args.settings}
    return _remember(
        args, "validate", files, 1 if report.has_errors else 0, given=loaded, book=grid, findings=report.findings, mapped=mapper
    )


def cmd_reconcile(args: argparse.Namespace) -> int:
    """Stäm av budgeten mot huvudboken: brutto intäkt, brutto kostnad och netto per produktionsområde."""
    from vpexcel.io.atomic import ensure_not_input
    from vpexcel.io.ledger_reader import read_ledger
    from vpexcel.period import period_option
    from vpexcel.reconcile import budget_figures, reconcile
    from vpexcel.validate import resolve_settings

    budget_path: Path = args.budget
    ledger_path: Path = args.ledger
    period = period_option(args.period)
    book = _read_book(budget_path, figures_only=True)
    loaded = _settings_file(args)
    settings = resolve_settings(book, loaded)
    figures = budget_figures(book, settings, period[0] if period else None)
    NOTES.extend(n for n in [figures.net_only_note()] if n)
    # only the workbook shows the ledger's text
    ledger = read_ledger(ledger_path, details=args.format == "xlsx", columns=settings.ledger.columns)
    previous = read_ledger(args.ledger_previous, details=False, columns=settings.ledger.columns) if args.ledger_previous else None
    NOTES.extend([*ledger.notes, *(previous.notes if previous else [])])  # a ledger workbook misnamed, or with macro sheets
    rec = reconcile(figures, ledger, settings, period, budget_path.name, previous)
    inputs = [budget_path, ledger_path, *(p for p in (args.settings, args.ledger_previous) if p)]
    if args.format == "xlsx":
        from vpexcel.io.reconcile_xlsx import write_reconciliation
        from vpexcel.render import summary_sv

        target = _output_path(budget_path, args.output, f"avstamning-{rec.year}-{rec.month:02d}.xlsx")
        ensure_not_input(target, *inputs)
        last_run = None
        if not args.ingen_historik:
            from vpexcel.io.history_db import previous_run_for

            period_code = f"{rec.year}-{rec.month:02d}"
            last_run = previous_run_for(settings, budget_path, "reconcile", period_code, args.historik, rec.unit)
        write_reconciliation(rec, target, last_run)
        _say(f"Avstämning {rec.year}-{rec.month:02d}: {summary_sv(rec.report())}. Arbetsboken är sparad i {target}.")
    else:
        from vpexcel.render import print_reconciliation, strict_json

        def text() -> str:
            return strict_json(rec.to_json_dict())

        suffix = "json" if args.format == "json" else "txt"
        output = (
            _output_path(budget_path, args.output, f"avstamning-{rec.year}-{rec.month:02d}.{suffix}") if args.output else None
        )
        _emit(args.format, output, inputs, text, lambda out: print_reconciliation(rec, out))
    files = {"budget": budget_path, "ledger": ledger_path, "ledger_previous": args.ledger_previous, "settings": args.settings}
    return _remember(args, "reconcile", files, 1 if rec.report().has_errors else 0, settings=settings, reconciliation=rec)


def _history_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that is kept in the board's history."""
    p.add_argument("--ingen-historik", action="store_true", help="Spara inte körningen i historiken.")
    p.add_argument(
        "--historik", type=Path, metavar="FIL", help="Historikfilen (standard: vpexcel-historik.sqlite bredvid budgeten)."
    )


def _remember(args: argparse.Namespace, command: str, files: dict[str, Path | None], rc: int, **parts: Any) -> int:
    """Keep the finished run in the board's history (a warning, never a failure, when it cannot); returns ``rc``."""
    if not args.ingen_historik:
        from vpexcel.io.history_db import remember

        remember(command, files, rc, db=args.historik, **parts)
    return rc


def _output_path(book: Path, output: str | None, name: str) -> Path:
    if output is None:
        return book.parent / name
    try:
        folder = Path(output).is_dir()
    except OSError:  # a name too long for the file system: check_output says so before anything is written
        folder = False
    if folder or output.endswith(("/", "\\")):
        return Path(output) / name
    return Path(output)


def cmd_fill(args: argparse.Namespace) -> int:
    """Fyll en uppföljningsmall med budget, utfall, prognoser, indikatorer och status. Mallen ändras aldrig."""
    import datetime as dt

    from vpexcel.fill import FillData, Forecast, StatusLine, plan_fill, propose_forecasts, single_values, summary
    from vpexcel.io.atomic import ensure_not_input
    from vpexcel.io.ledger_reader import read_ledger
    from vpexcel.io.xlsx_patch import patch_workbook
    from vpexcel.period import period_option
    from vpexcel.reconcile import budget_figures, reconcile
    from vpexcel.validate import resolve_settings

    template: Path = args.template
    period = period_option(args.period)
    assert period is not None
    book = _read_book(args.budget, figures_only=True)
    loaded = _settings_file(args)
    settings = resolve_settings(book, loaded)
    figures = budget_figures(book, settings, period[0])
    NOTES.extend(n for n in [figures.net_only_note()] if n)
    ledger = read_ledger(args.ledger, details=False, columns=settings.ledger.columns)
    NOTES.extend(ledger.notes)  # a ledger workbook misnamed, or with macro sheets
    rec = reconcile(figures, ledger, settings, period, args.budget.name)
    given: dict[str, Forecast] = {}
    statuses: list[StatusLine] = []
    if args.forecast is not None:
        from vpexcel.io.forecast_reader import read_forecast

        nets = {name: line.net for name, line in figures.areas.items()}
        given, statuses = read_forecast(args.forecast, settings, figures.unit, NOTES, nets)
    kolada = None
    if args.indicators is not None:
        from vpexcel.io.kolada_client import load_cache

        notes: list[str] = []
        kolada = load_cache(args.indicators, notes)
        for note in notes:
            _say(f"vpexcel: {note}", sys.stderr)
    try:
        report_date = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        raise InputError(f"Datumet {args.date!r} går inte att läsa. Skriv det som 2024-05-15.") from None
    development = None
    if not args.ingen_historik:
        from vpexcel.io.history_db import forecast_development_for

        development = forecast_development_for(settings, args.budget, rec.year, args.historik)
    data = FillData(settings, rec, propose_forecasts(rec, given), statuses, kolada, report_date, development)
    plan = plan_fill(_read_book(template, figures_only=True), data)
    target = _output_path(template, args.output, f"{template.stem}-{rec.year}-{rec.month:02d}{template.suffix}")
    if args.output is None:
        target = Path.cwd() / target.name
    inputs = [template, args.budget, args.ledger, *(p for p in (args.forecast, args.indicators, args.settings) if p)]
    ensure_not_input(target, *inputs)
    patch_workbook(template, target, plan.updates, plan.cached, plan.notes)
    _say(
        f"{template.name} fylld för {single_values(data)['period']}: {plan.count} {'cell' if plan.count == 1 else 'celler'}. Sparad i {target}."
    )
    for line in summary(plan):
        _say(line)
    files = {
        "template": template,
        "budget": args.budget,
        "ledger": args.ledger,
        "forecast": args.forecast,
        "settings": args.settings,
    }
    notes = [f"Kunde inte fylla: {line}" for line in plan.missing]
    return _remember(
        args, "fill", files, plan.exit_code, settings=settings, reconciliation=rec, forecasts=data.forecasts, notes=notes
    )


KOLADA_FIRST_YEAR, KOLADA_LAST_YEAR = 1990, 2100  # Kolada's figures start in the 1990s


def _years(text: str) -> list[int]:
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    years: list[int] = []
    if m and int(m.group(1)) <= int(m.group(2)) <= int(m.group(1)) + 30:
        years = list(range(int(m.group(1)), int(m.group(2)) + 1))
    parts = [p.strip() for p in text.split(",")]
    if not years and 0 < len(parts) <= 31 and all(re.fullmatch(r"\d{4}", p) for p in parts):
        years = sorted({int(p) for p in parts})
    if years and years[0] >= KOLADA_FIRST_YEAR and years[-1] <= KOLADA_LAST_YEAR:
        return years
    raise InputError(
        f"Åren {text[:40]!r} går inte att läsa. Skriv högst 31 år mellan {KOLADA_FIRST_YEAR} och {KOLADA_LAST_YEAR}, "
        "till exempel --years 2021-2024 eller --years 2022,2024."
    )


def _municipality_code(text: str) -> str:
    """A kommun's code in Kolada: four digits (Lerum 1441)."""
    import re

    if not re.fullmatch(r"\d{4}", text.strip()):
        raise InputError(
            f"Kommunkoden {text[:40]!r} går inte att använda. Skriv kommunens fyra siffror, till exempel --kommun 1441."
        )
    return text.strip()


def cmd_kolada(args: argparse.Namespace) -> int:
    """Hämta nyckeltal från Kolada till en lokal fil som 'vpexcel fill' läser."""
    from vpexcel.io.atomic import check_output, ensure_not_input
    from vpexcel.io.kolada_client import refresh
    from vpexcel.settings import default_settings

    ensure_not_input(Path(args.cache), args.settings, option="--cache")  # the cache is read and rewritten; the settings never
    check_output(Path(args.cache), "--cache")  # a folder, a path under a file or a read-only cache: say so before fetching
    settings = _settings_file(args) or default_settings()
    years = _years(args.years)
    args.kommun = _municipality_code(args.kommun)
    kpis = sorted({i.kpi for i in settings.indicators if i.kpi} | {t.kpi for t in settings.targets})
    span = max([t.years for t in settings.targets] + [1])
    wanted = sorted(set(years) | set(range(years[-1] - span + 1, years[-1] + 1)))
    cache, warning = refresh(Path(args.cache), args.api, kpis, args.kommun, wanted)
    if warning:
        _say(f"vpexcel: {warning}", sys.stderr)
    count = sum(len(v) for v in cache.values.values())
    _say(f"{count} värden för {len(cache.values)} nyckeltal (kommun {cache.municipality}) finns i {args.cache}.")
    return 0


def _history_file(db: Path | None) -> Path:
    """The history file named with --db (a file, a folder, or a budget workbook beside which it lies)."""
    from vpexcel.history import DB_NAME

    if db is None:
        return Path.cwd() / DB_NAME
    if db.is_dir():
        return db / DB_NAME
    if db.suffix.lower() in (".xlsx", ".xlsm"):
        return db.resolve().parent / DB_NAME
    return db


def cmd_history(args: argparse.Namespace) -> int:
    """Visa historiken över körningar (validate, reconcile, fill), en körning i detalj, eller exportera revisionsspåret."""
    from vpexcel.history import detail_lines, list_lines
    from vpexcel.io.history_db import load_run, load_runs, run_counts

    path = _history_file(args.db)
    what = list(args.what)
    if args.export:
        from vpexcel.io.atomic import ensure_not_input
        from vpexcel.io.history_xlsx import write_audit

        target = Path(args.export)
        ensure_not_input(target, path, option="--export")
        write_audit(load_runs(path), path, target)
        _say(f"Revisionsspåret är sparat i {target}.")
        return 0
    if not what:
        runs = load_runs(path, full=False)
        _say(f"Historik i {path}: {len(runs)} körningar.")
        for line in list_lines(runs, run_counts(path)):
            _say(line)
        if runs:
            _say("Skriv 'vpexcel historik visa NUMMER' för att se en körning.")
        return 0
    if what[0] != "visa" or len(what) != 2 or not what[1].isdecimal():
        raise InputError("Skriv 'vpexcel historik' för listan eller 'vpexcel historik visa NUMMER' för en körning.")
    for line in detail_lines(load_run(path, int(what[1]))):
        _say(line)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Jämför två versioner av en budgetarbetsbok efter innehåll: områden, rader, belopp, formler, ram och budgetbrygga."""
    from vpexcel.compare import formulas_sv, text_lines
    from vpexcel.io.compare_xlsx import compare_paths

    old: Path = args.old
    new: Path = args.new
    inputs = [old, new, *([args.settings] if args.settings else [])]
    if args.format == "xlsx":
        from vpexcel.io.compare_xlsx import compare_files

        target = _output_path(new, args.output, f"{new.stem}-jamforelse.xlsx")
        comp, _ = compare_files(old, new, target, args.settings, NOTES)
        _say(
            f"{len(comp.changes)} {'ändring' if len(comp.changes) == 1 else 'ändringar'} mellan {old.name} och {new.name}. Arbetsboken är sparad i {target}."
            + (f" {unread}" if (unread := formulas_sv(comp)) else "")
        )
        return 0
    comp = compare_paths(old, new, _settings_file(args), NOTES)

    def text() -> str:
        import json

        return json.dumps(comp.to_json_dict(), ensure_ascii=False, indent=2)

    def printer(out: TextIO | None) -> None:
        for line in text_lines(comp):
            _say(line, out)

    _emit(args.format, Path(args.output) if args.output else None, inputs, text, printer)
    return 0


XLWINGS_ARGS = ("--wb=", "--from_xl=", "--hwnd=", "--app=")
XLWINGS_PINNED = "0.37.8"  # the version the add-in's VBA is built from (pyproject pins the same)


def cmd_button(args: argparse.Namespace) -> int:
    """Kör en knapp i Excel-tillägget (används av det paketerade programmet via RunFrozenPython)."""
    try:
        from vpexcel.excel import BUTTONS
    except ImportError:
        raise InputError(_NO_XLWINGS) from None

    if args.button not in BUTTONS:
        raise InputError(f"Knappen {args.button!r} finns inte. Knapparna är {', '.join(sorted(BUTTONS))}.")
    # xlwings adds --wb=..., --from_xl=1 and --hwnd=... for Book.caller(); they are not the button's
    values = [a for a in args.values if not a.startswith(XLWINGS_ARGS)]
    payload = next((v.split("=", 1)[1] for v in values if v.startswith("--xlwings-json=")), None)
    values = [v for v in values if not v.startswith("--xlwings-json=")]
    _check_button_values(args.button, BUTTONS[args.button], values)
    if payload is None:
        if "--from_xl=1" not in args.values:
            raise InputError(
                f"Knappen {args.button} körs från Excel (fliken Verksamhetsplan eller en knapp i arbetsboken), inte här. "
                "Utan Excel använder du kommandona validate, reconcile och fill."
            )
        try:
            BUTTONS[args.button](*values)
        except SystemExit as exc:  # the button has already said why, in Excel or on stderr
            return exc.code if isinstance(exc.code, int) else 2
        except InputError:
            raise
        except ImportError:
            raise InputError(_NO_XLWINGS) from None
        except Exception:  # the buttons report their own failures in Excel; this is reaching Excel at all
            log = _log_crash()
            raise InputError(
                f"vpexcel når inte arbetsboken i Excel. Kontrollera att Excel är öppet och kör knappen igen; detaljer finns i {log}."
            ) from None
        return 0
    # A workbook handed over as xlwings' JSON payload (a file instead of a running Excel): the same
    # button runs on xlwings' remote Book and what it wrote is printed as xlwings' actions.
    import json

    try:
        import xlwings as xw
    except ImportError:
        raise InputError(_NO_XLWINGS) from None

    book = xw.Book(json=json.loads(Path(payload).read_text(encoding="utf-8")))
    book.set_mock_caller()
    BUTTONS[args.button](*values)
    sys.stdout.write(_json_for_screen(json.dumps(book.json(), ensure_ascii=False)) + "\n")
    return 0


_NO_XLWINGS = 'xlwings saknas, så knapparna kan inte köras. Installera med: pip install "vpexcel[excel]".'


_BUTTON_VALUES_SV = {
    "period": "perioden",
    "budget": "budgetarbetsboken",
    "ledger": "huvudboken",
    "forecast": "prognosarbetsboken",
    "indicators": "nyckeltalsfilen",
}


def _check_button_values(name: str, button: Callable[..., object], values: list[str]) -> None:
    """Refuse, in Swedish, a button called with too few or too many values (before Excel is reached)."""
    import inspect

    try:
        inspect.signature(button).bind(*values)
    except TypeError:
        params = [p for p in inspect.signature(button).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
        needed = [_BUTTON_VALUES_SV.get(p.name, p.name) for p in params if p.default is inspect.Parameter.empty]
        raise InputError(
            f"Knappen {name} fick {len(values)} {'värde' if len(values) == 1 else 'värden'} men behöver {len(needed)}"
            + (f" ({', '.join(needed)})" if needed else "")
            + (f" och kan ta {len(params)}" if len(params) > len(needed) else "")
            + ". Kör knappen från Excel så skickas värdena med."
        ) from None


def cmd_init(args: argparse.Namespace) -> int:
    """Skapa en arbetsbok med bladet Inställningar, ifyllt med standardvärdena."""
    from vpexcel.io.atomic import check_output
    from vpexcel.io.settings_io import write_settings_workbook

    output: Path = args.output
    check_output(output)  # a folder, a path under a file, a read-only file, a name the system cannot take
    if output.exists() and not args.force:
        raise InputError(f"{output} finns redan. Välj ett annat namn med --output, eller ange --force för att ersätta den.")
    write_settings_workbook(output)
    _say(f"Bladet Inställningar är skapat i {output}. Kopiera bladet till din arbetsbok eller ange filen med --settings.")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """Lista alla kontroller med kod, nivå och rubrik."""
    from vpexcel.findings import SEVERITY_SV
    from vpexcel.rules import RULES, load_all

    load_all()
    for code in sorted(RULES):
        r = RULES[code]
        _say(f"{code}  {SEVERITY_SV[r.severity]:<8} {r.title}")
    return 0


def build_info() -> dict[str, str] | None:
    """Version and build date of the packaged program; None when running from the Python install."""
    if not getattr(sys, "frozen", False):
        return None
    import json

    try:
        data = json.loads((Path(getattr(sys, "_MEIPASS", ".")) / "vpexcel_build.json").read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}
    except (OSError, ValueError):
        return {}


def version_text() -> str:
    info = build_info()
    if info is None:
        return f"vpexcel {__version__} (Python-installation)"
    return f"vpexcel {__version__} (paketerat program, byggt {info.get('built', 'okänt datum')} för {info.get('platform', '?')})"


def cmd_doctor(args: argparse.Namespace) -> int:
    """Kontrollera installationen: programmet, tillägget, xlwings, inställningarna och att det går att skriva."""
    import importlib.util
    import tempfile

    problems = 0

    def ok(text: str) -> None:
        _say(f"  OK: {text}")

    def fix(text: str) -> None:
        nonlocal problems
        problems += 1
        _say(f"  Åtgärda: {text}")

    _say(version_text())
    frozen = build_info() is not None
    here = Path(sys.executable).resolve().parent if frozen else Path(__file__).resolve().parents[1] / "workbooks"
    addin = next((p for p in (here.parent / "vpexcel.xlam", here / "vpexcel.xlam") if p.exists()), None)
    if addin:
        ok(f"tillägget finns: {addin}")
    else:
        fix(f"tillägget vpexcel.xlam hittas inte bredvid programmet ({here.parent}). Packa upp hela mappen igen.")
    if importlib.util.find_spec("xlwings") is None:
        fix('xlwings saknas, så knapparna i Excel fungerar inte. Installera med: pip install "vpexcel[excel]".')
    else:
        import xlwings

        if xlwings.__version__ == XLWINGS_PINNED:
            ok(f"xlwings {xlwings.__version__}, samma version som tilläggets VBA")
        else:
            fix(
                f"xlwings {xlwings.__version__} är installerat men tillägget är byggt för {XLWINGS_PINNED}. Installera xlwings=={XLWINGS_PINNED}."
            )
    if sys.platform == "win32" and importlib.util.find_spec("win32com") is None:
        fix("pywin32 saknas; Excel kan inte anropa vpexcel. Installera pywin32.")
    book = Path(args.workbook) if args.workbook else None
    if book is not None:
        from vpexcel.io.xlsx_reader import read_workbook
        from vpexcel.validate import resolve_settings

        said: list[str] = []
        try:
            grid = read_workbook(book)
            said = [n.text for n in grid.notes]  # every kind: this is where one asks what vpexcel makes of the file
            settings = resolve_settings(grid)
            ok(f"{book.name} går att läsa; inställningar för {settings.board}, budgetår {settings.budget_year}")
        except InputError as exc:
            fix(exc.message)
        for note in dict.fromkeys(said):
            _say(f"  OBS: {note}")
        folder = book.parent
    else:
        folder = Path.cwd()
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".vpexcel-prov-"):
            pass
        ok(f"det går att skriva rapporter i {folder}")
    except OSError:
        fix(f"det går inte att skriva i {folder}. Välj en mapp där du har skrivrätt, eller ange --output.")
    _say("Allt ser bra ut." if problems == 0 else f"{problems} sak(er) att åtgärda.")
    return 0 if problems == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vpexcel",
        description="vpexcel kontrollerar, stämmer av och fyller i nämndens budget- och uppföljningsarbetsböcker.",
    )
    parser.add_argument("--version", action="version", version=version_text(), help="Visa versionen och avsluta.")
    sub = parser.add_subparsers(dest="command", title="kommandon", metavar="KOMMANDO", parser_class=_Parser)
    v = sub.add_parser(
        "validate", prog="vpexcel validate", help="Kontrollera en budgetarbetsbok.", description=cmd_validate.__doc__
    )
    v.add_argument(
        "book",
        type=Path,
        metavar="ARBETSBOK",
        help="Arbetsboken som ska kontrolleras (.xlsx, .xlsm; .xlsb, .xls och .ods utan formler).",
    )
    v.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar: en .xlsx med bladet Inställningar, eller .json.")
    v.add_argument(
        "--format",
        choices=FORMATS,
        help="text (tabell, standard), json eller xlsx (rapportarbetsbok). Utan den: efter --output:s filändelse (.xlsx, .json).",
    )
    v.add_argument(
        "--output",
        metavar="SÖKVÄG",
        help="Fil eller mapp för resultatet. Utan den går text och json till skärmen och xlsx bredvid arbetsboken.",
    )
    _history_options(v)
    v.add_argument(
        "--visa",
        action="store_true",
        help="Visa först hur arbetsboken lästes: tabellerna, vad varje kolumn och rad är, tecken och enhet.",
    )
    v.set_defaults(func=cmd_validate)
    rc = sub.add_parser(
        "reconcile", prog="vpexcel reconcile", help="Stäm av budgeten mot huvudboken.", description=cmd_reconcile.__doc__
    )
    rc.add_argument(
        "budget", type=Path, metavar="BUDGET", help="Budgetarbetsboken (.xlsx, .xlsm; .xlsb, .xls och .ods utan formler)."
    )
    rc.add_argument(
        "ledger", type=Path, metavar="HUVUDBOK", help="Huvudboksexporten: .csv (semikolon eller komma), .xlsx, .xls eller .ods."
    )
    rc.add_argument(
        "--period",
        metavar="ÅÅÅÅ-MM",
        help="Perioden till och med vilken utfallet räknas, t.ex. 2024-04. Utan den: senaste perioden i huvudboken.",
    )
    rc.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar: en .xlsx med bladet Inställningar, eller .json.")
    rc.add_argument(
        "--ledger-previous",
        type=Path,
        metavar="HUVUDBOK",
        help="Fjolårets huvudbok: ger utfallet samma period i fjol och nyckeln 'fjolårets utfall'. "
        "Utan den används fjolårets rader i huvudboken, om den har några.",
    )
    rc.add_argument(
        "--format",
        choices=FORMATS,
        help="text (tabell, standard), json eller xlsx (avstämningsarbetsbok). Utan den: efter --output:s filändelse.",
    )
    rc.add_argument(
        "--output",
        metavar="SÖKVÄG",
        help="Fil eller mapp för resultatet. Utan den: text och json till skärmen, xlsx bredvid budgeten.",
    )
    _history_options(rc)
    rc.set_defaults(func=cmd_reconcile)
    fl = sub.add_parser("fill", prog="vpexcel fill", help="Fyll en uppföljningsmall.", description=cmd_fill.__doc__)
    fl.add_argument("template", type=Path, metavar="MALL", help="Mallen (.xlsx eller .xlsm). Den ändras aldrig.")
    fl.add_argument("--period", required=True, metavar="ÅÅÅÅ-MM", help="Perioden som följs upp, t.ex. 2024-04.")
    fl.add_argument(
        "--budget", required=True, type=Path, metavar="BUDGET", help="Budgetarbetsboken (.xlsx, .xlsm, .xlsb, .xls eller .ods)."
    )
    fl.add_argument(
        "--ledger", required=True, type=Path, metavar="HUVUDBOK", help="Huvudboksexporten (.csv, .xlsx, .xls eller .ods)."
    )
    fl.add_argument(
        "--forecast", type=Path, metavar="PROGNOS", help="Prognosarbetsboken (och bladet Status). Utan den föreslås prognoser."
    )
    fl.add_argument("--indicators", type=Path, metavar="FIL", help="Nyckeltal från 'vpexcel kolada fetch'.")
    fl.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar: en .xlsx med bladet Inställningar, eller .json.")
    fl.add_argument("--date", metavar="ÅÅÅÅ-MM-DD", help="Rapportens datum (standard: i dag).")
    fl.add_argument("--output", metavar="SÖKVÄG", help="Fil eller mapp för den ifyllda arbetsboken (standard: aktuell mapp).")
    _history_options(fl)
    fl.set_defaults(func=cmd_fill)
    ko = sub.add_parser("kolada", prog="vpexcel kolada", help="Hämta nyckeltal från Kolada.", description=cmd_kolada.__doc__)
    ko_sub = ko.add_subparsers(dest="kolada_command", title="kommandon", metavar="KOMMANDO", parser_class=_Parser)
    kf = ko_sub.add_parser(
        "fetch", prog="vpexcel kolada fetch", help="Hämta värden till en lokal fil.", description=cmd_kolada.__doc__
    )
    kf.add_argument("--kommun", default="1441", metavar="KOD", help="Kommunens kod i Kolada (Lerum: 1441).")
    kf.add_argument("--years", required=True, metavar="ÅR", help="År, t.ex. 2021-2024 eller 2022,2024.")
    kf.add_argument("--cache", default="kolada-1441.json", metavar="FIL", help="Filen som värdena sparas i (kolada-1441.json).")
    kf.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar med nyckeltalens id.")
    kf.add_argument("--api", default="https://api.kolada.se/v3", help=argparse.SUPPRESS)
    kf.set_defaults(func=cmd_kolada)
    kn = sub.add_parser("knapp", prog="vpexcel knapp", help="Kör en knapp i Excel-tillägget.", description=cmd_button.__doc__)
    kn.add_argument(
        "button", metavar="KNAPP", help="validate, repair_numbers, reconcile, fill, clear_marks, settings, compare eller help."
    )
    kn.add_argument("values", nargs=argparse.REMAINDER, metavar="VÄRDE", help="Knappens värden, till exempel huvudbokens sökväg.")
    kn.set_defaults(func=cmd_button)
    dr = sub.add_parser("doctor", prog="vpexcel doctor", help="Kontrollera installationen.", description=cmd_doctor.__doc__)
    dr.add_argument("--workbook", metavar="ARBETSBOK", help="Kontrollera också att den här arbetsboken och dess mapp fungerar.")
    dr.set_defaults(func=cmd_doctor)
    i = sub.add_parser(
        "init", prog="vpexcel init", help="Skapa bladet Inställningar med standardvärdena.", description=cmd_init.__doc__
    )
    i.add_argument(
        "--output", type=Path, default=Path("installningar.xlsx"), metavar="FIL", help="Filen som skapas (installningar.xlsx)."
    )
    i.add_argument("--force", action="store_true", help="Ersätt filen om den redan finns.")
    i.set_defaults(func=cmd_init)
    jf = sub.add_parser(
        "jämför",
        aliases=["jamfor"],
        prog="vpexcel jämför",
        help="Jämför två versioner av en budget.",
        description=cmd_compare.__doc__,
    )
    jf.add_argument(
        "old", type=Path, metavar="GAMMAL", help="Den tidigare versionen (.xlsx, .xlsm; .xlsb, .xls och .ods utan formler)."
    )
    jf.add_argument("new", type=Path, metavar="NY", help="Den nya versionen (.xlsx, .xlsm; .xlsb, .xls och .ods utan formler).")
    jf.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar för båda (standard: varje arbetsboks egna).")
    jf.add_argument(
        "--format",
        choices=FORMATS,
        help="text (standard), json eller xlsx (arbetsbok med länkar till cellerna). Utan den: efter --output:s filändelse.",
    )
    jf.add_argument(
        "--output", metavar="SÖKVÄG", help="Fil eller mapp för resultatet. Utan den: text och json till skärmen, xlsx bredvid NY."
    )
    jf.set_defaults(func=cmd_compare)
    hi = sub.add_parser(
        "historik", prog="vpexcel historik", help="Visa historiken över körningar.", description=cmd_history.__doc__
    )
    hi.add_argument("what", nargs="*", metavar="visa NUMMER", help="Visa en körning i detalj.")
    hi.add_argument(
        "--db", type=Path, metavar="SÖKVÄG", help="Historikfilen, dess mapp eller budgetarbetsboken (standard: aktuell mapp)."
    )
    hi.add_argument(
        "--export", metavar="FIL", help="Skriv revisionsspåret till en arbetsbok (.xlsx), ett blad per slags körning."
    )
    hi.set_defaults(func=cmd_history)
    r = sub.add_parser("regler", prog="vpexcel regler", help="Lista alla kontroller.", description=cmd_rules.__doc__)
    r.set_defaults(func=cmd_rules)
    return parser


def _log_crash() -> Path:
    log = Path(tempfile.gettempdir()) / "vpexcel-fel.log"
    with log.open("a", encoding="utf-8") as fh:
        fh.write(traceback.format_exc() + "\n")
    return log


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into a Swedish sentence and an exit code."""
    argv = sys.argv[1:] if argv is None else argv
    dropped = len(argv) == 1 and argv[0].lower().endswith((".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")) and Path(argv[0]).is_file()
    if dropped:  # a workbook dropped on the program: check it, report beside it
        argv = ["validate", argv[0], "--format", "xlsx"]
    try:
        rc = _main(argv)
    finally:
        if dropped and build_info() is not None and sys.stdin is not None and sys.stdin.isatty():
            input("Tryck Enter för att stänga fönstret.")
    return rc


def _main(argv: list[str]) -> int:
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        NOTES.clear()
        _output_kind(args)
        stdout, sys.stdout = sys.stdout, _PipeTolerant(sys.stdout)
        try:
            rc = int(args.func(args))
        finally:
            sys.stdout = stdout
        for note in dict.fromkeys(NOTES):  # said once, after the result, and only when it came
            _say(f"vpexcel: OBS: {note}", sys.stderr)
        return rc
    except InputError as exc:
        _say(f"vpexcel: {exc.message}", sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of the output went away (vpexcel ... | head): not a fault
        _quiet_stdout()
        return 0
    except (RecursionError, zlib.error, zipfile.BadZipFile, OSError) as exc:
        message = _input_fault(exc, args)
        if message is None:
            return _internal_fault()
        _say(f"vpexcel: {message}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        _say("vpexcel: avbrutet.", sys.stderr)
        return 130
    except MemoryError:
        _say("vpexcel: arbetsboken är för stor för datorns minne. Dela upp den och försök igen.", sys.stderr)
        return 2
    except Exception:
        return _internal_fault()


class _PipeTolerant:
    """stdout that stops writing when its reader goes away (``vpexcel fill ... | head -1``): the command still
    finishes (writes its file, keeps its history, says its OBS lines on stderr) and exits with its own code,
    where a BrokenPipeError (or rich's exit 1 on it) used to end it half-way with a code of its own."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._went_away(exc)
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except OSError as exc:
                self._went_away(exc)

    def _went_away(self, exc: OSError) -> None:
        # EPIPE; Windows says EINVAL when the pipe's reader has closed it
        if not isinstance(exc, BrokenPipeError) and exc.errno not in (errno.EPIPE, errno.EINVAL):
            raise exc
        self._gone = True
        _quiet_stdout()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_NOT_TEXT_ENDINGS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".pdf", ".docx", ".doc", ".zip")


def _ending(output: object) -> str | None:
    """The file ending of ``--output`` in lower case; None without one, or when it names a folder."""
    if output is None:
        return None
    text = str(output)
    try:
        if text.endswith(("/", "\\")) or Path(text).is_dir():
            return None
    except OSError:  # a name too long for the file system: check_output says so later
        pass
    return Path(text).suffix.lower() or None


def _refuse_kind(args: argparse.Namespace, message: str, option: str = "--output") -> NoReturn:
    """Refuse an --output whose ending does not fit, unless a graver fault of the same path is to be said
    first (it names an input, a database, a folder or a path under a file)."""
    from vpexcel.io.atomic import check_output, ensure_not_input

    target = Path(str(getattr(args, "export", None) if option == "--export" else args.output))
    inputs = [v for k, v in vars(args).items() if isinstance(v, Path) and k not in ("output", "export")]
    ensure_not_input(target, *inputs, option=option)
    check_output(target, option)
    raise InputError(message)


def _output_kind(args: argparse.Namespace) -> None:
    """What --output's ending says about the file, checked before anything is read: the format of validate,
    reconcile and jämför when --format is not given (rapport.xlsx gets the report workbook, .json JSON,
    anything else text), and a refusal when the ending and the file vpexcel would write disagree (text in a
    file named .xlsx cannot be opened by Excel)."""
    func = getattr(args, "func", None)
    if func in (cmd_validate, cmd_reconcile, cmd_compare):
        output = getattr(args, "output", None)
        ending = _ending(output)
        name = Path(str(output)).name
        if args.format is None:
            if ending in _NOT_TEXT_ENDINGS and ending != ".xlsx":
                _refuse_kind(
                    args,
                    f"--output {name}: vpexcel skriver resultatet som arbetsbok (.xlsx), JSON (.json) eller text (.txt), "
                    f"inte som {ending}. Ge filen en av de ändelserna, till exempel {Path(name).stem}.xlsx.",
                )
            args.format = "xlsx" if ending == ".xlsx" else "json" if ending == ".json" else "text"
        elif args.format == "xlsx" and ending not in (None, ".xlsx"):
            _refuse_kind(
                args,
                f"--format xlsx skriver en arbetsbok (.xlsx), men --output heter {name}. "
                f"Ge filen ändelsen .xlsx, till exempel {Path(name).stem}.xlsx.",
            )
        elif args.format != "xlsx" and (ending in _NOT_TEXT_ENDINGS or (args.format == "text" and ending == ".json")):
            kind = "JSON" if args.format == "json" else "text"
            _refuse_kind(
                args,
                f"--format {args.format} skriver {kind}, men filnamnet {name} säger {ending}. "
                f"Ta bort --format {args.format} så väljs formatet efter filändelsen, "
                f"eller ge filen ändelsen {'.json' if args.format == 'json' else '.txt'}.",
            )
        return
    if func is cmd_fill:
        ending, wanted = _ending(args.output), args.template.suffix.lower()
        if ending is not None and ending != wanted:
            _refuse_kind(
                args,
                f"--output {Path(args.output).name}: den ifyllda arbetsboken är en kopia av mallen {args.template.name} "
                f"och måste ha samma filändelse ({wanted}) för att Excel ska öppna den. "
                f"Skriv till exempel --output {Path(args.output).stem}{wanted}.",
            )
        return
    for option, value in (
        ("--output", getattr(args, "output", None) if func is cmd_init else None),
        ("--export", getattr(args, "export", None) if func is cmd_history else None),
    ):
        ending = _ending(value)
        if value is not None and ending != ".xlsx":
            _refuse_kind(
                args,
                f"{option} {Path(str(value)).name}: vpexcel skriver en arbetsbok (.xlsx). "
                f"Ge filen ändelsen .xlsx, till exempel {Path(str(value)).stem}.xlsx.",
                option,
            )


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that flushing at exit does not raise on the closed pipe again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal_fault() -> int:
    """Exit 3: a fault of vpexcel itself, logged with its traceback (called inside an except block)."""
    log = _log_crash()
    _say(
        f"vpexcel: ett internt fel inträffade. Inget har skrivits över. Skicka filen {log} till den som förvaltar vpexcel.",
        sys.stderr,
    )
    return 3


# Sentences the reading steps want a user to see once (sheets left out, a file read without formulas).
NOTES: list[str] = []

_ERRNO_SV = {
    errno.EACCES: "åtkomst nekad",
    errno.EPERM: "åtkomst nekad",
    errno.ENOENT: "filen eller mappen finns inte",
    errno.EISDIR: "det är en mapp, inte en fil",
    errno.ENOTDIR: "en del av sökvägen är ingen mapp",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "platsen är skrivskyddad",
    errno.ENAMETOOLONG: "sökvägen är för lång",
    errno.EIO: "läsfel på disken",
}


def _inputs(args: argparse.Namespace | None) -> list[Path]:
    names = ("book", "budget", "ledger", "template", "settings", "forecast", "indicators", "workbook")
    found = [getattr(args, n, None) for n in names] if args is not None else []
    return [Path(p) for p in found if p]


def _input_fault(exc: BaseException, args: argparse.Namespace | None) -> str | None:
    """A Swedish sentence for a failure whose cause is a file the user named, or None (an internal fault)."""
    from vpexcel.errors import log_detail

    log_detail(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, RecursionError):
        return "indata är så djupt nästlade att de inte kan läsas. Kontrollera filerna och skapa dem på nytt."
    if isinstance(exc, zlib.error | zipfile.BadZipFile):
        names = ", ".join(p.name for p in _inputs(args)) or "indata"
        return f"en av filerna ({names}) är skadad och går inte att packa upp. Spara om den från Excel och försök igen."
    assert isinstance(exc, OSError)
    filename = exc.filename or getattr(exc, "filename2", None)
    if not filename:
        return None
    why = _ERRNO_SV.get(exc.errno or 0, "filen kan inte läsas eller skrivas")
    return f"{filename}: {why}. Kontrollera sökvägen och behörigheten och försök igen."


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
