"""The command line: ``vpexcel validate|reconcile|init|regler``. Swedish for the user, exit codes for scripts.

argparse rather than typer: every heading and error can be put in Swedish, and
it costs nothing at start-up (each Excel click starts a process).

Exit codes: 0 no errors, 1 the budget has errors, 2 the input cannot be used
(with one Swedish sentence on stderr), 3 an internal fault (logged, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

from vpexcel import __version__
from vpexcel.errors import InputError

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


def _report_path(book: Path, output: str | None) -> Path:
    name = f"{book.stem}-valideringsrapport.xlsx"
    if output is None:
        return book.parent / name
    if Path(output).is_dir() or output.endswith(("/", "\\")):
        return Path(output) / name
    return Path(output)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def cmd_validate(args: argparse.Namespace) -> int:
    """Kontrollera en budgetarbetsbok: struktur, tal, summor, ram och formler."""
    from vpexcel.io.atomic import ensure_not_input, write_atomic
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.validate import validate

    book: Path = args.book
    output: Path | None = Path(args.output) if args.output else None
    loaded = None
    if args.settings is not None:
        from vpexcel.io.settings_io import load_settings_file

        loaded = load_settings_file(args.settings)
    report = validate(read_workbook(book), loaded)
    if args.format == "xlsx":
        from vpexcel.io.report_xlsx import write_report
        from vpexcel.render import summary_sv

        target = _report_path(book, args.output)
        ensure_not_input(target, book, *([args.settings] if args.settings else []))
        write_report(report, book, target)
        print(f"{book.name}: {summary_sv(report)}. Rapporten är sparad i {target}.")
    elif args.format == "json":
        from vpexcel.render import to_json

        text = to_json(report)
        if output is not None:
            ensure_not_input(output, book)
            write_atomic(output, lambda tmp: _write_text(tmp, text + "\n"))
        else:
            sys.stdout.write(text + "\n")
    else:
        from vpexcel.render import print_text

        if output is not None:
            ensure_not_input(output, book)

            def write(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8") as fh:
                    print_text(report, fh)

            write_atomic(output, write)
        else:
            print_text(report)
    return 1 if report.has_errors else 0


def _period(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    import re

    m = re.fullmatch(r"\s*(\d{4})-?(\d{1,2})\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(f"Perioden {text!r} går inte att läsa. Skriv år och månad, till exempel --period 2024-04.")
    return int(m.group(1)), int(m.group(2))


def cmd_reconcile(args: argparse.Namespace) -> int:
    """Stäm av budgeten mot huvudboken: brutto intäkt, brutto kostnad och netto per produktionsområde."""
    from vpexcel.io.atomic import ensure_not_input, write_atomic
    from vpexcel.io.ledger_reader import read_ledger
    from vpexcel.io.xlsx_reader import read_workbook
    from vpexcel.reconcile import budget_figures, reconcile
    from vpexcel.validate import resolve_settings

    budget_path: Path = args.budget
    ledger_path: Path = args.ledger
    period = _period(args.period)
    book = read_workbook(budget_path)
    loaded = None
    if args.settings is not None:
        from vpexcel.io.settings_io import load_settings_file

        loaded = load_settings_file(args.settings)
    settings = resolve_settings(book, loaded)
    figures = budget_figures(book, settings, period[0] if period else None)
    ledger = read_ledger(ledger_path, details=args.format == "xlsx")  # only the workbook shows the ledger's text
    rec = reconcile(figures, ledger, settings, period, budget_path.name)
    inputs = [budget_path, ledger_path, *([args.settings] if args.settings else [])]
    if args.format == "xlsx":
        from vpexcel.io.reconcile_xlsx import write_reconciliation
        from vpexcel.render import summary_sv

        target = _output_path(budget_path, args.output, f"avstamning-{rec.year}-{rec.month:02d}.xlsx")
        ensure_not_input(target, *inputs)
        write_reconciliation(rec, target)
        print(f"Avstämning {rec.year}-{rec.month:02d}: {summary_sv(rec.report())}. Arbetsboken är sparad i {target}.")
    elif args.format == "json":
        import json

        text = json.dumps(rec.to_json_dict(), ensure_ascii=False, indent=2)
        if args.output:
            ensure_not_input(Path(args.output), *inputs)
            write_atomic(Path(args.output), lambda tmp: _write_text(tmp, text + "\n"))
        else:
            sys.stdout.write(text + "\n")
    else:
        from vpexcel.render import print_reconciliation

        if args.output:
            ensure_not_input(Path(args.output), *inputs)

            def write(tmp: Path) -> None:
                with tmp.open("w", encoding="utf-8") as fh:
                    print_reconciliation(rec, fh)

            write_atomic(Path(args.output), write)
        else:
            print_reconciliation(rec)
    return 1 if rec.report().has_errors else 0


def _output_path(book: Path, output: str | None, name: str) -> Path:
    if output is None:
        return book.parent / name
    if Path(output).is_dir() or output.endswith(("/", "\\")):
        return Path(output) / name
    return Path(output)


def cmd_init(args: argparse.Namespace) -> int:
    """Skapa en arbetsbok med bladet Inställningar, ifyllt med standardvärdena."""
    from vpexcel.io.settings_io import write_settings_workbook

    output: Path = args.output
    if output.exists() and not args.force:
        raise InputError(f"{output} finns redan. Välj ett annat namn med --output, eller ange --force för att ersätta den.")
    write_settings_workbook(output)
    print(f"Bladet Inställningar är skapat i {output}. Kopiera bladet till din arbetsbok eller ange filen med --settings.")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """Lista alla kontroller med kod, nivå och rubrik."""
    from vpexcel.findings import SEVERITY_SV
    from vpexcel.rules import RULES, load_all

    load_all()
    for code in sorted(RULES):
        r = RULES[code]
        print(f"{code}  {SEVERITY_SV[r.severity]:<8} {r.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vpexcel",
        description="vpexcel kontrollerar, stämmer av och fyller i nämndens budget- och uppföljningsarbetsböcker.",
    )
    parser.add_argument("--version", action="version", version=f"vpexcel {__version__}", help="Visa versionen och avsluta.")
    sub = parser.add_subparsers(dest="command", title="kommandon", metavar="KOMMANDO", parser_class=_Parser)
    v = sub.add_parser(
        "validate", prog="vpexcel validate", help="Kontrollera en budgetarbetsbok.", description=cmd_validate.__doc__
    )
    v.add_argument("book", type=Path, metavar="ARBETSBOK", help="Arbetsboken som ska kontrolleras (.xlsx eller .xlsm).")
    v.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar: en .xlsx med bladet Inställningar, eller .json.")
    v.add_argument(
        "--format", choices=FORMATS, default="text", help="text (tabell, standard), json eller xlsx (rapportarbetsbok)."
    )
    v.add_argument(
        "--output",
        metavar="SÖKVÄG",
        help="Fil eller mapp för resultatet. Utan den går text och json till skärmen och xlsx bredvid arbetsboken.",
    )
    v.set_defaults(func=cmd_validate)
    rc = sub.add_parser(
        "reconcile", prog="vpexcel reconcile", help="Stäm av budgeten mot huvudboken.", description=cmd_reconcile.__doc__
    )
    rc.add_argument("budget", type=Path, metavar="BUDGET", help="Budgetarbetsboken (.xlsx).")
    rc.add_argument("ledger", type=Path, metavar="HUVUDBOK", help="Huvudboksexporten: .csv (semikolon eller komma) eller .xlsx.")
    rc.add_argument(
        "--period",
        metavar="ÅÅÅÅ-MM",
        help="Perioden till och med vilken utfallet räknas, t.ex. 2024-04. Utan den: senaste perioden i huvudboken.",
    )
    rc.add_argument("--settings", type=Path, metavar="FIL", help="Inställningar: en .xlsx med bladet Inställningar, eller .json.")
    rc.add_argument(
        "--format", choices=FORMATS, default="text", help="text (tabell, standard), json eller xlsx (avstämningsarbetsbok)."
    )
    rc.add_argument(
        "--output",
        metavar="SÖKVÄG",
        help="Fil eller mapp för resultatet. Utan den: text och json till skärmen, xlsx bredvid budgeten.",
    )
    rc.set_defaults(func=cmd_reconcile)
    i = sub.add_parser(
        "init", prog="vpexcel init", help="Skapa bladet Inställningar med standardvärdena.", description=cmd_init.__doc__
    )
    i.add_argument(
        "--output", type=Path, default=Path("installningar.xlsx"), metavar="FIL", help="Filen som skapas (installningar.xlsx)."
    )
    i.add_argument("--force", action="store_true", help="Ersätt filen om den redan finns.")
    i.set_defaults(func=cmd_init)
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
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args))
    except InputError as exc:
        sys.stderr.write(f"vpexcel: {exc.message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("vpexcel: avbrutet.\n")
        return 130
    except MemoryError:
        sys.stderr.write("vpexcel: arbetsboken är för stor för datorns minne. Dela upp den och försök igen.\n")
        return 2
    except Exception:
        log = _log_crash()
        sys.stderr.write(
            f"vpexcel: ett internt fel inträffade. Inget har skrivits över. Skicka filen {log} till den som förvaltar vpexcel.\n"
        )
        return 3


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
