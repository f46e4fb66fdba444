"""`capture` and the context census: taken every round when served; a service that serves none
(404, 403, a catch-all page) is captured as before, without a census file and without asking again."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ctxguard.runtime.capture import Capture, run

DEBUG1 = b"goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/src/main.go:3\n\n"
CENSUS = {"ctxguard_contexts": 1, "time": "2026-12-07T12:00:00Z", "go_version": "go1.26.0",
          "sample_rate": 1, "max_age_s": 60, "sites": []}  # fmt: skip


class _Service(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, census: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.census = census  # census | 404 | 403 | page
        self.asked: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Service

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        status, body = 200, DEBUG1
        if self.path == "/debug/ctxguard/contexts":
            status, body = {
                "census": (200, json.dumps(CENSUS).encode()),
                "404": (404, b""),
                "403": (403, b""),
                "page": (200, b"<html>catch-all</html>"),
            }[self.server.census]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service(request: pytest.FixtureRequest) -> Iterator[_Service]:
    srv = _Service(request.param)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


@pytest.mark.parametrize("service", ["census", "404", "403", "page"], indirect=True)
def test_census_when_served_and_nothing_otherwise(service: _Service, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{service.server_address[1]}"
    files = run(Capture(base, tmp_path, every_s=0, count=3, dumps=0, retries=0), sleep=lambda _: None)
    censuses = [p.name for p in files if p.name.endswith("contexts.json")]
    asked = service.asked.count("/debug/ctxguard/contexts")
    if service.census == "census":
        assert censuses == ["000-contexts.json", "001-contexts.json", "002-contexts.json"]
    else:
        assert censuses == [] and asked == 1, (censuses, asked)  # asked once, then left alone
    assert [p.name for p in files if "debug1" in p.name] == [f"00{i}-goroutine-debug1.txt" for i in range(3)]
