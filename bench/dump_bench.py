"""A dump of N goroutines (default 1,000,000) from a real Go program, read side by side by
`ctxguard profile`, panicparse (`pp`) and `go tool pprof -traces` on the equivalent profile.

    python bench/dump_bench.py [-n 1000000] [--keep DIR]

The program is testdata/runtime/gen/leaky (bulk goroutines in chan send, chan receive and
select, plus a small leak mix). panicparse is installed with `go install` into a temporary
GOBIN; nothing it brings is kept. Wall time and the peak RSS of each tool's process tree;
ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run

REPO = Path(__file__).resolve().parent.parent
GEN = REPO / "testdata" / "runtime" / "gen"
PANICPARSE = "github.com/maruel/panicparse/v2/cmd/pp@latest"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="keep the generated dump and profile here")
    ap.add_argument("--timeout", type=float, default=600, help="give up on a tool after this many seconds")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="dumpbench."))
    work.mkdir(parents=True, exist_ok=True)
    env = {"GOTOOLCHAIN": "local", "CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}
    gen = work / "leaky"
    subprocess.run(["go", "build", "-o", str(gen), "./leaky"], cwd=GEN, env={**os.environ, **env}, check=True)
    gobin = work / "bin"
    subprocess.run(["go", "install", PANICPARSE], env={**os.environ, **env, "GOBIN": str(gobin)}, check=True)
    dump, profdir = work / "goroutines.txt", work / "profiles"
    common = ["-memprofilerate", "0", "-goroutines", str(args.n), "-depth", "0"]
    made = run([str(gen), *common, "-dump-debug2", str(dump), "-uncapped"])
    print(f"dump: {dump.stat().st_size / 1e6:.0f} MB written in {made.wall_s:.1f}s", file=sys.stderr)
    run([str(gen), *common, "-dump", str(profdir)])
    profile = profdir / "goroutine.pb.gz"

    ctxguard = str(Path(sys.executable).with_name("ctxguard"))
    t = args.timeout
    runs = {
        "ctxguard profile (debug=2 text)": run([ctxguard, "profile", "-f", "json", str(dump)], timeout=t),
        "panicparse pp (debug=2 text)": run(
            ["sh", "-c", f'"{gobin / "pp"}" -parse=false -rebase=false < "{dump}" > /dev/null'], timeout=t
        ),
        "ctxguard profile (pprof proto)": run([ctxguard, "profile", "-f", "json", str(profile)], timeout=t),
        "go tool pprof -traces (pprof proto)": run(
            ["sh", "-c", f'go tool pprof -traces "{profile}" > /dev/null'], timeout=t
        ),
    }
    for name, r in runs.items():
        if r.returncode != 0 and not r.timed_out:
            sys.exit(f"{name} failed: {r.stderr.strip()[:500]}")
    report = json.loads(runs["ctxguard profile (debug=2 text)"].stdout)
    total = report["snapshots"][0]["goroutines"]
    print(f"\ngoroutines read by ctxguard: {total}, groups: {len(report['groups'])}\n")
    print(f"{'tool':<40} {'wall s':>8} {'peak MB':>8}")
    for name, r in runs.items():
        note = f"  (gave up after {t:.0f}s)" if r.timed_out else ""
        print(f"{name:<40} {r.wall_s:8.2f} {r.peak_rss_mb:8.0f}{note}")
    text_ratio = runs["panicparse pp (debug=2 text)"].wall_s / runs["ctxguard profile (debug=2 text)"].wall_s
    proto_ratio = runs["go tool pprof -traces (pprof proto)"].wall_s / runs["ctxguard profile (pprof proto)"].wall_s
    more = " (at least: panicparse gave up)" if runs["panicparse pp (debug=2 text)"].timed_out else ""
    print(f"\npanicparse / ctxguard on the text dump: {text_ratio:.2f}x{more}")
    print(f"go tool pprof / ctxguard on the profile: {proto_ratio:.2f}x")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
