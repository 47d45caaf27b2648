"""vpexcel kolada fetch: recorded responses in the API's format, served on this machine; never the network."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vpexcel.cli import main
from vpexcel.kolada import KoladaCache, parse_page

# Two pages as Kolada v3 answers /data/kpi/<ids>/municipality/1441/year/<years>: values per kpi and
# period, each split by gender (T total, K women, M men), and next_url to the next page.
PAGE_1 = {
    "count": 3,
    "values": [
        {
            "kpi": "N00090",
            "municipality": "1441",
            "period": 2023,
            "values": [
                {"gender": "K", "count": 1, "status": "", "value": 10.2},
                {"gender": "M", "count": 1, "status": "", "value": 6.1},
                {"gender": "T", "count": 1, "status": "", "value": 8.8},
            ],
        },
        {
            "kpi": "U00200",
            "municipality": "1441",
            "period": 2023,
            "values": [{"gender": "T", "count": 1, "status": "", "value": 79.8}],
        },
        {
            "kpi": "U40402",
            "municipality": "1441",
            "period": 2023,
            "values": [{"gender": "T", "count": 1, "status": "Missing", "value": None}],
        },
    ],
    "next_url": None,
}
PAGE_2 = {
    "count": 1,
    "values": [
        {
            "kpi": "N03106",
            "municipality": "1441",
            "period": 2024,
            "values": [{"gender": "T", "count": 1, "status": "", "value": 28.3}],
        }
    ],
    "next_url": None,
}


@pytest.fixture
def kolada_server() -> Iterator[str]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            page = PAGE_2 if self.path.startswith("/page2") else dict(PAGE_1, next_url=f"http://127.0.0.1:{port}/page2")
            body = json.dumps(page).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v3"
    finally:
        server.shutdown()
        server.server_close()
    assert requests and requests[0].startswith("/v3/data/kpi/")
    assert "/municipality/1441/year/" in requests[0]


def test_parse_takes_the_total_and_skips_missing_values() -> None:
    rows, nxt = parse_page(PAGE_1)
    assert rows == [("N00090", 2023, 8.8), ("U00200", 2023, 79.8)]
    assert nxt is None


def test_fetch_follows_pages_and_writes_the_cache(kolada_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "kolada.json"
    rc = main(["kolada", "fetch", "--kommun", "1441", "--years", "2021-2024", "--cache", str(cache), "--api", kolada_server])
    assert rc == 0
    saved = KoladaCache.model_validate_json(cache.read_text(encoding="utf-8"))
    assert saved.value("N00090", 2023) == 8.8 and saved.value("N03106", 2024) == 28.3
    assert saved.source == "Kolada API v3" and saved.municipality == "1441"
    assert "3 värden för 3 nyckeltal" in capsys.readouterr().out


def test_without_network_the_cache_is_used_and_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "kolada.json"
    cache.write_text(
        KoladaCache(
            municipality="1441", fetched="2024-11-01T08:00:00", source="Kolada API v3", values={"N00090": {2023: 8.8}}
        ).model_dump_json(),
        encoding="utf-8",
    )
    dead = "http://127.0.0.1:9/v3"  # nothing listens on the discard port
    assert main(["kolada", "fetch", "--years", "2023", "--cache", str(cache), "--api", dead]) == 0
    err = capsys.readouterr().err
    assert "Kolada kunde inte nås" in err and "2024-11-01" in err
    assert KoladaCache.model_validate_json(cache.read_text(encoding="utf-8")).value("N00090", 2023) == 8.8


def test_without_network_and_without_cache_it_stops_in_swedish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["kolada", "fetch", "--years", "2023", "--cache", str(tmp_path / "saknas.json"), "--api", "http://127.0.0.1:9/v3"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "Kolada kunde inte nås" in err and "Traceback" not in err


def test_bad_years_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kolada", "fetch", "--years", "förra året"]) == 2
    assert "2021-2024" in capsys.readouterr().err
