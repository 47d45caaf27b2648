"""Fetching from Kolada over HTTP, and the local cache file that ``fill`` reads."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import ValidationError

from vpexcel.errors import InputError, log_detail
from vpexcel.io.atomic import write_atomic
from vpexcel.kolada import KoladaCache, data_url, parse_page

MAX_PAGES = 50
MAX_BYTES = 20 * 1024 * 1024


class NoNetwork(Exception):
    """Kolada could not be reached."""


def fetch(api: str, kpis: list[str], municipality: str, years: list[int], timeout: float = 15.0) -> list[tuple[str, int, float]]:
    """Every (kpi, year, value) the API has, following ``next_url`` pages."""
    url: str | None = data_url(api, kpis, municipality, years)
    rows: list[tuple[str, int, float]] = []
    pages = 0
    while url and pages < MAX_PAGES:
        if not url.lower().startswith(("http://", "https://")):  # a next_url or --api that is a local file, ftp, ...
            raise NoNetwork("adressen till Kolada är ogiltig")
        try:
            req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "vpexcel"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise NoNetwork(f"Kolada svarade med felkod {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            log_detail(f"Kolada {url}: {type(exc).__name__}: {getattr(exc, 'reason', exc)}")  # English: the log only
            raise NoNetwork(_reason_sv(exc)) from None  # never the system's English text
        if len(body) > MAX_BYTES:
            raise NoNetwork("svaret är orimligt stort")
        try:
            found, url = parse_page(json.loads(body))
        except (ValueError, TypeError, RecursionError) as exc:
            log_detail(f"Kolada {url}: {type(exc).__name__}: {exc}")
            raise NoNetwork("svaret gick inte att läsa") from None
        rows += found
        pages += 1
    return rows


def _reason_sv(exc: BaseException) -> str:
    """Why Kolada could not be reached, in Swedish."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason):
        return "svaret dröjde för länge"
    if isinstance(reason, socket.gaierror):
        return "adressen hittades inte; kontrollera att datorn har nätverk"
    if isinstance(reason, ConnectionRefusedError):
        return "anslutningen nekades"
    if isinstance(reason, ssl.SSLError):
        return "den säkra anslutningen kunde inte upprättas"
    if isinstance(exc, ValueError):
        return "adressen till Kolada är ogiltig"
    return "ingen anslutning"


def load_cache(path: Path, notes: list[str] | None = None) -> KoladaCache:
    """The cache file; values that are not finite numbers (NaN, Infinity) are dropped, with a Swedish note in ``notes``."""
    try:
        cache = KoladaCache.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"Indikatorfilen {path} finns inte. Hämta värden med 'vpexcel kolada fetch' eller ange rätt fil."
        ) from None
    except (ValidationError, UnicodeDecodeError, ValueError):
        raise InputError(
            f"Indikatorfilen {path.name} går inte att läsa. Hämta värdena på nytt med 'vpexcel kolada fetch'."
        ) from None
    except OSError:
        raise InputError(
            f"Indikatorfilen {path} går inte att öppna. Kontrollera att den inte är en mapp och att du har läsrätt."
        ) from None
    cache, dropped = cache.finite()
    if dropped and notes is not None:
        notes.append(
            f"Indikatorfilen {path.name} har värden som inte är tal ({', '.join(dropped[:5])}"
            + (" med flera" if len(dropped) > 5 else "")
            + "); de används inte. Hämta värdena på nytt med 'vpexcel kolada fetch'."
        )
    return cache


def save_cache(path: Path, cache: KoladaCache) -> Path:
    text = cache.model_dump_json(indent=2)

    def write(tmp: Path) -> None:
        tmp.write_text(text + "\n", encoding="utf-8")

    return write_atomic(path, write)


def refresh(path: Path, api: str, kpis: list[str], municipality: str, years: list[int]) -> tuple[KoladaCache, str | None]:
    """Fetch and merge into the cache at ``path``; without network keep the cache and say why."""
    old = None
    if path.exists():
        old = load_cache(path)
    try:
        rows = fetch(api, kpis, municipality, years)
    except NoNetwork as exc:
        if old is None:
            raise InputError(
                f"Kolada kunde inte nås ({exc}) och det finns ingen sparad fil {path.name}. Försök igen när datorn har nätverk."
            ) from None
        return old, f"Kolada kunde inte nås ({exc}). Den sparade filen från {old.fetched[:10]} används."
    base = (
        old
        if old is not None and old.municipality == municipality
        else KoladaCache(municipality=municipality, fetched="", source="")
    )
    cache = base.merged(rows).model_copy(
        update={"fetched": dt.datetime.now().isoformat(timespec="seconds"), "source": "Kolada API v3"}
    )
    save_cache(path, cache)
    return cache, None
