"""ctxguard lint against the bare tree-sitter parse and `go vet -lostcancel`, side by side.

    python bench/lint_bench.py ~/src/etcd ~/src/prometheus ~/src/moby [--no-vet] [--repeat 3]

For each checkout (none is committed here) it measures, in one run:
  parse  the bare tree-sitter parse of every file ctxguard would lint, in a
         process pool of the same size;
  lint   `ctxguard lint` with every rule (a subprocess: wall time and peak RSS
         of the whole process tree);
  vet    `go vet -lostcancel ./...` in every module of the checkout, with a
         cold build cache and again warm (modules are downloaded first, untimed).
Ratios are what to compare: this machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ctxguard.gosrc import GoParser
from ctxguard.lint.discovery import Discovery, PackageUnit, discover
from ctxguard.lint.modules import import_graph

from measure import run


def _parse_batch(paths: list[str]) -> int:
    parser = GoParser()
    nodes = 0
    for p in paths:
        with open(p, "rb") as fh:
            nodes += parser.parse(fh.read()).root_node.end_byte
    return nodes


def bare_parse(files: list[str], jobs: int) -> float:
    batches = [files[i : i + 32] for i in range(0, len(files), 32)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sum(pool.map(_parse_batch, batches))
    return time.perf_counter() - start


def startup(ctxguard: str) -> float:
    """The fixed cost of a run (interpreter, imports, configuration): the best of three lints of
    one empty file, the same for every checkout."""
    with tempfile.TemporaryDirectory() as d:
        Path(d, "a.go").write_text("package a\n")
        return min(run([ctxguard, "lint", "--isolated", "--no-cache", "--no-progress", d]).wall_s for _ in range(3))


def go_modules(repo: Path) -> list[Path]:
    mods = []
    for gomod in sorted(repo.rglob("go.mod")):
        rel = gomod.relative_to(repo).parts
        if any(p in ("vendor", "testdata", "node_modules") or p.startswith((".", "_")) for p in rel[:-1]):
            continue
        mods.append(gomod.parent)
    return mods


def vet(repo: Path) -> dict[str, float]:
    """go vet -lostcancel over every module: cold (empty GOCACHE) then warm."""
    cold = warm = 0.0
    peak = 0.0
    findings = 0
    env = {"GOTOOLCHAIN": "local"}
    for mod in go_modules(repo):
        if not (mod / "vendor").is_dir():
            subprocess.run(["go", "mod", "download"], cwd=mod, env={**os.environ, **env}, capture_output=True)
        cache = tempfile.mkdtemp(prefix="gocache.")
        try:
            r = run(["go", "vet", "-lostcancel", "./..."], cwd=str(mod), env={**env, "GOCACHE": cache})
            if r.returncode not in (0, 1) or "matched no packages" in r.stderr:
                print(f"  go vet skipped {mod}: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            elif r.returncode == 1 and ": " not in r.stderr:
                sys.exit(f"go vet failed in {mod}: {r.stderr.strip()[:500]}")
            print(f"  go vet {mod.relative_to(repo)}: {r.wall_s:.1f}s cold", file=sys.stderr, flush=True)
            cold += r.wall_s
            peak = max(peak, r.peak_rss_mb)
            findings += sum(1 for line in r.stderr.splitlines() if "cancel" in line and ".go:" in line)
            warm += run(["go", "vet", "-lostcancel", "./..."], cwd=str(mod), env={**env, "GOCACHE": cache}).wall_s
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return {"vet_cold_s": cold, "vet_warm_s": warm, "vet_peak_mb": peak, "vet_findings": findings}


def incremental(ctxguard: str, repo: Path, units: list[PackageUnit], jobs: int) -> dict[str, object]:
    """Warm re-run of an unchanged tree, then how many packages are analysed again after an edit
    of the leaf package with the most importers: a comment (its facts stay: that package alone)
    and a new function sending on a channel parameter (CG105's facts change: its importers too)."""
    graph = import_graph(units, {})
    importers = Counter(d for deps in graph.deps for d in deps)
    leaves = [i for i in range(len(units)) if not graph.deps[i] and importers[i]]
    if not leaves:
        return {}
    leaf = max(leaves, key=lambda i: (importers[i], -i))
    target = Path(units[leaf].files[0])
    original = target.read_bytes()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CTXGUARD_CACHE_DIR": cache}
        cmd = [ctxguard, "lint", "--no-progress", "-f", "json", "-j", str(jobs), str(repo)]

        def analysed() -> tuple[int, float]:
            done = run(cmd, env=env)
            report = json.loads(done.stdout)
            return report["summary"]["packages"] - report["summary"]["cached_packages"], done.wall_s

        analysed()  # fill the cache
        _, warm_s = analysed()
        try:
            target.write_bytes(original + b"\n// touched by ctxguard's lint_bench\n")
            comment, _ = analysed()
            target.write_bytes(original + b"\nfunc CtxguardBenchTouch(ch chan int) { ch <- 1 }\n")
            facts, _ = analysed()
        finally:
            target.write_bytes(original)
    return {
        "warm_s": round(warm_s, 2),
        "leaf": str(target.parent.relative_to(repo)),
        "leaf_importers": importers[leaf],
        "touch_comment": comment,
        "touch_facts": facts,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repos", nargs="+", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-vet", action="store_true", help="skip go vet (it needs every module downloaded)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the parse and the lint; the best of each counts")
    ap.add_argument(
        "--incremental",
        action="store_true",
        help="also time a warm re-run and the re-runs after touching the leaf package most imported "
        "(a comment, then a new function that changes its facts); the file is restored after",
    )
    args = ap.parse_args()
    ctxguard = str(Path(sys.executable).with_name("ctxguard"))
    start_s = startup(ctxguard)
    print(f"start-up (lint of one empty file): {start_s:.2f}s", file=sys.stderr)
    rows = []
    for repo in args.repos:
        # what the default run lints: no test code
        units = [u for u in discover([str(repo)], Discovery(include_tests=False)) if not u.test_support]
        files = [f for u in units for f in u.files]
        size_mb = sum(os.path.getsize(f) for f in files) / 1e6
        # the best of --repeat runs of each, alternating: the least disturbed by the machine's noise
        parse_s = float("inf")
        lint = None
        for _ in range(args.repeat):
            parse_s = min(parse_s, bare_parse(files, args.jobs))
            cmd = [ctxguard, "lint", "--no-cache", "--no-progress", "-f", "json", "-j", str(args.jobs), str(repo)]
            again = run(cmd)
            lint = again if lint is None or again.wall_s < lint.wall_s else lint
        assert lint is not None
        if lint.returncode not in (0, 1):
            sys.exit(f"ctxguard failed on {repo}: {lint.stderr.strip()}")
        report = json.loads(lint.stdout)
        codes = Counter(f["code"] for f in report["findings"])
        row: dict[str, object] = {
            "repo": repo.name,
            "files": len(files),
            "mb": round(size_mb, 1),
            "parse_s": round(parse_s, 2),
            "lint_s": round(lint.wall_s, 2),
            "lint_over_parse": round(lint.wall_s / parse_s, 2),
            # what the package model and the rules cost, without the interpreter's fixed start-up
            "work_over_parse": round((lint.wall_s - start_s) / parse_s, 2),
            "lint_peak_mb": round(lint.peak_rss_mb),
            "findings": dict(sorted(codes.items())),
        }
        if args.incremental:
            row.update(incremental(ctxguard, repo, units, args.jobs))
        if not args.no_vet:
            v = vet(repo)
            row.update({k: round(x, 2) for k, x in v.items()})
            row["vet_cold_over_lint"] = round(v["vet_cold_s"] / lint.wall_s, 1)
            row["vet_warm_over_lint"] = round(v["vet_warm_s"] / lint.wall_s, 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    cols = [
        ("repo", "repo"),
        ("files", "files"),
        ("parse_s", "parse s"),
        ("lint_s", "lint s"),
        ("lint_over_parse", "lint/parse"),
        ("work_over_parse", "(lint-start)/parse"),
        ("lint_peak_mb", "lint MB"),
        ("warm_s", "warm s"),
        ("touch_comment", "re-analysed (comment)"),
        ("touch_facts", "re-analysed (facts)"),
        ("vet_cold_s", "vet cold s"),
        ("vet_warm_s", "vet warm s"),
        ("vet_cold_over_lint", "vet cold/lint"),
        ("vet_warm_over_lint", "vet warm/lint"),
        ("vet_peak_mb", "vet MB"),
    ]
    print(" | ".join(h for _, h in cols))
    for r in rows:
        print(" | ".join(str(r.get(k, "-")) for k, _ in cols))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
