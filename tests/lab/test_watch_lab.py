"""`ctxguard watch` end to end on the leak lab: real services under steady load, a real agent, its dashboard
in a real browser.

- every leaky twin gets one incident, at its trap's line, with an evidence bundle;
- the fixed twins and the healthy zoo get none, however long they are watched;
- the leak fixed (the leaky twin replaced by its fixed twin on the same port): the incident resolves;
- the agent killed with SIGKILL mid-write and restarted: the store opens, nothing is lost,
  the open incident continues (no duplicate), and the CLI lists it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_lab_verdicts import LEAK_LINES

from conftest import Service

from browserkit import browser_page, need_browser, painted
from procs import kill_group
from watchkit import Watch, start_watch, toml_config, wait_for

pytestmark = pytest.mark.lab

LEAKY = ("orphansend", "timeoutworker", "cancelmw")
LOADS = {
    "orphansend": ["-url", "{addr}/profile?id={i}", "-rate", "30", "-timeout", "200ms"],
    "timeoutworker": ["-url", "{addr}/quotes?symbols=AAPL,AMZN,GOOG,MSFT,NVDA", "-rate", "30", "-timeout", "150ms"],
    "cancelmw": ["-url", "{addr}/items", "-rate", "40", "-timeout", "2s"],
    "zoo-mixed": ["-url", "{addr}/pool/work?n={i}", "-rate", "30", "-timeout", "2s"],
    "zoo-keepalive": ["-url", "{addr}/ping", "-rate", "20", "-timeout", "2s", "-idle-conns", "40"],
}
SETTINGS = {
    "interval": "1s",
    "window": "20s",
    "heap_interval": "2s",
    "dump_interval": "4s",
    "resolve_after": "6s",
    "timeout": "5s",
    "trace": "1s",  # on suspicion, once per target
    "trace_interval": "1h",
}


def _load(lab_bin: Path, name: str, addr: str, seconds: float) -> subprocess.Popen[bytes]:
    args = [a.replace("{addr}", addr) for a in LOADS[name]]
    return subprocess.Popen(
        [str(lab_bin / "loadgen"), *args, "-duration", f"{seconds:.0f}s"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_watch_lab(start_service, lab_bin, tmp_path: Path) -> None:
    services = {}
    for trap in LEAKY:
        services[f"{trap}-leaky"] = start_service(trap, "leaky")
        services[f"{trap}-fixed"] = start_service(trap, "fixed")
    services["zoo-mixed"] = start_service("zoo", "fixed", "-service", "mixed")
    services["zoo-keepalive"] = start_service("zoo", "fixed", "-service", "keepalive")
    loads = [
        _load(lab_bin, name.rsplit("-", 1)[0] if name.startswith(LEAKY) else name, s.addr, 180)
        for name, s in services.items()
    ]
    targets = [(s.addr, {"service": name, "env": "prod"}) for name, s in services.items()]
    watch = start_watch(toml_config(tmp_path / "data", targets, **SETTINGS), tmp_path)
    try:
        opened = wait_for(
            "an incident on every leaky twin",
            lambda: (
                (inc := watch.incidents("open"))
                and {i["labels"]["service"] for i in inc} >= {f"{t}-leaky" for t in LEAKY}
                and inc
            ),
            timeout=90,
        )
        by_service = {i["labels"]["service"]: i for i in opened}
        assert set(by_service) == {f"{t}-leaky" for t in LEAKY}, by_service.keys()  # nothing on the healthy
        for trap in LEAKY:
            inc = by_service[f"{trap}-leaky"]
            assert inc["suspect"]["file"].endswith(f"{trap}/leaky.go"), inc
            if LEAK_LINES[trap] is not None:
                assert inc["suspect"]["line"] == LEAK_LINES[trap], inc
            assert inc["level"] in ("L1", "L2", "L3") and inc["evidence"]["words"]
        # the evidence bundle, captured as the incident opened
        bundle = Path(wait_for("a bundle", lambda: watch.incidents("open")[0]["bundle"], timeout=20))
        assert {"goroutine-debug2.txt", "heap.pb.gz", "report.json", "report.html", "incident.json"} <= {
            p.name for p in bundle.iterdir()
        }
        assert json.loads((bundle / "report.json").read_text())["verdict"]["verdict"] in ("leaking", "suspect")
        # the trace taken on suspicion, in the orphaned sender's bundle: its `go` statement leads the
        # goroutines created and never ended, and the suspect carries that evidence
        oid = by_service["orphansend-leaky"]["id"]
        traced = Path(wait_for("orphansend's bundle", lambda: _incident(watch, oid)["bundle"], timeout=20))
        assert (traced / "trace.out").stat().st_size > 0, sorted(p.name for p in traced.iterdir())
        report = json.loads((traced / "report.json").read_text())
        top = next(s for s in report["trace"]["creation_sites"] if s["file"])
        assert top["file"].endswith("orphansend/leaky.go") and top["alive_at_end"] > 0, top
        assert any("the execution trace saw" in r for r in report["suspects"][0]["reasons"]), report["suspects"][0]
        assert "ctxguard_traces_total" in watch.metrics()

        _dashboard(watch, services, Path(os.environ.get("CTXGUARD_SCREENSHOTS") or tmp_path / "screenshots"))

        metrics = watch.metrics()
        leaky_url = services["orphansend-leaky"].addr
        assert f'ctxguard_target_up{{target="{leaky_url}"}} 1.0' in metrics
        assert f'ctxguard_target_incident_level{{target="{leaky_url}"}}' in metrics
        assert "ctxguard_scrape_lag_seconds_bucket" in metrics

        # kill -9 mid-run, restart: the store opens, the incidents continue (no duplicates)
        os.killpg(watch.proc.pid, signal.SIGKILL)
        watch.proc.wait(timeout=10)
        before = {i["id"] for i in json.loads(_cli("incidents", "--config", str(watch.config), "--format", "json"))}
        watch = start_watch(watch.config.read_text(), tmp_path, name="watch")
        time.sleep(8)
        after = watch.incidents()
        assert {i["id"] for i in after} == before, "the restarted agent must continue, not reopen"

        # the leak fixed: the leaky orphansend replaced by its fixed twin on the same address
        old = services["orphansend-leaky"]
        old.stop()
        port = old.addr.rsplit(":", 1)[1]
        fixed = start_service("orphansend", "fixed", "-addr", f"127.0.0.1:{port}")
        loads.append(_load(lab_bin, "orphansend", fixed.addr, 120))
        wait_for(
            "the incident resolved after the fix",
            lambda: any(i["id"] == oid and i["state"] == "resolved" for i in watch.incidents()),
            timeout=60,
        )
        # the healthy stayed healthy for the whole run
        assert {i["labels"]["service"] for i in watch.incidents()} == {f"{t}-leaky" for t in LEAKY}
        shown = _cli("incident", str(oid), "--config", str(watch.config))
        assert "resolved" in shown and "orphansend/leaky.go:21" in shown
    finally:
        for p in loads:
            kill_group(p)
        watch.stop()


def _incident(watch: Watch, incident_id: object) -> dict[str, object]:
    return next(i for i in watch.incidents() if i["id"] == incident_id)


def _dashboard(watch: Watch, services: dict[str, Service], shots: Path) -> None:
    """The dashboard over the lab in a real browser: on the fleet page the leaky twins are leaking and
    nothing else is; a target's plots are drawn; its incident shows the trap line."""
    need_browser()
    dialogs: list[str] = []
    console: list[str] = []
    shots.mkdir(parents=True, exist_ok=True)
    leaky = {f"{t}-leaky" for t in LEAKY}
    with browser_page(dialogs, console) as page:
        page.goto(watch.addr + "/")
        assert page.locator("tr.target").count() == len(services)
        for name in services:
            shown = page.locator("tr.target", has_text=f"service={name}").first.locator(".verdict").inner_text()
            assert (shown == "leaking") == (name in leaky), (name, shown)
        page.screenshot(path=str(shots / "lab-fleet.png"), full_page=True)
        page.locator("tr.target", has_text="service=orphansend-leaky").first.locator("a.target-link").click()
        page.wait_for_url("**/targets/*")
        painted(page, "#plot-goroutines canvas")
        page.screenshot(path=str(shots / "lab-target.png"), full_page=True)
        page.locator("table.incidents a", has_text="#").first.click()
        page.wait_for_url("**/incidents/*")
        assert page.locator("#trap").inner_text().endswith("orphansend/leaky.go:21")
        page.screenshot(path=str(shots / "lab-incident.png"), full_page=True)
    assert dialogs == [] and not [c for c in console if "error" in c.lower()], (dialogs, console)


def _cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "ctxguard", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout
