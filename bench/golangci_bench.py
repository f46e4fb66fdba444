"""ctxguard lint against golangci-lint (context linters + govet + staticcheck), cold and warm, side by side.

    python bench/golangci_bench.py ~/src/etcd ~/src/prometheus ~/src/moby [--golangci PATH] [--json out.json]

golangci-lint runs with only govet, contextcheck, noctx, containedctx,
fatcontext and staticcheck enabled (a temporary v2 config, printed at the
start), as `golangci-lint run ./...` in every Go module of the checkout one
after the other, the way a multi-module repository's CI job runs it. Per
checkout, in one run:

  ctxguard cold   `ctxguard lint` over the checkout with an empty --cache-dir
                  (the run also writes the cache);
  ctxguard nocache  the same with --no-cache;
  ctxguard warm   the same again with the filled --cache-dir, unchanged tree
                  (median of --warm-repeats runs);
  golangci cold   `golangci-lint cache clean` and a fresh, empty GOCACHE: what a
                  CI runner without any cache pays (golangci-lint type-checks,
                  so this includes compiling export data for every dependency;
                  modules are already in the module cache, never downloaded);
  golangci warm   the same again, both caches filled, unchanged tree;
  golangci lint-cold/GOCACHE-warm
                  only golangci-lint's cache cleaned, GOCACHE kept: a CI
                  runner that restores the Go build cache but not
                  golangci-lint's.

One GOCACHE and one golangci-lint cache (both temporary, GOLANGCI_LINT_CACHE)
are shared by the modules of a checkout, as in one CI job. If `ctxguard lint`
has no --cache-dir yet, its "warm" is a second uncached run and is labelled
so. Ratios are golangci-lint time over ctxguard time (cold over cold, warm
over warm); compare ratios from one run, this machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_bench import go_modules

from measure import Run, run

LINTERS = ["govet", "contextcheck", "noctx", "containedctx", "fatcontext", "staticcheck"]
# A package-less module (tools.go only, docs) makes golangci-lint fail with one of these.
NO_PACKAGES = ("no go files to analyze", "matched no packages", "build constraints exclude all Go files")


def golangci_config(govet: str) -> str:
    """The v2 config. govet: 'default' (golangci-lint's default analyzer set) or 'lostcancel' (that one only)."""
    lines = [
        'version: "2"',
        "run:",
        "  timeout: 0s",  # no golangci-lint timeout of its own: the harness times out
        "  tests: true",
        "linters:",
        "  default: none",
        "  enable: [" + ", ".join(LINTERS) + "]",
    ]
    if govet == "lostcancel":
        lines += ["  settings:", "    govet:", "      disable-all: true", "      enable: [lostcancel]"]
    lines += [
        "issues:",  # count every finding: no per-linter, per-text or per-line capping
        "  max-issues-per-linter: 0",
        "  max-same-issues: 0",
        "  uniq-by-line: false",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class ModRun:
    module: str
    wall_s: float
    peak_mb: float
    rc: int
    timed_out: bool = False
    skipped: bool = False  # the module has no Go package
    error: str = ""
    findings: Counter[str] = field(default_factory=Counter)


@dataclass
class Pass:
    """One golangci-lint pass over every module of a checkout."""

    name: str
    mods: list[ModRun] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return sum(m.wall_s for m in self.mods)

    @property
    def peak_mb(self) -> float:
        return max((m.peak_mb for m in self.mods), default=0.0)

    @property
    def incomplete(self) -> bool:
        return any(m.timed_out or m.error for m in self.mods)

    @property
    def findings(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for m in self.mods:
            total.update(m.findings)
        return total


def count_golangci(report_path: Path) -> Counter[str]:
    """Findings per linter; govet also per analyzer (govet/lostcancel), from the message prefix."""
    counts: Counter[str] = Counter()
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        return counts
    for issue in report.get("Issues") or []:
        linter = issue.get("FromLinter", "?")
        counts[linter] += 1
        if linter == "govet":
            analyzer = issue.get("Text", "").split(":", 1)[0]
            if analyzer.isidentifier():
                counts[f"govet/{analyzer}"] += 1
    return counts


def golangci_pass(
    name: str, golangci: str, config: Path, repo: Path, mods: list[Path], env: dict[str, str], timeout: float
) -> Pass:
    p = Pass(name)
    out_dir = Path(tempfile.mkdtemp(prefix="golangci-out."))
    try:
        for mod in mods:
            rel = str(mod.relative_to(repo)) or "."
            report = out_dir / (rel.replace("/", "_") + ".json")
            cmd = [golangci, "run", "-c", str(config), "--output.json.path", str(report), "--show-stats=false"]
            r = run([*cmd, "./..."], cwd=str(mod), env=env, timeout=timeout)
            m = ModRun(rel, r.wall_s, r.peak_rss_mb, r.returncode, r.timed_out)
            if r.timed_out:
                m.error = f"timed out after {timeout:.0f} s"
            elif r.returncode not in (0, 1):
                err = r.stderr.strip()
                if any(s in err for s in NO_PACKAGES):
                    m.skipped = True
                else:
                    m.error = (err.splitlines() or [f"exit {r.returncode}"])[-1][:300]
            m.findings = count_golangci(report)
            state = "timeout" if m.timed_out else "no packages" if m.skipped else m.error or "ok"
            print(
                f"  golangci {name:<24} {repo.name}/{rel}: {m.wall_s:7.1f} s {m.peak_mb:6.0f} MB"
                f" rc={m.rc} {sum(v for k, v in m.findings.items() if '/' not in k)} findings [{state}]"
                f" load {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
                flush=True,
            )
            p.mods.append(m)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return p


def golangci_all(
    golangci: str, config: Path, repo: Path, timeout: float, jobs: int | None, workdir: Path
) -> dict[str, Pass]:
    mods = go_modules(repo)
    gocache, lintcache = workdir / "gocache", workdir / "golangci-cache"
    for d in (gocache, lintcache):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    env = {"GOCACHE": str(gocache), "GOLANGCI_LINT_CACHE": str(lintcache), "GOTOOLCHAIN": "local"}
    if jobs:
        env["GOMAXPROCS"] = str(jobs)  # golangci-lint's --concurrency defaults to this

    def clean_lint_cache() -> None:
        subprocess.run([golangci, "cache", "clean"], env={**os.environ, **env}, capture_output=True, check=True)

    clean_lint_cache()
    passes = {"cold": golangci_pass("cold", golangci, config, repo, mods, env, timeout)}
    passes["warm"] = golangci_pass("warm", golangci, config, repo, mods, env, timeout)
    clean_lint_cache()
    passes["lintcold"] = golangci_pass("lint-cold/GOCACHE-warm", golangci, config, repo, mods, env, timeout)
    for d in (gocache, lintcache):
        shutil.rmtree(d, ignore_errors=True)
    return passes


def ctxguard_flags(ctxguard: str) -> set[str]:
    help_text = subprocess.run([ctxguard, "lint", "--help"], capture_output=True, text=True).stdout
    return {f for f in ("--cache-dir", "--no-cache") if f in help_text}


def ctxguard_run(cmd: list[str], timeout: float) -> tuple[Run, Counter[str]]:
    r = run(cmd, timeout=timeout)
    if r.timed_out:
        return r, Counter()
    if r.returncode not in (0, 1):
        sys.exit(f"ctxguard failed ({' '.join(cmd)}): {r.stderr.strip()[-1000:]}")
    return r, Counter(f["code"] for f in json.loads(r.stdout)["findings"])


def ctxguard_all(ctxguard: str, repo: Path, timeout: float, jobs: int | None, repeats: int, workdir: Path) -> dict:
    flags = ctxguard_flags(ctxguard)
    base = [ctxguard, "lint", "--no-progress", "-f", "json", *(["-j", str(jobs)] if jobs else [])]
    cache = workdir / "ctxguard-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cached = "--cache-dir" in flags
    with_cache = [*base, "--cache-dir", str(cache)] if cached else base
    out: dict[str, Any] = {"cache": cached}
    if "--no-cache" in flags:
        nocache, _ = ctxguard_run([*base, "--no-cache", str(repo)], timeout)
        out["nocache"] = nocache
    cold, codes = ctxguard_run([*with_cache, str(repo)], timeout)
    out["cold"], out["findings"] = cold, codes
    warm_runs = []
    for _ in range(max(1, repeats)):
        w, warm_codes = ctxguard_run([*with_cache, str(repo)], timeout)
        warm_runs.append(w)
        if not w.timed_out and warm_codes != codes:
            print(f"  WARNING ctxguard warm findings differ from cold: {warm_codes} vs {codes}", file=sys.stderr)
    out["warm"] = sorted(warm_runs, key=lambda r: r.wall_s)[len(warm_runs) // 2]  # the median run
    out["warm_all_s"] = [round(r.wall_s, 3) for r in warm_runs]
    for k in ("nocache", "cold", "warm"):
        if k in out:
            r = out[k]
            print(
                f"  ctxguard {k:<8} {repo.name}: {r.wall_s:7.2f} s {r.peak_rss_mb:6.0f} MB"
                f" load {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
            )
    shutil.rmtree(cache, ignore_errors=True)
    return out


def fmt_s(seconds: float, lower_bound: bool = False) -> str:
    return (">=" if lower_bound else "") + (f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}")


def ratio(num: float, den: float, lower_bound: bool = False) -> str:
    return (">=" if lower_bound else "") + (f"{num / den:.1f}x" if den > 0 else "-")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repos", nargs="+", type=Path)
    ap.add_argument("--golangci", default=shutil.which("golangci-lint") or "/work/gobin/golangci-lint")
    ap.add_argument("--govet", choices=["default", "lostcancel"], default="default", help="govet analyzers")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool invocation (default 1800)")
    ap.add_argument("-j", "--jobs", type=int, help="workers for both tools (default: each tool's own, the CPUs)")
    ap.add_argument("--warm-repeats", type=int, default=3, help="ctxguard warm runs, the median is reported")
    ap.add_argument("--no-golangci", action="store_true", help="measure ctxguard only")
    ap.add_argument("--workdir", type=Path, help="where the temporary caches go (default: a new temp dir)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    ctxguard = str(Path(sys.executable).with_name("ctxguard"))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="golangci-bench."))
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / ".golangci.yml"
    config.write_text(golangci_config(args.govet))
    version = subprocess.run([args.golangci, "version"], capture_output=True, text=True).stdout.strip()
    go_version = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    cg_version = subprocess.run([ctxguard, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# {version}\n# {go_version}\n# {cg_version}, lint flags: {sorted(ctxguard_flags(ctxguard))}", flush=True)
    print("# golangci-lint config:\n" + "".join("#   " + line + "\n" for line in config.read_text().splitlines()))
    rows: list[dict[str, Any]] = []
    table: list[list[str]] = []
    try:
        for repo in args.repos:
            repo = repo.resolve()
            print(f"== {repo.name}", file=sys.stderr, flush=True)
            cg = ctxguard_all(ctxguard, repo, args.timeout, args.jobs, args.warm_repeats, workdir)
            warm_label = "warm" if cg["cache"] else "warm (uncached: no --cache-dir)"
            row: dict[str, Any] = {
                "repo": repo.name,
                "modules": len(go_modules(repo)),
                "ctxguard_cache": cg["cache"],
                "ctxguard_findings": dict(sorted(cg["findings"].items())),
                "ctxguard_warm_all_s": cg["warm_all_s"],
            }
            for k in ("nocache", "cold", "warm"):
                if k in cg:
                    r = cg[k]
                    row[f"ctxguard_{k}_s"] = round(r.wall_s, 3)
                    row[f"ctxguard_{k}_mb"] = round(r.peak_rss_mb)
                    row[f"ctxguard_{k}_timed_out"] = r.timed_out
            if not args.no_golangci:
                passes = golangci_all(args.golangci, config, repo, args.timeout, args.jobs, workdir)
                row["golangci_findings"] = dict(sorted(passes["cold"].findings.items()))
                for k, p in passes.items():
                    row[f"golangci_{k}_s"] = round(p.wall_s, 2)
                    row[f"golangci_{k}_mb"] = round(p.peak_mb)
                    row[f"golangci_{k}_incomplete"] = p.incomplete
                    row[f"golangci_{k}_modules"] = [
                        {
                            "module": m.module,
                            "s": round(m.wall_s, 2),
                            "mb": round(m.peak_mb),
                            "rc": m.rc,
                            "timed_out": m.timed_out,
                            "skipped": m.skipped,
                            "error": m.error,
                            "findings": sum(v for f, v in m.findings.items() if "/" not in f),
                        }
                        for m in p.mods
                    ]
                    if k != "cold" and p.findings != passes["cold"].findings:
                        row[f"golangci_{k}_findings"] = dict(sorted(p.findings.items()))
                cold, warm = cg["cold"], cg["warm"]
                for label, k, mine in (
                    ("cold", "cold", cold),
                    ("lint-cold/GOCACHE-warm", "lintcold", cold),
                    (warm_label, "warm", warm),
                ):
                    p = passes[k]
                    row[f"ratio_{k}"] = round(p.wall_s / mine.wall_s, 2) if mine.wall_s else None
                    mine_label = "cold" if mine is cold else "warm"
                    table.append(
                        [
                            repo.name,
                            f"{label} (ctxguard {mine_label})",
                            fmt_s(p.wall_s, p.incomplete),
                            str(round(p.peak_mb)),
                            fmt_s(mine.wall_s, mine.timed_out),
                            str(round(mine.peak_rss_mb)),
                            ratio(p.wall_s, mine.wall_s, p.incomplete),
                        ]
                    )
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=2))
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    head = ["repo", "scenario", "golangci s", "golangci MB", "ctxguard s", "ctxguard MB", "golangci/ctxguard"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for t in table:
        print("| " + " | ".join(t) + " |")
    print()
    for r in rows:
        print(
            f"{r['repo']}: ctxguard cold {r['ctxguard_cold_s']} s, nocache {r.get('ctxguard_nocache_s', '-')} s,"
            f" warm {r['ctxguard_warm_s']} s (runs {r['ctxguard_warm_all_s']}, cache={r['ctxguard_cache']});"
            f" findings ctxguard {r['ctxguard_findings']}; golangci {r.get('golangci_findings', '-')}"
        )
        if "ratio_cold" in r:
            cold_ok = r["ratio_cold"] is not None and r["ratio_cold"] >= 20
            print(f"  target cold >= 20x: {'met' if cold_ok else 'NOT met'} ({r['ratio_cold']}x)")
        warm_ok = r["ctxguard_cache"] and r["ctxguard_warm_s"] < 1
        print(f"  target warm < 1 s: {'met' if warm_ok else 'NOT met'} ({r['ctxguard_warm_s']} s)")


if __name__ == "__main__":
    main()
