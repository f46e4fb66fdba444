"""`ctxguard watch` against a fleet with misbehaving targets (lab/cmd/fakepprof): hangs, a slow drip,
a 200 MB answer, garbage, 500s, connection resets and a slow-but-good target, among good ones.

Each costs only its own slot: the good targets keep their schedule, the bad ones are reported
down with the right kind of failure, the agent's memory stays bounded, and only the leaky
targets get incidents.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from procs import kill_group, read_address
from watchkit import start_watch, toml_config, wait_for

pytestmark = pytest.mark.lab

GOOD = 24
LEAKY = 2
BAD = {
    "hang": "timeout",
    "drip": "timeout",
    "huge": "too-large",
    "garbage": "decode",
    "500": "http",
    "reset": "connection",
}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_misbehaving_targets_cost_only_their_slot(lab_bin: Path, tmp_path: Path) -> None:
    fake = subprocess.Popen(
        [str(lab_bin / "fakepprof"), "-targets", str(GOOD), "-leaky", str(LEAKY), "-leak-rate", "900"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    watch = None
    try:
        base = read_address(fake, 15)
        targets = [(f"{base}/t/{i}", {"service": f"good{i}", "env": "prod"}) for i in range(GOOD)]
        targets += [(f"{base}/bad/{mode}", {"service": mode, "env": "prod"}) for mode in [*BAD, "slow"]]
        cfg = toml_config(
            tmp_path / "data",
            targets,
            interval="1s",
            window="20s",
            timeout="4s",
            max_body="8MB",
            heap_interval="5s",
            dump_interval="5s",
        )
        watch = start_watch(cfg, tmp_path)
        started = time.monotonic()
        peak = 0.0
        while time.monotonic() - started < 25:
            peak = max(peak, _rss_mb(watch.proc.pid))
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        rows = {r["labels"]["service"]: r for r in watch.api("/api/targets")}  # type: ignore[union-attr,index]
        for i in range(GOOD):
            r = rows[f"good{i}"]
            assert r["up"] and r["errors"] == 0, r
            # the schedule held: at least 80% of the rounds an interval of 1 s allows
            assert r["rounds"] >= 0.8 * (elapsed - 2), (r, elapsed)
        for mode, kind in BAD.items():
            r = rows[mode]
            assert not r["up"] and r["error_kind"] == kind and r["rounds"] == 0, r
        assert rows["slow"]["up"] and rows["slow"]["rounds"] >= 3, rows["slow"]  # slow but good: still watched
        assert peak < 400, f"agent RSS peaked at {peak:.0f} MB"
        opened = wait_for("incidents on the leaky targets", lambda: watch.incidents("open"), timeout=30)  # type: ignore[union-attr]
        assert {i["labels"]["service"] for i in opened} == {f"good{i}" for i in range(LEAKY)}
        assert all(i["suspect"]["file"] == "/src/quotesvc/quotes.go" and i["suspect"]["line"] == 48 for i in opened)
        metrics = watch.metrics()
        assert 'ctxguard_scrape_failures_total{kind="too-large"}' in metrics
        assert f'ctxguard_target_up{{target="{base}/bad/hang"}} 0.0' in metrics
    finally:
        if watch is not None:
            watch.stop()
        kill_group(fake)
