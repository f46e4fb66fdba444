"""A pprof fleet in the test process (no Go needed): debug=1 goroutine profiles for many
targets, some leaking, with an optional bearer token; it records who asked for what, and
takes webhooks at /hook so that the actions of a real agent can be checked."""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AGENT = re.compile(r"ctxguard-watch \((.+)\)")
HEALTHY = """3 @ 0x43a2d6 0x4062ec 0x6a1b25 0x46f3a1
#\t0x43a2d5\truntime.gopark+0xd5\t/usr/local/go/src/runtime/proc.go:435
#\t0x4062eb\truntime.chanrecv1+0x12\t/usr/local/go/src/runtime/chan.go:489
#\t0x6a1b24\tmain.worker+0x44\t/src/svc/worker.go:42

2 @ 0x43a2d6 0x4062ec 0x6a1c25 0x46f3a1
#\t0x6a1c24\tmain.tick+0x44\t/src/svc/tick.go:17

"""
LEAK = """{n} @ 0x43a2d6 0x4063ec 0x6a1d25 0x46f3a1
#\t0x43a2d5\truntime.gopark+0xd5\t/usr/local/go/src/runtime/proc.go:435
#\t0x4063eb\truntime.chansend1+0x12\t/usr/local/go/src/runtime/chan.go:161
#\t0x6a1d24\tmain.(*handler).fetch.func1+0x44\t/src/svc/fetch.go:27

"""
LEAK_FILE, LEAK_LINE = "/src/svc/fetch.go", 27
CENSUS_FILE, CENSUS_LINE = "/src/svc/scope.go", 13  # a context never cancelled, in the census


class FakeFleet(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        leaky: frozenset[int] = frozenset(),
        leak_per_s: float = 20.0,
        token: str = "",
        tls: ssl.SSLContext | None = None,
        census: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.leaky, self.leak_per_s, self.token = leaky, leak_per_s, token
        self.census = census  # targets serving a context census (ctxguard's Go module), leaking contexts
        self.started = time.monotonic()
        self.log: list[tuple[float, int, str]] = []  # (time, target, agent)
        self.hooks: list[dict[str, object]] = []  # webhook bodies received
        self.asked: list[str] = []  # every path asked for, answered or not
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def body(self, target: int) -> bytes:
        leaked = int((time.monotonic() - self.started) * self.leak_per_s) if target in self.leaky else 0
        groups = HEALTHY + (LEAK.format(n=leaked) if leaked else "")
        return f"goroutine profile: total {5 + leaked}\n{groups}".encode()

    def census_body(self) -> bytes:
        """Contexts derived at CENSUS_LINE and never cancelled: 50 more a second, all older than the
        max age after the first second; a site of work in flight beside them."""
        age = time.monotonic() - self.started
        old = int(max(age - 1, 0) * 50)
        sites = [
            {
                "function": "main.scope",
                "file": CENSUS_FILE,
                "line": CENSUS_LINE,
                "kind": "WithCancel",
                "created": old + 50,
                "cancelled": 0,
                "collected_uncancelled": 0,
                "live": old + 50,
                "over_max_age": old,
                "oldest_age_s": age,
            },
            {
                "function": "main.get",
                "file": "/src/svc/get.go",
                "line": 8,
                "kind": "WithTimeout",
                "created": 9000,
                "cancelled": 8990,
                "collected_uncancelled": 0,
                "live": 10,
                "over_max_age": 0,
                "oldest_age_s": 0.1,
            },
        ]
        doc = {
            "ctxguard_contexts": 1,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "go_version": "go1.26.0",
            "sample_rate": 1,
            "max_age_s": 1,
            "sites": sites,
        }
        return json.dumps(doc).encode()

    def start(self) -> FakeFleet:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    server: FakeFleet

    def _answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.asked.append(self.path)
        m = re.match(r"^/t/(\d+)/debug/pprof/goroutine\?debug=1$", self.path)
        census = re.match(r"^/t/(\d+)/debug/ctxguard/contexts$", self.path)
        if self.server.token and self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._answer(401)
            return
        if census and int(census.group(1)) in self.server.census:
            self._answer(200, self.server.census_body())
            return
        if not m:
            self._answer(404)  # no heap profile, no debug=2: the agent must do without
            return
        agent = AGENT.search(self.headers.get("User-Agent", ""))
        with self.server.lock:
            self.server.log.append((time.monotonic(), int(m.group(1)), agent.group(1) if agent else ""))
        self._answer(200, self.server.body(int(m.group(1))))

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length", "0"))
        data = json.loads(self.rfile.read(size) or b"null")
        with self.server.lock:
            self.server.hooks.append({"path": self.path, "body": data})
        self._answer(200)

    def log_message(self, *args: object) -> None:
        pass
