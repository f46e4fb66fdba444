"""ctxguard's Python trace reader against golang.org/x/exp/trace and `go tool trace`, side by side.

    python bench/trace_bench.py [--mb 100] [--rate 10] [--toolchain local] [--cache-dir DIR] [--fresh] [--json out.json]

A ~100 MB execution trace is written by bench/tracegen (goroutine churn from
several `go` statements plus a trickle of leaked goroutines, paced to --rate MB
of trace per second so that it spans several generations) and kept in
--cache-dir (default /tmp/ctxguard-trace-bench, keyed by Go version, size, rate
and the generator's source) for the next run. Then, on the same file:

  (a) python   ctxguard.runtime.trace.lifetimes.read_lifetimes, in a subprocess
               (interpreter start-up included);
  (b) x-exp    testdata/runtime/trace/gen/truth, golang.org/x/exp/trace counting
               goroutines created/ended/alive per creation site (built beforehand);
  (c) go tool  `go tool trace -d=parsed` (the trace tool's binary, built beforehand),
               which prints every event, to /dev/null; given up after --timeout.

Wall seconds, MB/s of trace and peak RSS (the kernel's ru_maxrss of the process
and its descendants, from wait4; never below this script's own ~20 MB, which a
child has until it execs), and the ratios python/x-exp. (a) and (b) must
agree on created/ended/alive per site: exit status 1 when they do not. The
machine is noisy: compare ratios from one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TRACEGEN = REPO / "bench" / "tracegen"
TRUTH = REPO / "testdata" / "runtime" / "trace" / "gen" / "truth"

# The Python side, in its own process so that its peak RSS is its own.
READER = """
import json, sys, time
from ctxguard.runtime.trace.lifetimes import read_lifetimes
t = time.perf_counter()
r = read_lifetimes(sys.argv[1])
read_s = time.perf_counter() - t
sites = [
    {"function": s.function, "file": s.file, "line": s.line,
     "created": s.created, "ended": s.ended, "alive_at_end": s.alive_at_end}
    for s in r.sites
]
json.dump({"sites": sites, "generations": r.generations, "truncated": r.truncated,
           "go_version": r.go_version, "read_s": read_s}, sys.stdout)
"""


@dataclass(frozen=True)
class Timed:
    wall_s: float
    peak_rss_mb: float  # ru_maxrss of the process and its waited-for descendants
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def timed(cmd: list[str], timeout: float, keep_stdout: bool = True, env: dict[str, str] | None = None) -> Timed:
    """Run cmd; wall time and peak RSS from wait4. stdout is kept (in a temp file) or sent to /dev/null."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdout=out if keep_stdout else subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the whole tree

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Timed(
            wall,
            usage.ru_maxrss / 1024,  # KiB on Linux
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            fired.is_set(),
        )


def go_env(toolchain: str) -> dict[str, str]:
    return {"GOTOOLCHAIN": toolchain, "CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}


def go(args: list[str], cwd: Path, toolchain: str) -> str:
    done = subprocess.run(
        ["go", *args], cwd=cwd, env={**os.environ, **go_env(toolchain)}, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"go {' '.join(args)} failed in {cwd}: {done.stderr.strip()[:800]}")
    return done.stdout.strip()


def stress_trace(args: argparse.Namespace, work: Path) -> tuple[Path, str, str]:
    """The cached trace for this Go version, size and generator source: (path, Go version, how obtained)."""
    version = go(["env", "GOVERSION"], TRACEGEN, args.toolchain)
    src = hashlib.sha256(b"".join((TRACEGEN / n).read_bytes() for n in ("go.mod", "main.go"))).hexdigest()[:10]
    cache = Path(args.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"stress-{version}-{args.mb:g}MB-{args.rate:g}MBps-{src}.trace"
    if path.exists() and not args.fresh:
        return path, version, "cached"
    gen = work / "tracegen"
    go(["build", "-o", str(gen), "."], TRACEGEN, args.toolchain)
    partial = path.with_suffix(".partial")
    r = timed([str(gen), "-o", str(partial), "-mb", str(args.mb), "-rate", str(args.rate)], timeout=args.timeout)
    if r.returncode != 0:
        sys.exit(f"tracegen failed: {r.stderr.strip()[:800]}")
    partial.replace(path)
    print(r.stderr.strip(), file=sys.stderr, flush=True)
    return path, version, f"written in {r.wall_s:.1f}s"


Site = tuple[str, str, int]
Counts = dict[Site, tuple[int, int, int]]


def per_site(report: dict[str, Any]) -> Counts:
    return {
        (s["function"], s["file"], s["line"]): (s["created"], s["ended"], s["alive_at_end"]) for s in report["sites"]
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=100, help="size of the stress trace in MB (default 100)")
    ap.add_argument(
        "--rate", type=float, default=10, help="MB of trace per second the generator aims for (0: no pacing)"
    )
    ap.add_argument("--toolchain", default="local", help="GOTOOLCHAIN for the generator and the Go tools")
    ap.add_argument("--cache-dir", default="/tmp/ctxguard-trace-bench", help="where the stress trace is kept")
    ap.add_argument("--fresh", action="store_true", help="write the stress trace again even if it is cached")
    ap.add_argument("--timeout", type=float, default=600, help="give up on a tool after this many seconds")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="tracebench.") as tmp:
        work = Path(tmp)
        trace, version, how = stress_trace(args, work)
        mb = trace.stat().st_size / 1e6
        truth = work / "truth"
        go(["build", "-o", str(truth), "."], TRUTH, args.toolchain)
        trace_tool = go(["tool", "-n", "trace"], TRACEGEN, args.toolchain)  # builds it if need be, untimed
        t = args.timeout
        runs = {
            "python": timed([sys.executable, "-c", READER, str(trace)], t),
            "x-exp": timed([str(truth), str(trace)], t),
            "go tool": timed([trace_tool, "-d=parsed", str(trace)], t, keep_stdout=False),
        }
    for name in ("python", "x-exp"):
        r = runs[name]
        if r.timed_out or r.returncode != 0:
            why = f"gave up after {t:.0f}s" if r.timed_out else r.stderr.strip()[-800:]
            sys.exit(f"{name} failed: {why}")
    py = json.loads(runs["python"].stdout)
    have, want = per_site(py), per_site(json.loads(runs["x-exp"].stdout))
    differ = sorted(k for k in have.keys() | want.keys() if have.get(k) != want.get(k))

    created = sum(c for c, _, _ in want.values())
    alive = sum(a for _, _, a in want.values())
    print(f"\ntrace: {trace} ({mb:.1f} MB, {version}, {py['generations']} generations; {how})")
    print(f"goroutines: {created:,} created, {alive:,} alive at the end, {len(want)} creation sites")
    print(f"\n{'tool':<44} {'wall s':>8} {'MB/s':>7} {'peak MB':>8}")
    labels = {
        "python": "(a) ctxguard read_lifetimes (Python)",
        "x-exp": "(b) golang.org/x/exp/trace per-site count",
        "go tool": "(c) go tool trace -d=parsed > /dev/null",
    }
    for name, r in runs.items():
        note = f"  (gave up after {t:.0f}s)" if r.timed_out else ""
        if r.returncode != 0 and not r.timed_out:
            note = f"  (failed: exit {r.returncode})"
        ge = ">=" if r.timed_out else ""
        print(f"{labels[name]:<44} {ge + f'{r.wall_s:.2f}':>8} {mb / r.wall_s:7.1f} {r.peak_rss_mb:8.0f}{note}")
    a, b = runs["python"], runs["x-exp"]
    wall_ratio, rss_ratio = a.wall_s / b.wall_s, a.peak_rss_mb / b.peak_rss_mb
    print(f"\n(a) of which reading (no interpreter start-up): {py['read_s']:.2f}s")
    print(f"python / x-exp: {wall_ratio:.2f}x the wall time, {rss_ratio:.2f}x the peak RSS")
    leaks = sorted(want.items(), key=lambda kv: -kv[1][2])[:4]
    print("most alive at the end: " + ", ".join(f"{fn} line {ln}: {c[2]}" for (fn, _, ln), c in leaks))
    if differ:
        print(f"\n(a) and (b) DISAGREE on {len(differ)} sites (created, ended, alive):")
        for k in differ:
            print(f"  {k[0]} {k[1]}:{k[2]}  python {have.get(k)}  x-exp {want.get(k)}")
    else:
        print(f"(a) and (b) agree on created/ended/alive at every one of the {len(want)} sites")
    if args.json:
        figures = {
            name: {
                "wall_s": round(r.wall_s, 3),
                "mb_per_s": round(mb / r.wall_s, 2),
                "peak_rss_mb": round(r.peak_rss_mb, 1),
                "timed_out": r.timed_out,
                "returncode": r.returncode,
            }
            for name, r in runs.items()
        }
        report = {
            "trace": str(trace),
            "trace_mb": round(mb, 2),
            "go_version": version,
            "generations": py["generations"],
            "goroutines_created": created,
            "alive_at_end": alive,
            "sites": len(want),
            "figures": figures,
            "python_read_s": round(py["read_s"], 3),
            "python_over_x_exp_wall": round(wall_ratio, 3),
            "python_over_x_exp_rss": round(rss_ratio, 3),
            "agree": not differ,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
