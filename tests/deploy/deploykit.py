"""The deploy/ stack for real: promtool, and a live `ctxguard watch` on a fake fleet scraped by a real Prometheus
that loads deploy/prometheus/rules (both tools come with Debian's `prometheus` package)."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakefleet import FakeFleet
from procs import kill_group, read_address
from watchkit import Watch, start_watch, toml_config, wait_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
LAB = DEPLOY.parent / "lab"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: apt-get install prometheus (it brings promtool and prometheus)", pytrace=False)
    return path


@dataclass
class Stack:
    fleet: FakeFleet
    watch: Watch
    prometheus: str  # http://127.0.0.1:PORT
    app: str  # http://127.0.0.1:PORT of a service instrumented with ctxguard's Go module

    def api(self, path: str, **params: str) -> object:
        url = f"{self.prometheus}/api/v1/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise AssertionError(f"prometheus refuses {params}: {e.read().decode(errors='replace')}") from None
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, object]]:
        data = self.api("query", query=expr)
        assert isinstance(data, dict)
        result: list[dict[str, object]] = data["result"]
        return result

    def alerts(self) -> list[dict[str, Any]]:
        data = self.api("alerts")
        assert isinstance(data, dict)
        alerts: list[dict[str, Any]] = data["alerts"]
        return alerts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def instrumented_service(where: Path) -> Iterator[str]:
    """The lab's cancelmw with ctxguard's Go module (-ctxtrack: census, httpctx, ctxprom's /metrics), leaky,
    with a request every 50 ms for as long as it runs."""
    go = shutil.which("go")
    if go is None:
        pytest.fail("the Go toolchain is needed to build the lab's instrumented service", pytrace=False)
    binary = where / "cancelmw"
    built = subprocess.run(
        [go, "build", "-buildvcs=false", "-o", str(binary), "./cancelmw"], cwd=LAB, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    proc = subprocess.Popen(
        [str(binary), "-addr", "127.0.0.1:0", "-variant", "leaky", "-ctxtrack", "-ctxtrack-max-age", "1s"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    stop = threading.Event()
    try:
        addr = read_address(proc, 20)

        def load() -> None:
            while not stop.wait(0.05):
                with contextlib.suppress(OSError), urllib.request.urlopen(addr + "/items", timeout=2) as r:
                    r.read()

        threading.Thread(target=load, daemon=True).start()
        yield addr
    finally:
        stop.set()
        kill_group(proc)
        if proc.stdout:
            proc.stdout.close()


@contextlib.contextmanager
def live_stack(where: Path) -> Iterator[Stack]:
    """Target 0 leaks (an L3 incident: env prod, 1,200 goroutines a minute), target 1 is healthy, and a third
    target refuses connections (down). Prometheus scrapes the agent, and a service instrumented with ctxguard's
    Go module (the companion row of the board), and evaluates the rules every second."""
    binary = need("prometheus")
    fleet = FakeFleet(leaky=frozenset({0})).start()
    targets = [
        (f"{fleet.base}/t/0", {"service": "svc0", "env": "prod"}),
        (f"{fleet.base}/t/1", {"service": "svc1", "env": "staging"}),
        ("http://127.0.0.1:1", {"service": "gone"}),
    ]
    watch = start_watch(toml_config(where / "data", targets, interval="250ms", window="5s"), where)
    prom = None
    resources = contextlib.ExitStack()
    try:
        app_addr = resources.enter_context(instrumented_service(where))
        port = free_port()
        config = where / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: [{json.dumps(str(DEPLOY / 'prometheus' / 'rules' / '*.rules.yml'))}]\n"
            "scrape_configs:\n"
            f"  - job_name: ctxguard\n    static_configs: [{{targets: [{json.dumps(watch.addr.split('//')[1])}]}}]\n"
            f"  - job_name: cancelmw\n    static_configs: [{{targets: [{json.dumps(app_addr.split('//')[1])}]}}]\n"
        )
        with open(where / "prometheus.log", "wb") as log:  # the child keeps its own descriptor
            prom = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={where / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            if prom is not None and prom.poll() is not None:
                raise AssertionError(f"prometheus exited: {(where / 'prometheus.log').read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/-/ready", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for("prometheus ready", ready, timeout=20, every=0.2)
        wait_for("an incident on the leaking target", lambda: watch.incidents("open"), timeout=30, every=0.2)
        yield Stack(fleet, watch, url, app_addr)
    finally:
        resources.close()
        if prom is not None:
            kill_group(prom)
        watch.stop()
        fleet.shutdown()
