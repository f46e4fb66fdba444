"""The leak lab (lab/): every trap leaks in its leaky variant and not in its
fixed twin, measured on the running services through net/http/pprof.

Also checks what the static analyzer will rely on: the `// want "CGnnn"`
annotations sit only in leaky.go files, the twins differ only in the lines
that matter, and the Go code is gofmt'ed and vet-clean except for the
deliberate leaks.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

N = 200  # requests per load run
SETTLE = 1.0  # seconds between the end of the load and the measurement
BACK_TO_BASELINE = 5.0  # how long the fixed twin may take to get back to baseline
RATIO = 10  # leaky growth must be at least RATIO times the fixed growth
TOLERANCE = {"goroutines": 3, "context_objects": 25}


@dataclass(frozen=True)
class Trap:
    name: str  # directory under lab/ and binary name
    path: str  # request path; {i} becomes the request number
    metric: str  # "goroutines" or "context_objects" (live objects allocated by package context)
    method: str = "GET"
    body: str = ""
    timeout: str = "200ms"  # client timeout: shorter than the slow path where there is one
    sites: tuple[str, ...] = ()  # allocation sites whose live objects must grow too
    fast: tuple[str, ...] = ()  # flags that make the slow path fast, for the happy-path test
    ok_path: str = ""  # request for the happy-path test (default: path with i=1)


TRAPS = [
    # 1. the worker sends without watching ctx.Done(): blocks after the handler's 100ms budget
    Trap(
        "timeoutworker",
        "/quotes?symbols=AAPL,AMZN,GOOG,MSFT,NVDA",
        "goroutines",
        timeout="150ms",
        ok_path="/quotes?symbols=AAPL",
    ),
    # 2. the sender of a 300ms legacy lookup is orphaned by the handler's 50ms budget
    Trap("orphansend", "/profile?id={i}", "goroutines", fast=("-lookup-time", "1ms")),
    # 3. one cancelCtx per request stays in the lifetime context's children
    Trap("cancelmw", "/items", "context_objects", timeout="2s"),
    # 4. every request's pinned *sql.Conn is hung on a long-lived context
    Trap(
        "ctxvalue",
        "/cart/add?cart=c{i}&item=i{i}",
        "context_objects",
        method="POST",
        timeout="2s",
        sites=("database/sql.(*DB).Conn",),  # the *sql.Conn values
    ),
    # 5. the audit's timeout context is thrown away; the audit DB hangs for an hour
    Trap("deferctx", "/upload?id={i}", "goroutines", method="POST", body="blob {i}", fast=("-audit-delay", "1ms")),
    # 6. the consumer's ctx grows by one link per job, and each job's cancel is deferred in the loop
    Trap("ctxloop", "/jobs?id={i}", "context_objects", method="POST", timeout="2s"),
    # 7. database and pricing calls without the request's context (300ms DB, 1 minute pricing)
    Trap("reqcut", "/checkout?order={i}", "goroutines", fast=("-db-delay", "1ms", "-pricing-delay", "1ms")),
    # 7b. gRPC backend called with context.Background() (1 minute per call)
    Trap("grpccut", "/reserve?sku=sku-{i}", "goroutines", method="POST", fast=("-inventory-delay", "1ms")),
]
KNOWN_CODES = {f"CG{n}" for n in (101, 102, 103, 104, 105, 201, 202, 203, 204, 301, 302, 303, 304)}


def metric(svc, trap: Trap) -> tuple[int, dict[str, int]]:
    if trap.metric == "goroutines":
        return svc.goroutines(), {}
    heap = svc.heap(trap.sites)
    return heap.context_objects, heap.by_site


def load(loadgen, svc, trap: Trap) -> dict:
    args = ["-url", svc.addr + trap.path, "-n", str(N), "-timeout", trap.timeout, "-method", trap.method]
    if trap.body:
        args += ["-body", trap.body]
    summary = loadgen(*args)
    assert summary["requests"] == N, summary
    assert summary["errors"] == 0, f"{svc.name} -variant {svc.variant}: load failed: {summary}"
    return summary


@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t.name)
def test_leaky_grows_fixed_does_not(trap, start_service, loadgen, figure):
    """Same load on both twins: the leaky one keeps >= 10x what the fixed one keeps."""
    seen = {}
    for variant in ("leaky", "fixed"):
        svc = start_service(trap.name, variant)
        before, sites_before = metric(svc, trap)
        summary = load(loadgen, svc, trap)
        time.sleep(SETTLE)
        after, sites_after = metric(svc, trap)
        seen[variant] = (before, after, sites_before, sites_after, summary)

        if variant == "leaky":
            svc.stop()  # nothing more to learn from it; free the machine
            continue
        # The fixed twin must come back to where it started.
        deadline = time.monotonic() + BACK_TO_BASELINE
        now = after
        while now > before + TOLERANCE[trap.metric] and time.monotonic() < deadline:
            time.sleep(0.2)
            now, _ = metric(svc, trap)
        assert now <= before + TOLERANCE[trap.metric], (
            f"{trap.name} fixed: {trap.metric} {before} before the load, still {now} "
            f"{BACK_TO_BASELINE + SETTLE:.0f}s after it\n{svc.goroutine_dump()[:4000]}"
        )

    lb, la, lsb, lsa, lsum = seen["leaky"]
    fb, fa, fsb, fsa, fsum = seen["fixed"]
    leaky_growth, fixed_growth = la - lb, fa - fb
    site_growth = {site: (lsa[site] - lsb[site], fsa[site] - fsb[site]) for site in trap.sites}
    figure(
        f"{trap.name:14s} {trap.metric:16s} leaky {lb:5d} -> {la:5d} (+{leaky_growth})   "
        f"fixed {fb:5d} -> {fa:5d} ({fixed_growth:+d})   [{N} requests, client timeout {trap.timeout}]"
        + "".join(
            f"\n{'':14s} live objects allocated in {site}: leaky +{gl}, fixed {gf:+d}"
            for site, (gl, gf) in site_growth.items()
        )
    )
    assert leaky_growth >= RATIO * max(fixed_growth, 1), (
        f"{trap.name}: leaky grew by {leaky_growth} {trap.metric}, fixed by {fixed_growth}: "
        f"expected at least {RATIO}x\nleaky load: {json.dumps(lsum)}\nfixed load: {json.dumps(fsum)}"
    )
    # Each leaky request leaves something behind, not just a handful.
    assert leaky_growth >= N // 2, f"{trap.name}: leaky grew by only {leaky_growth} {trap.metric} for {N} requests"
    for site, (gl, gf) in site_growth.items():
        assert gl >= N // 2 and gl >= RATIO * max(gf, 1), f"{site}: leaky +{gl}, fixed {gf:+d}"


@pytest.mark.parametrize("variant", ["leaky", "fixed"])
@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t.name)
def test_happy_path(trap, variant, start_service, loadgen):
    """With a fast downstream both twins answer the same way: they differ only in the leak."""
    svc = start_service(trap.name, variant, *trap.fast)
    path = (trap.ok_path or trap.path).replace("{i}", "1")
    summary = loadgen(
        "-url",
        svc.addr + path,
        "-n",
        "3",
        "-timeout",
        "5s",
        "-method",
        trap.method,
        *(["-body", trap.body] if trap.body else []),
    )
    assert summary["responses"] == 3 and list(summary["status"]) == ["200" if trap.name != "deferctx" else "201"], (
        summary
    )


BINARIES = [t.name for t in TRAPS]


@pytest.mark.parametrize("name", BINARIES)
def test_service_contract(name, lab_bin, start_service):
    """Banner on stdout, pprof and expvar on the same loopback port, clean exit on SIGTERM."""
    svc = start_service(name, "fixed")
    assert svc.addr.startswith("http://127.0.0.1:")
    assert svc.goroutines() > 0
    heap = svc.heap()
    assert heap.memstats.get("HeapObjects", 0) > 0 and heap.context_objects >= 0
    assert "memstats" in json.loads(svc.get("/debug/vars"))
    svc.proc.send_signal(signal.SIGTERM)
    assert svc.proc.wait(timeout=10) == 0


@pytest.mark.parametrize("flags", [["-variant", "bogus"], ["-addr", "0.0.0.0:0"]], ids=["bad-variant", "non-loopback"])
def test_service_refuses_bad_flags(flags, lab_bin):
    proc = subprocess.run([str(lab_bin / "cancelmw"), *flags], capture_output=True, text=True, timeout=10)
    assert proc.returncode != 0
    assert "listening on" not in proc.stdout


def test_loadgen_refuses_non_loopback(lab_bin):
    # Refused before any request is made: no name lookup, no traffic.
    proc = subprocess.run(
        [str(lab_bin / "loadgen"), "-url", "http://example.invalid/", "-n", "1"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert proc.returncode == 2
    assert "not a loopback host" in proc.stderr


SAMPLE_HEAP = """heap profile: 4: 400 [9: 900] @ heap/2
3: 240 [5: 400] @ 0x1 0x2
#\t0x1\tcontext.withCancel+0x25\t/go/src/context/context.go:237
#\t0x2\tmain.leakyScope.func1+0x4b\t/lab/cancelmw/leaky.go:13

1: 64 [1: 64] @ 0x3 0x4
#\t0x3\tinternal/sync.runtime_SemacquireMutex+0x3\t/go/src/runtime/sema.go:95
#\t0x4\tcontext.(*cancelCtx).propagateCancel+0x9\t/go/src/context/context.go:470

2: 96 [2: 96] @ 0x5
#\t0x5\tdatabase/sql.(*DB).Conn+0x84\t\t/go/src/database/sql/sql.go:1958

0: 0 [1: 32] @ 0x6
#\t0x6\tcontext.WithValue+0x1\t/go/src/context/context.go:700


# runtime.MemStats
# Alloc = 123
# HeapObjects = 456
"""


def test_parse_heap(heap_parser):
    heap = heap_parser(SAMPLE_HEAP, ("database/sql.(*DB).Conn",))
    assert heap.context_objects == 3  # not the semaphore waiter, not the freed valueCtx
    assert heap.by_site == {"database/sql.(*DB).Conn": 2}
    assert heap.memstats["HeapObjects"] == 456


# --- what the static analyzer relies on -------------------------------------

WANT = re.compile(r"//\s*want\s+(.*)$")
GO_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')


def wants(path) -> dict[int, list[str]]:
    """Line number -> patterns of the analysistest-style `// want` comment on it."""
    found = {}
    for no, line in enumerate(path.read_text().splitlines(), 1):
        m = WANT.search(line)
        if m:
            found[no] = [a if a else b for a, b in GO_STRING.findall(m.group(1))]
    return found


def test_every_trap_is_measured(lab_dir):
    assert sorted(p.parent.name for p in lab_dir.glob("*/leaky.go")) == sorted(BINARIES)


@pytest.mark.parametrize("name", BINARIES)
def test_want_annotations(name, lab_dir):
    leaky, fixed = lab_dir / name / "leaky.go", lab_dir / name / "fixed.go"
    assert fixed.exists()
    found = wants(leaky)
    assert found, f"{leaky} has no // want annotation"
    for line, codes in found.items():
        assert codes and set(codes) <= KNOWN_CODES, f"{leaky}:{line}: {codes}"
        assert len(codes) == len(set(codes)), f"{leaky}:{line}: duplicate code"


def test_no_want_outside_leaky_files(lab_dir):
    stray = [
        f"{p.relative_to(lab_dir)}:{line}"
        for p in lab_dir.rglob("*.go")
        if not p.name.endswith("leaky.go")
        for line in wants(p)
    ]
    assert not stray, f"want annotations outside the leaky twins (*leaky.go): {stray}"


def normalise(text: str) -> list[str]:
    """Code lines with the variant names unified and want comments dropped."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"\b(leaky|fixed)", "variant", line)
        line = re.sub(r"\b(Leaky|Fixed)", "Variant", line)
        line = WANT.sub("", line).rstrip()
        out.append(line)
    return out


def declarations(lines: list[str]) -> list[int]:
    """For each line, the index of the top-level declaration it belongs to."""
    out, cur = [], -1
    for i, line in enumerate(lines):
        if re.match(r"(func|type|var|const) ", line):
            cur = i
        out.append(cur)
    return out


def is_code(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("//")


@pytest.mark.parametrize("name", BINARIES)
def test_twins_differ_only_in_the_lines_that_matter(name, lab_dir):
    a = normalise((lab_dir / name / "leaky.go").read_text())
    b = normalise((lab_dir / name / "fixed.go").read_text())
    changed_a, changed_b = set(), set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            changed_a.update(i for i in range(i1, i2) if is_code(a[i]))
            changed_b.update(j for j in range(j1, j2) if is_code(b[j]))
    # Every annotated leaky line sits in a declaration that the fixed twin
    # changes (usually the line itself; for an orphaned send, the make).
    decl = declarations(a)
    for line in wants(lab_dir / name / "leaky.go"):
        assert any(decl[i] == decl[line - 1] for i in changed_a), (
            f"{name}/leaky.go:{line} is annotated but its declaration is identical in fixed.go"
        )
    # ...and the twins share everything else.
    assert len(changed_a) + len(changed_b) <= 20, (
        f"{name}: the twins differ in {len(changed_a) + len(changed_b)} code lines:\n"
        + "\n".join(["- " + a[i] for i in sorted(changed_a)] + ["+ " + b[j] for j in sorted(changed_b)])
    )


def test_gofmt(lab_dir, go):
    gofmt = shutil.which("gofmt") or str(Path(go("env", "GOROOT").stdout.strip(), "bin", "gofmt"))
    proc = subprocess.run([gofmt, "-l", "."], cwd=lab_dir, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"not gofmt'ed:\n{proc.stdout}"


VET_DIAG = re.compile(r"^(?:\./)?(\S+\.go):(\d+):(\d+): (.*)$")
VET_CODES = {"the cancel function": "CG101"}  # lostcancel


def test_go_vet_flags_only_the_deliberate_leaks(go, lab_dir, lab_bin):  # lab_bin: warm build cache
    proc = go("vet", "./...", timeout=240)
    diags = [m.groups() for m in map(VET_DIAG.match, proc.stderr.splitlines()) if m]
    assert proc.returncode == 0 or diags, f"go vet failed:\n{proc.stderr}"
    for path, line, _col, msg in diags:
        assert path.endswith("/leaky.go"), f"vet warning outside a leaky file: {path}:{line}: {msg}"
        codes = wants(lab_dir / path).get(int(line), [])
        assert codes, f"vet warning on an unannotated line: {path}:{line}: {msg}"
        for prefix, code in VET_CODES.items():
            if msg.startswith(prefix):
                assert code in codes, f"{path}:{line}: vet says {msg!r} but the want is {codes}"
    # vet's lostcancel must agree with the CG101 annotation on the discarded cancel.
    assert any(p == "cancelmw/leaky.go" and msg.startswith("the cancel function") for p, _l, _c, msg in diags), (
        proc.stderr
    )


def test_go_tests_pass_under_the_race_detector(go, lab_bin):  # lab_bin: warm build cache
    proc = go("test", "-race", "-count=1", "./...", timeout=280)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
