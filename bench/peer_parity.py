"""How much of the peers' own test expectations ctxguard reproduces, rule by rule.

    python bench/peer_parity.py --peers ~/src/peers [--details] [--only noctx,revive] [--json out.json]

`--peers` is a directory holding checkouts of the peer linters (none is committed
here): noctx, fatcontext, containedctx, contextcheck, go-tools (staticcheck) and
revive; each is looked up under a few usual names (`noctx`, `sonatard/noctx`,
`sonatard+noctx`, a Go module cache directory `noctx@v0.1.0`, ...).

For every peer check mapped to a ctxguard rule it reads the peer's expectations
from its testdata, in the peer's own notation:

  want   go/analysis `// want "regexp"` (analysistest; facts such as
         `// want package:"..."` are not diagnostics and are skipped)
  diag   staticcheck `//@ diag(`text`)` notes (x/tools expect syntax)
  match  revive `// MATCH /text/` and `// MATCH:N /text/` comment lines

then runs `ctxguard lint --select CODES --format json` on the same files (with
testdata, generated files and test code included and a throw-away result cache) and
compares by line: an expectation is matched when ctxguard reports one of the
mapped codes on the same line of the same file (messages are not compared:
the wording differs by design). Columns:

  expected  the peer's diagnostics for that check
  matched   of those, reported by ctxguard on the same line
  missed    expected - matched
  near      of the missed, those with an extra ctxguard finding within three lines (another anchor line)
  extra     ctxguard findings on lines where the peer expects nothing
  dup       further ctxguard findings on a line beyond the peer's count there
  ratio     matched / expected

A row whose ctxguard column names a setting after the codes (noctx's `CG202
report-everywhere`) runs the same check again with a ctxguard option that takes
the peer's stance (noctx reports calls with no context in scope; CG202's default
needs one): it is left out of the total, where the row with ctxguard's defaults
counts.

`--details` lists every missed and extra line with the peer's pattern, the
source line, ctxguard's message and the nearest finding/expectation within
three lines (a different anchor line is the usual reason for a miss).
Exit status: 0, 1 if ctxguard failed on some case, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ctxguard.gosrc.parse import GoParser, matches
from ctxguard.lint.expect import go_string
from ctxguard.rules import BY_CODE

NEAR = 3  # lines either side searched for a nearby counterpart in --details


@dataclass(frozen=True)
class Peer:
    name: str  # short name used in the table and by --only
    repo: str  # owner/name on GitHub
    extra_names: tuple[str, ...] = ()  # more globs to try below --peers (module cache layouts)

    def candidates(self) -> list[str]:
        owner, name = self.repo.split("/")
        return [name, self.repo, f"{owner}+{name}", f"{name}@*", *self.extra_names]


@dataclass(frozen=True)
class Case:
    peer: Peer
    check: str  # the peer's check name
    codes: tuple[str, ...]  # ctxguard codes whose findings count
    paths: tuple[str, ...]  # files or directories, relative to the checkout
    style: str  # want | diag | match
    variant: str = "default"  # the peer configuration these expectations assume
    kinds: tuple[tuple[str, str], ...] = ()  # (label, regexp on the peer's pattern) for the breakdown
    # ctxguard options emulating the variant: (code, option, values), used when the rule has that option
    options: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # a ctxguard setting (not a peer variant) taking the peer's stance, shown in the ctxguard column:
    # such a row repeats a check measured with ctxguard's defaults and is left out of the total
    stance: str = ""

    @property
    def ctxguard(self) -> str:
        codes = ",".join(self.codes)
        return f"{codes} {self.stance}" if self.stance else codes


@dataclass(frozen=True)
class Skip:
    peer: Peer
    what: str
    why: str


NOCTX = Peer("noctx", "sonatard/noctx")
FATCONTEXT = Peer("fatcontext", "Crocmagnon/fatcontext")
CONTAINEDCTX = Peer("containedctx", "sivchari/containedctx")
CONTEXTCHECK = Peer("contextcheck", "kkHAIKE/contextcheck")
STATICCHECK = Peer("staticcheck", "dominikh/go-tools", ("staticcheck", "tools@*"))
REVIVE = Peer("revive", "mgechev/revive")
PEERS = (NOCTX, FATCONTEXT, CONTAINEDCTX, CONTEXTCHECK, STATICCHECK, REVIVE)

FAT = "pkg/analyzer/testdata/src"
FAT_KINDS = (("loop", r"in loop"), ("function literal", r"function literal"), ("struct pointer", r"struct pointer"))

NOCTX_KINDS = (
    ("database/sql", r"database/sql"),
    ("net/http/httptest", r"httptest"),
    ("net/http", r"net/http"),
    ("crypto/tls", r"crypto/tls"),
    ("os/exec", r"os/exec"),
    ("net", r"^net\\?\."),
)

CASES: tuple[Case, ...] = (
    Case(NOCTX, "noctx", ("CG202",), ("testdata/src",), "want", kinds=NOCTX_KINDS),
    # noctx reports every call, context in scope or not: CG202 does with report-everywhere
    Case(
        NOCTX,
        "noctx",
        ("CG202",),
        ("testdata/src",),
        "want",
        kinds=NOCTX_KINDS,
        options=(("CG202", "report-everywhere", ("*",)),),
        stance="report-everywhere",
    ),
    Case(
        FATCONTEXT,
        "fatcontext",
        ("CG304",),
        (f"{FAT}/common", f"{FAT}/no_structpointer", f"{FAT}/cgo", f"{FAT}/suggestedfix"),
        "want",
        kinds=FAT_KINDS,
    ),
    Case(
        FATCONTEXT,
        "fatcontext",
        ("CG304",),
        (f"{FAT}/structpointer",),
        "want",
        variant="-check-struct-pointers",
        kinds=FAT_KINDS,
    ),
    Case(CONTAINEDCTX, "containedctx", ("CG303",), ("testdata/src",), "want"),
    Case(
        CONTEXTCHECK,
        "contextcheck",
        ("CG201", "CG202"),
        ("testdata/src",),
        "want",
        kinds=(("non-inherited new context", r"Non-inherited"), ("should pass the context", r"should pass")),
    ),
    Case(STATICCHECK, "SA1012", ("CG204",), ("staticcheck/sa1012/testdata",), "diag"),
    Case(
        STATICCHECK,
        "SA1029",
        ("CG301",),
        ("staticcheck/sa1029/testdata",),
        "diag",
        kinds=(("built-in type", r"built-in"), ("not comparable", r"comparable"), ("empty struct", r"empty")),
    ),
    Case(REVIVE, "context-as-argument", ("CG203",), ("testdata/context_as_argument_default.go",), "match"),
    Case(
        REVIVE,
        "context-as-argument",
        ("CG203",),
        ("testdata/context_as_argument.go",),
        "match",
        variant="allowTypesBefore",
        options=(
            (
                "CG203",
                "allow-types-before",
                ("AllowedBeforeType", "AllowedBeforeStruct", "*AllowedBeforePtrStruct", "*testing.T"),
            ),
        ),
    ),
    Case(REVIVE, "context-keys-type", ("CG301",), ("testdata/golint/context_keys_type.go",), "match"),
)

SKIPS: tuple[Skip, ...] = (
    Skip(FATCONTEXT, f"{FAT}/no_loops", "asserts -check-loops=false (loop findings switched off)"),
    Skip(FATCONTEXT, f"{FAT}/no_function_literals", "asserts -check-function-literals=false"),
)


# ---------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expectation:
    path: Path
    line: int
    pattern: str
    kind: str = ""


@dataclass(frozen=True)
class Comment:
    line: int  # 1-based line of the comment's start
    end_line: int
    start_byte: int
    end_byte: int
    text: str


def comments(source: bytes, parser: GoParser) -> list[Comment]:
    tree = parser.parse(source)
    out = []
    for _, caps in matches("(comment) @c", tree.root_node):
        for n in caps["c"]:
            text = source[n.start_byte : n.end_byte].decode("utf-8", "replace")
            out.append(Comment(n.start_point[0] + 1, n.end_point[0] + 1, n.start_byte, n.end_byte, text))
    return sorted(set(out), key=lambda c: c.start_byte)


def _strip_markers(text: str) -> str:
    return text[2:-2] if text.startswith("/*") else text[2:]


def want_expectations(path: Path, cs: list[Comment]) -> Iterable[Expectation]:
    """analysistest: `// want "rx" ...`; `name:"fact"` entries are facts, not diagnostics."""
    for c in cs:
        body = _strip_markers(c.text).strip()
        if not re.match(r"want\b", body):
            continue
        rest, pos = body[4:], 0
        while True:
            while pos < len(rest) and rest[pos].isspace():
                pos += 1
            fact = re.match(r"\w+:", rest[pos:])
            if fact:
                pos += fact.end()
            if pos >= len(rest) or rest[pos] not in '"`':
                break
            value, pos = go_string(rest, pos)
            if not fact:
                yield Expectation(path, c.line, value)


_DIAG = re.compile(r"\bdiag\(\s*(re)?(`[^`]*`|\"(?:[^\"\\]|\\.)*\")")


def diag_expectations(path: Path, cs: list[Comment]) -> Iterable[Expectation]:
    """staticcheck: `//@ diag(`text`)` or `//@ diag(re`rx`)`, several notes per comment."""
    for c in cs:
        body = _strip_markers(c.text)
        if not body.startswith("@"):
            continue
        for m in _DIAG.finditer(body):
            value, _ = go_string(m.group(2), 0)
            yield Expectation(path, c.line, value)


def match_expectations(path: Path, cs: list[Comment], source: bytes) -> Iterable[Expectation]:
    """revive: `MATCH /text/` or `MATCH:N /text/` lines of a comment group (go/ast grouping:
    comments separated only by whitespace with at most one newline; the group's first line applies)."""
    groups: list[list[Comment]] = []
    for c in cs:
        if groups:
            prev = groups[-1][-1]
            gap = source[prev.end_byte : c.start_byte]
            if not gap.strip() and gap.count(b"\n") <= 1:
                groups[-1].append(c)
                continue
        groups.append([c])
    for g in groups:
        ln = g[0].line
        for c in g:
            for raw in _strip_markers(c.text).split("\n"):
                line = raw.strip()
                if not line or line.startswith(("#", "ignore")):
                    continue
                if line.startswith("json"):
                    doc = json.loads(line.removeprefix("json:"))
                    yield Expectation(path, ln, str(doc.get("Match") or doc.get("MATCH") or ""))
                    continue
                if "MATCH" not in line:
                    continue
                a, b = line.find("/"), line.rfind("/")
                if a < 0 or a == b:
                    continue
                at = re.search(r"MATCH:(\d+)", line)
                yield Expectation(path, int(at.group(1)) if at else ln, line[a + 1 : b])


def go_files(root: Path, rels: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for rel in rels:
        p = root / rel
        if p.is_file():
            out.append(p.resolve())
        elif p.is_dir():
            out.extend(sorted(f.resolve() for f in p.rglob("*.go")))
        else:
            raise FileNotFoundError(f"{rel} not found in {root}")
    return out


def read_expectations(case: Case, files: list[Path], parser: GoParser) -> list[Expectation]:
    out: list[Expectation] = []
    for f in files:
        source = f.read_bytes()
        cs = comments(source, parser)
        if case.style == "want":
            found = want_expectations(f, cs)
        elif case.style == "diag":
            found = diag_expectations(f, cs)
        else:
            found = match_expectations(f, cs, source)
        out.extend(Expectation(e.path, e.line, e.pattern, kind_of(case, e.pattern)) for e in found)
    return out


def kind_of(case: Case, pattern: str) -> str:
    for label, rx in case.kinds:
        if re.search(rx, pattern):
            return label
    return "other" if case.kinds else ""


# ---------------------------------------------------------------- ctxguard


@dataclass(frozen=True)
class Hit:
    path: Path
    line: int
    code: str
    message: str


def config_for(case: Case) -> tuple[str, list[str]]:
    """The `.ctxguard.toml` text for a case, and the notes on variant options ctxguard lacks."""
    lines, notes = ["[lint]"], []
    for code, name, values in case.options:
        rule = BY_CODE.get(code)
        if rule is None or name not in rule.options:
            notes.append(f"{code} has no option {name}: ctxguard ran with its defaults")
            continue
        lines += [f"[lint.options.{code}]", f"{name} = {json.dumps(list(values))}"]
    return "\n".join(lines) + "\n", notes


def run_ctxguard(ctxguard: list[str], root: Path, case: Case) -> tuple[list[Hit], int]:
    """Findings of the case's codes, and how many files ctxguard linted.

    ctxguard runs in a scratch directory holding its own `.ctxguard.toml` (no configuration of the
    surroundings applies; the variant's options when ctxguard has them) and a scratch result cache
    (never a result of an earlier rule version).
    """
    with tempfile.TemporaryDirectory(prefix="peer-parity-") as scratch:
        (Path(scratch) / ".ctxguard.toml").write_text(config_for(case)[0])
        env = {**os.environ, "CTXGUARD_CACHE_DIR": str(Path(scratch) / "cache")}
        cmd = [
            *ctxguard,
            "lint",
            "--select",
            ",".join(case.codes),
            "--format",
            "json",
            "--include-testdata",
            "--include-generated",
            "--include-tests",  # peers' cases may import "testing" (revive's do): they are inputs all the same
            "--no-progress",
            "--exit-zero",
            *(str(root / p) for p in case.paths),
        ]
        proc = subprocess.run(cmd, cwd=scratch, capture_output=True, text=True, env=env, timeout=600)
        here = Path(scratch).resolve()
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"ctxguard exited {proc.returncode}: {last}")
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"ctxguard printed no JSON ({e})") from None
    hits = [
        Hit(Path(os.path.normpath(here / f["path"])), int(f["line"]), f["code"], f["message"])
        for f in doc["findings"]
        if f["code"] in case.codes
    ]
    return hits, int(doc.get("summary", {}).get("files", -1))


# ---------------------------------------------------------------- comparison


@dataclass
class Result:
    case: Case
    root: Path | None = None
    error: str = ""
    expected: int = 0
    matched: int = 0
    extra: int = 0
    dup: int = 0
    files: int = 0
    linted: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [expected, matched]
    missed_rows: list[tuple[Expectation, list[Hit]]] = field(default_factory=list)
    extra_rows: list[tuple[Hit, list[Expectation]]] = field(default_factory=list)
    dup_rows: list[Hit] = field(default_factory=list)

    @property
    def missed(self) -> int:
        return self.expected - self.matched

    @property
    def near(self) -> int:
        unmatched = {id(h) for h, _ in self.extra_rows} | {id(h) for h in self.dup_rows}
        return sum(1 for _, hits in self.missed_rows if any(id(h) in unmatched for h in hits))


def compare(res: Result, wants: list[Expectation], hits: list[Hit]) -> None:
    by_line_w: dict[tuple[Path, int], list[Expectation]] = defaultdict(list)
    by_line_h: dict[tuple[Path, int], list[Hit]] = defaultdict(list)
    for w in wants:
        by_line_w[(w.path, w.line)].append(w)
    for h in hits:
        by_line_h[(h.path, h.line)].append(h)
    res.expected = len(wants)
    for w in wants:
        res.by_kind.setdefault(w.kind, [0, 0])[0] += 1
    for key in sorted(set(by_line_w) | set(by_line_h), key=lambda k: (str(k[0]), k[1])):
        ws, hs = by_line_w.get(key, []), by_line_h.get(key, [])
        n = min(len(ws), len(hs))
        res.matched += n
        for w in ws[:n]:
            res.by_kind[w.kind][1] += 1
        path, line = key
        for w in ws[n:]:
            near_h = [h for h in hits if h.path == path and 0 < abs(h.line - line) <= NEAR]
            res.missed_rows.append((w, near_h))
        if not ws:
            res.extra += len(hs)
            for h in hs:
                near_w = [x for x in wants if x.path == path and 0 < abs(x.line - line) <= NEAR]
                res.extra_rows.append((h, near_w))
        else:
            res.dup += len(hs) - n
            res.dup_rows.extend(hs[n:])


def find_checkout(peers: Path, peer: Peer) -> Path | None:
    for pattern in peer.candidates():
        found = sorted(p for p in peers.glob(pattern) if p.is_dir())
        if found:
            return found[-1]
    return None


def evaluate(case: Case, peers: Path, ctxguard: list[str], parser: GoParser) -> Result:
    res = Result(case)
    root = find_checkout(peers, case.peer)
    if root is None:
        res.error = f"no checkout (looked for {', '.join(case.peer.candidates())})"
        return res
    res.root = root
    try:
        files = go_files(root, case.paths)
        wants = read_expectations(case, files, parser)
        hits, res.linted = run_ctxguard(ctxguard, root, case)
    except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
        res.error = str(e)
        return res
    res.files = len(files)
    compare(res, wants, hits)
    return res


# ---------------------------------------------------------------- output


def ratio(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def table(results: list[Result]) -> str:
    head = ["peer", "check", "variant", "ctxguard", "expected", "matched", "missed", "near", "extra", "dup", "ratio"]
    rows: list[list[str]] = []
    for r in results:
        c = r.case
        lead = [c.peer.name, c.check, c.variant, c.ctxguard]
        if r.error:
            rows.append([*lead, "error", "", "", "", "", "", ""])
            continue
        nums = [r.expected, r.matched, r.missed, r.near, r.extra, r.dup]
        rows.append([*lead, *map(str, nums), ratio(r.matched, r.expected)])
    ok = [r for r in results if not r.error and not r.case.stance]
    tot = [sum(getattr(r, k) for r in ok) for k in ("expected", "matched", "missed", "near", "extra", "dup")]
    rows.append(["total", "", "", "", *map(str, tot), ratio(tot[1], tot[0])])
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    num = set(range(4, len(head)))

    def fmt(cells: list[str]) -> str:
        out = [s.rjust(w) if i in num else s.ljust(w) for i, (s, w) in enumerate(zip(cells, widths, strict=True))]
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in num else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(head), sep, *(fmt(x) for x in rows)])


def source_line(path: Path, line: int) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return text if len(text) <= 100 else text[:97] + "..."


def details(r: Result) -> str:
    c = r.case
    out = [f"## {c.peer.name} {c.check} ({c.variant}) -> {c.ctxguard}"]
    if r.error:
        return "\n".join([*out, f"  error: {r.error}", ""])
    root = r.root
    assert root is not None

    def rel(p: Path) -> str:
        return str(p.relative_to(root)) if p.is_relative_to(root) else str(p)

    out.append(f"  checkout {r.root}; {r.files} .go files read, ctxguard linted {r.linted}")
    for code, name, values in c.options:
        how = "the peer's stance taken" if c.stance else "variant emulated"
        out.append(f"  {how} with {code} {name} = {list(values)}")
    out.extend(f"  NOTE {n}" for n in config_for(c)[1])
    if r.files != r.linted:
        out.append("  WARNING: ctxguard did not lint the same number of files as the peer's testdata holds")
    if len(r.by_kind) > 1 or "" not in r.by_kind:
        for kind, (e, m) in sorted(r.by_kind.items()):
            out.append(f"  kind {kind or '-'}: {m}/{e} matched")
    for w, near in r.missed_rows:
        out.append(f"  MISSED {rel(w.path)}:{w.line}: peer wants /{w.pattern}/")
        out.append(f"         | {source_line(w.path, w.line)}")
        for h in near:
            out.append(f"         near: ctxguard {h.code} at line {h.line}: {h.message}")
    for h, near_w in r.extra_rows:
        out.append(f"  EXTRA  {rel(h.path)}:{h.line}: {h.code} {h.message}")
        out.append(f"         | {source_line(h.path, h.line)}")
        for w in near_w:
            out.append(f"         near: peer wants /{w.pattern}/ at line {w.line}")
    for h in r.dup_rows:
        out.append(f"  DUP    {rel(h.path)}:{h.line}: {h.code} {h.message}")
    if not (r.missed_rows or r.extra_rows or r.dup_rows):
        out.append("  (no differences)")
    out.append("")
    return "\n".join(out)


def as_json(results: list[Result]) -> list[dict[str, object]]:
    docs: list[dict[str, object]] = []
    for r in results:
        c = r.case
        docs.append(
            {
                "peer": c.peer.name,
                "check": c.check,
                "variant": c.variant,
                "codes": list(c.codes),
                "stance": c.stance or None,
                "error": r.error or None,
                "expected": r.expected,
                "matched": r.matched,
                "missed": r.missed,
                "near": r.near,
                "extra": r.extra,
                "dup": r.dup,
                "by_kind": {k: {"expected": e, "matched": m} for k, (e, m) in r.by_kind.items()},
                "missed_lines": [{"path": str(w.path), "line": w.line, "pattern": w.pattern} for w, _ in r.missed_rows],
                "extra_lines": [
                    {"path": str(h.path), "line": h.line, "code": h.code, "message": h.message} for h, _ in r.extra_rows
                ],
            }
        )
    return docs


# ---------------------------------------------------------------- main


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"peer_parity: error: {message}\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--peers", required=True, type=Path, help="directory holding the peers' checkouts")
    ap.add_argument("--details", action="store_true", help="list every missed and extra line")
    ap.add_argument("--only", default="", help="comma-separated peer names: " + ",".join(p.name for p in PEERS))
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON here")
    ap.add_argument(
        "--ctxguard",
        default="",
        help="the ctxguard command (default: this interpreter's `-m ctxguard`)",
    )
    args = ap.parse_args(argv)
    if not args.peers.is_dir():
        ap.error(f"--peers {args.peers}: not a directory")
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {p.name for p in PEERS}
    if unknown:
        ap.error(f"--only: unknown peer(s) {', '.join(sorted(unknown))}")
    ctxguard = args.ctxguard.split() if args.ctxguard else [sys.executable, "-m", "ctxguard"]

    cases = [c for c in CASES if not only or c.peer.name in only]
    parser = GoParser()
    results = [evaluate(c, args.peers.resolve(), ctxguard, parser) for c in cases]
    if all(r.root is None for r in results):
        ap.error(f"--peers {args.peers}: none of the peers' checkouts is there")

    print(table(results))
    if any(r.case.stance for r in results):
        print("rows with a ctxguard setting after the codes take the peer's stance; the total leaves them out")
    for r in results:
        if r.error:
            print(f"error: {r.case.peer.name} {r.case.check} ({r.case.variant}): {r.error}")
    for s in SKIPS:
        if not only or s.peer.name in only:
            print(f"skipped: {s.peer.name} {s.what}: {s.why}")
    kinds = [
        f"{r.case.peer.name} {r.case.check}{' (' + r.case.stance + ')' if r.case.stance else ''}: "
        + ", ".join(f"{k} {m}/{e}" for k, (e, m) in sorted(r.by_kind.items()))
        for r in results
        if not r.error and len(r.by_kind) > 1
    ]
    if kinds:
        print("matched by kind of expectation: " + "; ".join(kinds))
    if args.details:
        print()
        for r in results:
            print(details(r))
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2) + "\n")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
