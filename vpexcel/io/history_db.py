"""The board's history of runs in one SQLite file (the standard library's sqlite3).

One file per board, by default ``vpexcel-historik.sqlite`` beside the budget
workbook (settings: the "Historik" table; ``--historik FIL``; off with
``--ingen-historik``, the setting, or ``VPEXCEL_HISTORIK=av``).

Writes: one transaction per run, taken with ``BEGIN IMMEDIATE`` and a busy
timeout, so parallel runs queue instead of failing or interleaving. The journal
is a rollback journal (removed after each run: no empty file is left beside the budget), not WAL: budget folders are
often on a network share, where WAL's shared memory does not work.

A history that cannot be written (locked, read-only, damaged) never stops a run:
:func:`remember` prints one Swedish warning on stderr and returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpexcel.errors import InputError
from vpexcel.findings import Finding, Severity
from vpexcel.history import DB_NAME, Figure, FileRef, ForecastDevelopment, RunRecord, in_unit

if TYPE_CHECKING:
    from vpexcel.fill import Forecast
    from vpexcel.grid import WorkbookGrid
    from vpexcel.reconcile import Reconciliation
    from vpexcel.settings import Settings
    from vpexcel.validate import SheetMapper

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 10.0  # seconds a run waits for another run's write before it gives up (and warns)
ENV_SWITCH = "VPEXCEL_HISTORIK"  # "av" turns the history off (tests, IT's own set-ups)

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    run_at TEXT NOT NULL,
    command TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    municipality TEXT NOT NULL,
    board TEXT NOT NULL,
    year INTEGER NOT NULL,
    period TEXT,
    user_name TEXT NOT NULL,
    version TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL,
    silenced INTEGER NOT NULL,
    notes TEXT NOT NULL
);
CREATE TABLE files (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    role TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    code TEXT NOT NULL, severity TEXT NOT NULL, sheet TEXT, cell TEXT, message TEXT NOT NULL,
    expected, actual, suggestion TEXT, silenced TEXT
);
CREATE TABLE figures (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    area TEXT NOT NULL, period TEXT NOT NULL, measure TEXT NOT NULL, kind TEXT NOT NULL, value REAL NOT NULL,
    unit TEXT NOT NULL, sheet TEXT, cell TEXT, note TEXT
);
CREATE INDEX files_run ON files(run_id);
CREATE INDEX findings_run ON findings(run_id);
CREATE INDEX figures_run ON figures(run_id);
CREATE INDEX runs_kind ON runs(command, year, period);
"""


class HistoryError(Exception):
    """The history file cannot be used; ``message`` is Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _why(path: Path, exc: BaseException) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"historikfilen {path} är låst av en annan körning eller ett annat program"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return f"historikfilen {path} är skrivskyddad"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        if _is_zip(path):  # an intact workbook named as the history file: not "skadad"
            return f"filen {path} är en arbetsbok (eller annan zip-fil), ingen historikfil från vpexcel"
        return f"filen {path} är skadad eller ingen historikfil från vpexcel"
    if "unable to open" in text or isinstance(exc, OSError):
        return f"historikfilen {path} kan inte öppnas eller skapas (mappen finns inte eller är skrivskyddad)"
    return f"historikfilen {path} kan inte användas ({exc})"


def _connect(path: Path, timeout: float, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = path.resolve().as_uri() + "?mode=ro"
        con = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    else:
        con = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    con.execute("PRAGMA foreign_keys = ON")
    return con


def _ensure_schema(con: sqlite3.Connection, path: Path) -> None:
    """Create the tables in a new file (inside the caller's write transaction); refuse a newer schema."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise HistoryError(f"filen {path} är ingen historikfil från vpexcel")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    elif version > SCHEMA_VERSION:
        raise HistoryError(f"historikfilen {path} är skapad av en nyare vpexcel; uppdatera vpexcel")


def save_run(path: Path, record: RunRecord, timeout: float = BUSY_TIMEOUT) -> int:
    """Write one run in one transaction; its id. HistoryError (Swedish) when the file cannot take it."""
    try:
        con = _connect(path, timeout)
    except (sqlite3.Error, OSError) as exc:
        raise HistoryError(_why(path, exc)) from None
    try:
        con.execute("BEGIN IMMEDIATE")  # the write lock now, so two runs never interleave
        try:
            _ensure_schema(con, path)
            run_id = _insert(con, record)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return run_id
    except (sqlite3.Error, OSError) as exc:
        raise HistoryError(_why(path, exc)) from None
    finally:
        con.close()


def _insert(con: sqlite3.Connection, r: RunRecord) -> int:
    c = r.counts()
    cur = con.execute(
        "INSERT INTO runs (run_at, command, exit_code, municipality, board, year, period, user_name, version, settings_json,"
        " errors, warnings, infos, silenced, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            r.when,
            r.command,
            r.exit_code,
            r.municipality,
            r.board,
            r.year,
            r.period,
            r.user,
            r.version,
            r.settings_json,
            c["error"],
            c["warning"],
            c["info"],
            c["silenced"],
            "\n".join(r.notes),
        ),
    )
    run_id = int(cur.lastrowid or 0)
    con.executemany(
        "INSERT INTO files VALUES (?,?,?,?,?,?)", [(run_id, f.role, f.name, f.path, f.sha256, f.size) for f in r.files]
    )
    con.executemany(
        "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (run_id, f.code, f.severity.value, f.sheet, f.cell, f.message, f.expected, f.actual, f.suggestion, f.silenced)
            for f in r.findings
        ],
    )
    con.executemany(
        "INSERT INTO figures VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(run_id, g.area, g.period, g.measure, g.kind, g.value, g.unit, g.sheet, g.cell, g.note) for g in r.figures],
    )
    return run_id


# --- reading ---------------------------------------------------------------------------


def _open_existing(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise InputError(
            f"Det finns ingen historik i {path}. Historiken sparas när du kör validate, reconcile eller fill; "
            "ange filen med --db om den ligger någon annanstans."
        )
    try:
        con = _connect(path, BUSY_TIMEOUT, readonly=True)
        version = con.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise InputError(f"Historiken kan inte läsas: {_why(path, exc)}.") from None
    if version == 0:
        con.close()
        raise InputError(f"{path} är ingen historikfil från vpexcel. Ange rätt fil med --db.")
    if version > SCHEMA_VERSION:
        con.close()
        raise InputError(f"Historikfilen {path} är skapad av en nyare vpexcel. Uppdatera vpexcel för att läsa den.")
    return con


def _record(row: sqlite3.Row | tuple[Any, ...]) -> RunRecord:
    (run_id, when, command, exit_code, municipality, board, year, period, user, version, settings_json) = row[:11]
    notes = row[15]
    return RunRecord(
        command=command,
        when=when,
        exit_code=exit_code,
        municipality=municipality,
        board=board,
        year=year,
        period=period,
        settings_json=settings_json,
        notes=[n for n in str(notes).split("\n") if n],
        user=user,
        version=version,
        id=run_id,
    )


_RUN_COLUMNS = (
    "id, run_at, command, exit_code, municipality, board, year, period, user_name, version, settings_json,"
    " errors, warnings, infos, silenced, notes"
)


def load_runs(
    path: Path,
    *,
    command: str | None = None,
    year: int | None = None,
    full: bool = True,
    findings: bool = True,
    measures: tuple[str, ...] | None = None,
    board: tuple[str, str] | None = None,
) -> list[RunRecord]:
    """Runs in the order they were kept, with files, findings (unless ``findings`` is False) and figures when ``full``
    (only the net figures of ``measures`` when given).

    A filter on command or year is applied in SQL to the files, findings and figures too, so reading one
    kind of run does not scan the whole year's history.
    """
    con = _open_existing(path)
    try:
        where: list[str] = []
        params: list[object] = []
        if command:
            where.append("command = ?")
            params.append(command)
        if year:
            where.append("year = ?")
            params.append(year)
        if board:  # (municipality, board): a folder's history may hold another board's runs
            where.append("municipality = ? AND board = ?")
            params.extend(board)
        condition = " WHERE " + " AND ".join(where) if where else ""
        sql = f"SELECT {_RUN_COLUMNS} FROM runs{condition} ORDER BY id"
        runs = [_record(row) for row in con.execute(sql, params)]
        by_id = {r.id: r for r in runs}
        only = f" WHERE run_id IN (SELECT id FROM runs{condition})" if where else ""
        for row in con.execute(f"SELECT run_id, role, name, path, sha256, size FROM files{only} ORDER BY rowid", params):
            if row[0] in by_id:
                by_id[row[0]].files.append(FileRef(*row[1:]))
        if full and findings:
            for row in con.execute(
                "SELECT run_id, code, severity, sheet, cell, message, expected, actual, suggestion, silenced "
                f"FROM findings{only} ORDER BY rowid",
                params,
            ):
                if row[0] in by_id:
                    by_id[row[0]].findings.append(
                        Finding(
                            code=row[1],
                            severity=Severity(row[2]),
                            sheet=row[3],
                            cell=row[4],
                            message=row[5],
                            expected=row[6],
                            actual=row[7],
                            suggestion=row[8],
                            silenced=row[9],
                        )
                    )
        if full:
            which, extra = only, list(params)
            if measures:
                which += (" AND " if which else " WHERE ") + f"kind = 'net' AND measure IN ({', '.join('?' * len(measures))})"
                extra += list(measures)
            for row in con.execute(
                f"SELECT run_id, area, period, measure, kind, value, unit, sheet, cell, note FROM figures{which} ORDER BY rowid",
                extra,
            ):
                if row[0] in by_id:
                    by_id[row[0]].figures.append(Figure(*row[1:]))
        return runs
    except sqlite3.Error as exc:
        raise InputError(f"Historiken kan inte läsas: {_why(path, exc)}.") from None
    finally:
        con.close()


NET_MEASURES = ("budget", "budget_to_date", "actual_month", "actual_to_date", "forecast")


def forecast_development_for(
    settings: Settings, budget: Path, year: int, given: Path | None = None
) -> ForecastDevelopment | None:
    """Prognosutveckling for a fill: the board's history read where the runs keep it (or ``given``); None when there is none."""
    from vpexcel.history import forecast_development

    path = history_path(settings, budget, given)
    if path is None or not path.is_file():
        return None
    try:
        latest: dict[str, RunRecord] = {}  # the last fill of each period is the one that counts: only its figures are read
        for run in load_runs(path, command="fill", year=year, full=False, board=(settings.municipality, settings.board)):
            if run.period and (run.period not in latest or run.when >= latest[run.period].when):
                latest[run.period] = run
        by_id = {run.id: run for run in latest.values()}
        if by_id:
            con = _open_existing(path)
            try:
                marks = ", ".join("?" * len(by_id))
                for row in con.execute(
                    "SELECT run_id, area, period, measure, kind, value, unit, sheet, cell, note FROM figures "
                    f"WHERE run_id IN ({marks}) AND kind = 'net' AND measure IN ('budget', 'forecast') ORDER BY rowid",
                    list(by_id),
                ):
                    by_id[row[0]].figures.append(Figure(*row[1:]))
            finally:
                con.close()
        return forecast_development(sorted(by_id.values(), key=lambda r: r.id or 0), year)
    except (InputError, sqlite3.Error):
        return None  # an unreadable history leaves the table empty; the fill itself goes on


def previous_run_for(
    settings: Settings, budget: Path, command: str, period: str, given: Path | None = None, unit: str | None = None
) -> tuple[str, dict[str, dict[str, float]]] | None:
    """The same period's last earlier run, as (when, area -> measure -> net), amounts in ``unit`` when given
    (the settings' unit may have changed since); None when there is none or no history."""
    from vpexcel.history import previous_run

    path = history_path(settings, budget, given)
    if path is None or not path.is_file():
        return None
    out: dict[str, dict[str, float]] = {}
    try:  # called before this run is kept: every stored run is an earlier one (even within the same second)
        runs = load_runs(path, command=command, year=int(period[:4]), full=False, board=(settings.municipality, settings.board))
        run = previous_run(runs, command, period, "~")
        if run is None:
            return None
        con = _open_existing(path)
        try:  # that one run's net figures only
            for area, measure, value, was in con.execute(
                "SELECT area, measure, value, unit FROM figures WHERE run_id = ? AND kind = 'net' ORDER BY rowid", (run.id,)
            ):
                value = in_unit(value, was, unit) if unit else value
                out.setdefault(area, {})[measure] = value
        finally:
            con.close()
    except (InputError, sqlite3.Error):
        return None
    return run.when, out


def run_counts(path: Path) -> dict[int, dict[str, int]]:
    """Per run id: the counts of findings by severity (without loading the findings)."""
    con = _open_existing(path)
    try:
        return {
            row[0]: {"error": row[1], "warning": row[2], "info": row[3], "silenced": row[4]}
            for row in con.execute("SELECT id, errors, warnings, infos, silenced FROM runs")
        }
    finally:
        con.close()


def load_run(path: Path, run_id: int) -> RunRecord:
    for run in load_runs(path):
        if run.id == run_id:
            return run
    raise InputError(f"Körning {run_id} finns inte i historiken {path}. Skriv 'vpexcel historik' för att se körningarna.")


# --- the command line's side -------------------------------------------------------------


def sha256_file(path: Path) -> tuple[str, int]:
    """The file's SHA-256 in hex and its size; ("", 0) when it cannot be read."""
    try:
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return digest, path.stat().st_size
    except OSError:
        return "", 0


def file_refs(files: Mapping[str, Path | None]) -> list[FileRef]:
    out = []
    for role, p in files.items():
        if p is None:
            continue
        digest, size = sha256_file(p)
        out.append(FileRef(role, p.name, str(p.resolve()), digest, size))
    return out


def history_path(settings: Settings, budget: Path, given: Path | None = None) -> Path | None:
    """Where the board's history is kept; None when it is turned off."""
    if os.environ.get(ENV_SWITCH, "").strip().casefold() in ("av", "nej", "0", "off"):
        return None
    if given is not None:
        return given / DB_NAME if given.is_dir() else given
    if not settings.history.enabled:
        return None
    if settings.history.file:
        p = Path(settings.history.file).expanduser()
        p = p if p.is_absolute() else budget.resolve().parent / p
        return p / DB_NAME if p.is_dir() else p
    return budget.resolve().parent / DB_NAME


def _user() -> str:
    name = os.environ.get("USERNAME") or os.environ.get("USER")  # Windows, then the rest: no import needed
    if name:
        return name
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no user name to be had (a service account without one): keep the run
        return ""


def remember(
    command: str,
    files: Mapping[str, Path | None],
    exit_code: int,
    *,
    settings: Settings | None = None,
    given: Settings | None = None,
    book: WorkbookGrid | None = None,
    findings: Iterable[Finding] = (),
    reconciliation: Reconciliation | None = None,
    forecasts: Mapping[str, Forecast] | None = None,
    notes: Iterable[str] = (),
    db: Path | None = None,
    timeout: float = BUSY_TIMEOUT,
    mapped: SheetMapper | None = None,
) -> int | None:
    """Keep a finished run in the board's history; one Swedish warning on stderr when it cannot. The run's id or None."""
    budget = files.get("budget")
    if budget is None:
        return None
    if settings is None:
        from vpexcel.validate import resolve_settings

        assert book is not None
        settings = resolve_settings(book, given)
    path = history_path(settings, budget, db)
    if path is None:
        return None
    try:
        record = _record_of(command, files, exit_code, settings, book, findings, reconciliation, forecasts, notes, mapped)
        return save_run(path, record, timeout)
    except HistoryError as exc:
        why = exc.message
    except Exception:  # a fault in keeping the history must not cost the user the run's result
        import traceback

        from vpexcel.errors import log_detail, log_path

        log_detail(traceback.format_exc())  # never raises, also with a read-only temp folder
        why = f"ett internt fel (detaljer i {log_path()})"
    sys.stderr.write(
        f"vpexcel: varning: körningen sparades inte i historiken: {why}. Resultatet ovan gäller ändå. "
        "Stäng programmet som har filen öppen, ange en annan historikfil med --historik, "
        "eller stäng av historiken med --ingen-historik.\n"
    )
    return None


def _record_of(
    command: str,
    files: Mapping[str, Path | None],
    exit_code: int,
    settings: Settings,
    book: WorkbookGrid | None,
    findings: Iterable[Finding],
    reconciliation: Reconciliation | None,
    forecasts: Mapping[str, Forecast] | None,
    notes: Iterable[str],
    mapped: SheetMapper | None = None,
) -> RunRecord:
    from vpexcel import __version__
    from vpexcel.history import budget_figures_of, forecast_figures, new_record, reconciliation_figures

    figures: list[Figure] = []
    period = None
    if book is not None:
        figures += budget_figures_of(book, settings, mapped)
    if reconciliation is not None:
        period = f"{reconciliation.year}-{reconciliation.month:02d}"
        figures += reconciliation_figures(reconciliation)
        findings = [*findings, *reconciliation.findings]
        if forecasts is not None:
            figures += forecast_figures(reconciliation, forecasts)
    return new_record(
        command,
        dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        exit_code,
        settings,
        file_refs(files),
        period=period,
        findings=findings,
        figures=figures,
        notes=notes,
        user=_user(),
        version=__version__,
    )
