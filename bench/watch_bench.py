"""`ctxguard watch` over a simulated fleet, against a bare scrape loop, side by side.

    python bench/watch_bench.py [--targets 1000] [--interval 30s] [--duration 300] [--json out.json]

One fake pprof server (lab/cmd/fakepprof, built here; a few of its targets leak)
serves every target on loopback, listed in a Prometheus file_sd file. Two
watchers run one after the other on the same fleet for the same time:

  bare   what a user would write instead: an httpx loop that fetches every target's
         goroutine?debug=1 on the same interval and throws the body away (no decode,
         no store, no verdict): the floor of any scraper in Python;
  watch  `ctxguard watch` with its defaults (heap every 5 min, debug=2 only when a
         stack grows, SQLite store).

Reported: CPU in cores (user+system over the measured part, after the first
round), the ratio of the two, scrape lag p50/p99 (how late rounds start against
their schedule, sampled from the agent's API), peak RSS, the store's growth
extrapolated to bytes per target per day, and the incidents opened (exactly the
leaky targets, if the verdicts hold). The machine is noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LISTENING = re.compile(rb"listening on (http://127\.0\.0\.1:\d+)")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _banner(proc: subprocess.Popen[bytes], timeout: float = 60) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = LISTENING.search(line)
        if m:
            return m.group(1).decode()
        if not line and proc.poll() is not None:
            break
    raise SystemExit(f"no 'listening on' line from {proc.args}")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


BARE = """
import asyncio, sys, time, httpx
urls = sys.argv[2:]
interval = float(sys.argv[1])
async def one(c, u, phase):
    await asyncio.sleep(phase)
    due = time.monotonic()
    while True:
        try:
            (await c.get(u + "/debug/pprof/goroutine?debug=1")).read()
        except httpx.HTTPError:
            pass
        due += interval
        await asyncio.sleep(max(0, due - time.monotonic()))
async def main():
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=32)) as c:
        print("listening on http://127.0.0.1:0", flush=True)
        await asyncio.gather(*(one(c, u, interval * i / len(urls) * 0.1) for i, u in enumerate(urls)))
asyncio.run(main())
"""


def measure(proc: subprocess.Popen[bytes], warmup: float, duration: float, sample=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    time.sleep(warmup)
    cpu0, t0 = _cpu_s(proc.pid), time.monotonic()
    peak = 0.0
    lags: list[float] = []
    while time.monotonic() - t0 < duration:
        peak = max(peak, _rss_mb(proc.pid))
        if sample is not None:
            lags.extend(sample())
        time.sleep(5)
    cpu = (_cpu_s(proc.pid) - cpu0) / (time.monotonic() - t0)
    return {
        "cores": round(cpu, 3),
        "peak_mb": round(peak, 1),
        "lag_p50": _percentile(lags, 0.5),
        "lag_p99": _percentile(lags, 0.99),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--leaky", type=int, default=5)
    ap.add_argument("--interval", default="30s")
    ap.add_argument("--duration", type=float, default=300.0, help="measured seconds per watcher")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    interval = float(args.interval.rstrip("s"))
    work = Path(tempfile.mkdtemp(prefix="watch-bench-"))
    subprocess.run(["go", "build", "-o", str(work), "./cmd/fakepprof"], cwd=REPO / "lab", check=True)
    fake = subprocess.Popen(
        [str(work / "fakepprof"), "-targets", str(args.targets), "-leaky", str(args.leaky), "-leak-rate", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    procs = [fake]
    try:
        base = _banner(fake)
        host = base.split("://", 1)[1]
        groups = [
            {"targets": [host], "labels": {"__metrics_path__": f"/t/{i}", "service": f"svc{i}", "env": "prod"}}
            for i in range(args.targets)
        ]
        (work / "targets.json").write_text(json.dumps(groups))
        warmup = interval + 5  # the first round of every target, spread over the interval
        figures: dict[str, dict[str, float]] = {}

        bare = subprocess.Popen(
            [sys.executable, "-c", BARE, str(interval), *(f"{base}/t/{i}" for i in range(args.targets))],
            stdout=subprocess.PIPE,
        )
        procs.append(bare)
        _banner(bare)
        figures["bare"] = measure(bare, warmup, args.duration)
        bare.terminate()
        bare.wait()

        (work / "watch.toml").write_text(
            f'data-dir = "{work / "data"}"\nlisten = "127.0.0.1:0"\ninterval = "{args.interval}"\n'
            f'[[file_sd]]\nfiles = ["{work / "targets.json"}"]\n'
        )
        watch = subprocess.Popen(
            [sys.executable, "-m", "ctxguard", "watch", "--config", str(work / "watch.toml")],
            stdout=subprocess.PIPE,
            stderr=open(work / "watch.stderr", "wb"),  # noqa: SIM115 - lives as long as the process
        )
        procs.append(watch)
        api = _banner(watch)

        def lags() -> list[float]:
            with urllib.request.urlopen(api + "/api/targets", timeout=30) as r:
                return [t["lag_seconds"] for t in json.loads(r.read()) if t["rounds"]]

        def store_bytes() -> int:
            with urllib.request.urlopen(api + "/metrics", timeout=30) as r:
                m = re.search(rb"^ctxguard_store_size_bytes (\S+)$", r.read(), re.M)
            return int(float(m.group(1))) if m else 0

        time.sleep(warmup)
        size0, t0 = store_bytes(), time.monotonic()
        figures["watch"] = measure(watch, 0, args.duration, lags)
        size1, t1 = store_bytes(), time.monotonic()
        per_day = (size1 - size0) / args.targets / (t1 - t0) * 86400
        with urllib.request.urlopen(api + "/api/incidents?state=open", timeout=30) as r:
            opened = sorted({i["labels"]["service"] for i in json.loads(r.read())})
        figures["watch"]["store_bytes_per_target_day"] = round(per_day)
        figures["watch"]["incidents_on"] = len(opened)  # type: ignore[assignment]
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
    ratio = figures["watch"]["cores"] / figures["bare"]["cores"] if figures["bare"]["cores"] else float("inf")
    print(f"{args.targets} targets every {args.interval}, {args.duration:.0f} s measured each")
    print(f"{'':8}{'cores':>8}{'peak MB':>10}{'lag p50 s':>11}{'lag p99 s':>11}")
    for name, f in figures.items():
        print(f"{name:8}{f['cores']:>8.3f}{f['peak_mb']:>10.0f}{f['lag_p50']:>11.3f}{f['lag_p99']:>11.3f}")
    print(f"watch/bare CPU: {ratio:.1f}x")
    print(f"store growth: {figures['watch']['store_bytes_per_target_day'] / 1e6:.2f} MB per target per day")
    print(f"incidents opened on {opened} (leaky: svc0..svc{args.leaky - 1})")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "ratio": ratio, "incidents": opened}, indent=2))


if __name__ == "__main__":
    main()
