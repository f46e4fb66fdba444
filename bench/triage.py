"""Re-measure the precision of ctxguard's default rules the same way every time.

    python bench/triage.py sample --seed 7 --total 40 -o sheet.md ~/src/moby ~/src/etcd ~/src/prometheus
    python bench/triage.py score sheet.md [more.md ...] [--at ~/src/moby ~/src/etcd ...]
    python bench/triage.py sample --select CG201 --match 'makes its own context' -o cross.md ~/src/moby ...

`sample` lints each checkout with the default rules (as a new user would, no
cache, no configuration), draws a seeded random sample stratified per rule
(every rule gets an equal share, up to its number of findings; the rest of
the total is drawn at random from what is left), and writes a triage sheet:
each finding with the code around it and a `verdict:` line to fill in with
one of

- REAL: a maintainer would want it fixed;
- DEBATABLE: the pattern is there, but it is harmless in practice;
- FALSE: the analyzer is wrong.

`score` reads filled sheets and prints, per rule and overall, the counts,
REAL/(REAL+FALSE) and REAL/all; with `--at CHECKOUT...` it lints them again and
scores, too, only the entries the current code still reports (after a fix, a
FALSE finding drops out; a re-score is not a fresh triage: the code was tuned
on those findings). The reviewer who fills the sheet should not
be the author of the rules; the sheet names other people's code, so keep it
out of this repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

VERDICTS = ("REAL", "DEBATABLE", "FALSE")
CONTEXT_LINES = 8
_ENTRY = re.compile(r"^## (\d+)\. (CG\d+) ")
_VERDICT = re.compile(r"^verdict:\s*(\w*)", re.I)


def lint(checkout: Path, select: str | None = None) -> list[dict[str, object]]:
    ctxguard = str(Path(sys.executable).with_name("ctxguard"))
    proc = subprocess.run(
        [ctxguard, "lint", "--isolated", "--no-cache", "-f", "json", *(["--select", select] if select else []), "."],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        sys.exit(f"{checkout}: ctxguard lint exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    findings = json.loads(proc.stdout)["findings"]
    for f in findings:
        f["repo"] = checkout.name
        f["abspath"] = str(checkout / str(f["path"]))
    return list(findings)


def draw(findings: list[dict[str, object]], total: int, seed: int) -> list[dict[str, object]]:
    """Stratified per rule: an equal share each (or all a rule has), the rest at random."""
    rnd = random.Random(seed)
    by_rule: dict[str, list[dict[str, object]]] = defaultdict(list)
    for f in sorted(findings, key=lambda f: (str(f["code"]), str(f["repo"]), str(f["path"]), int(str(f["line"])))):
        by_rule[str(f["code"])].append(f)
    share = max(1, total // max(1, len(by_rule)))
    picked: list[dict[str, object]] = []
    rest: list[dict[str, object]] = []
    for code in sorted(by_rule):
        pool = by_rule[code][:]
        rnd.shuffle(pool)
        picked += pool[:share]
        rest += pool[share:]
    rnd.shuffle(rest)
    picked += rest[: max(0, total - len(picked))]
    return picked[:total] if len(picked) > total else picked


def excerpt(path: str, line: int) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError as e:
        return f"(cannot read {path}: {e.strerror})"
    lo, hi = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    return "\n".join(f"{'>' if n == line else ' '}{n:5d}  {lines[n - 1]}" for n in range(lo, hi + 1))


def write_sheet(sample: list[dict[str, object]], out: Path, seed: int, population: Counter[str]) -> None:
    head = [
        "# ctxguard triage sheet",
        "",
        f"Seed {seed}; {len(sample)} findings drawn from {sum(population.values())} default findings "
        f"({', '.join(f'{c} {n}' for c, n in sorted(population.items()))}).",
        "",
        "Fill each `verdict:` with REAL (a maintainer would want it fixed), DEBATABLE (the pattern is",
        "there, harmless in practice) or FALSE (the analyzer is wrong), and say why in one line.",
        "",
    ]
    body = []
    for i, f in enumerate(sample, 1):
        line = int(str(f["line"]))
        body += [
            f"## {i}. {f['code']} {f['repo']}/{f['path']}:{line}",
            "",
            f"{f['message']}",
            "",
            "```go",
            excerpt(str(f["abspath"]), line),
            "```",
            "",
            "verdict: ",
            "why: ",
            "",
        ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(head + body))


def read_verdicts(sheet: Path) -> list[tuple[str, str, str]]:
    """(code, `repo/path:line`, verdict) of each filled entry of a sheet."""
    entries: list[tuple[str, str, str]] = []
    code = where = ""
    for raw in sheet.read_text().splitlines():
        m = _ENTRY.match(raw)
        if m:
            code, where = m.group(2), raw[m.end() :].strip()
            continue
        v = _VERDICT.match(raw)
        if v and code:
            verdict = v.group(1).upper()
            if verdict not in VERDICTS:
                sys.exit(f"{sheet}: {code} {where}: verdict {v.group(1)!r} is not one of {', '.join(VERDICTS)}")
            entries.append((code, where, verdict))
            code = ""
    if not entries:
        sys.exit(f"{sheet}: no filled verdicts")
    return entries


def table(title: str, entries: list[tuple[str, str, str]]) -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for code, _, verdict in entries:
        counts[code][verdict] += 1
    total: Counter[str] = Counter()
    print(title)
    print(f"{'rule':<8} {'n':>3} {'real':>5} {'debat':>6} {'false':>6} {'R/(R+F)':>8} {'R/all':>6}")
    for code in [*sorted(counts), "all"]:
        c = total if code == "all" else counts[code]
        if code != "all":
            total.update(c)
        n = sum(c.values())
        rf = c["REAL"] + c["FALSE"]
        precision = f"{c['REAL'] / rf:.0%}" if rf else "-"
        share = f"{c['REAL'] / n:.0%}" if n else "-"
        print(f"{code:<8} {n:>3} {c['REAL']:>5} {c['DEBATABLE']:>6} {c['FALSE']:>6} {precision:>8} {share:>6}")


def score(sheets: list[Path], at: list[Path]) -> None:
    """Per rule and overall, as the sheets were filled; with `at`, also the entries the current
    code still reports on those checkouts (a fixed FALSE finding drops out, its verdict with it)."""
    entries = [e for sheet in sheets for e in read_verdicts(sheet)]
    table(f"as triaged ({len(sheets)} sheet{'s' if len(sheets) > 1 else ''})", entries)
    if not at:
        return
    reported = {(str(f["code"]), f"{f['repo']}/{f['path']}:{f['line']}") for c in at for f in lint(c)}
    kept = [e for e in entries if (e[0], e[1]) in reported]
    print()
    table(f"at this code: {len(kept)} of {len(entries)} still reported", kept)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="lint checkouts and write a triage sheet")
    s.add_argument("checkouts", nargs="+", type=Path)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--total", type=int, default=40)
    s.add_argument("-o", "--output", type=Path, required=True)
    s.add_argument("--select", help="rules to run instead of the defaults (as `ctxguard lint --select`)")
    s.add_argument(
        "--match",
        help="keep only findings whose message matches this regular expression (the cross-function "
        "ones: 'makes its own context|without a context (through|\\()|the send is in|callee may use')",
    )
    c = sub.add_parser("score", help="precision per rule from filled sheets")
    c.add_argument("sheets", nargs="+", type=Path)
    c.add_argument(
        "--at",
        nargs="+",
        type=Path,
        default=[],
        metavar="CHECKOUT",
        help="re-lint these checkouts and also score only the entries still reported",
    )
    args = ap.parse_args()
    if args.cmd == "score":
        score(args.sheets, args.at)
        return
    findings = [f for checkout in args.checkouts for f in lint(checkout, args.select)]
    if args.match:
        keep = re.compile(args.match)
        findings = [f for f in findings if keep.search(str(f["message"]))]
    population = Counter(str(f["code"]) for f in findings)
    sample = draw(findings, args.total, args.seed)
    write_sheet(sample, args.output, args.seed, population)
    print(f"{len(sample)} of {len(findings)} findings written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
