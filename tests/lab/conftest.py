"""Fixtures for the leak lab tests (tests/lab).

The lab is a Go module under lab/: one small HTTP service per context trap,
each with a leaky and a fixed variant, plus a load driver (lab/cmd/loadgen).
These fixtures build every binary once per session, start services on a free
loopback port, read their pprof endpoints and drive load. Every process a
test starts is killed (its whole process group) when the test ends, whether
it passed or not, and every wait has a timeout.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from procs import kill_group, read_address

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "lab"

BUILD_TIMEOUT = 280  # seconds; a cold build of the lab takes about one minute on 2 cores
START_TIMEOUT = 15
HTTP_TIMEOUT = 10


FIGURE = "lab_figure"  # user property carrying one line of measured growth


def pytest_terminal_summary(terminalreporter):
    """Print the growth the trap tests measured (also under pytest-xdist)."""
    lines = [
        value
        for rep in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
        for key, value in getattr(rep, "user_properties", ())
        if key == FIGURE
    ]
    if lines:
        terminalreporter.section("leak lab: growth after load (leaky vs fixed), verdicts under steady load")
        for line in sorted(lines):
            terminalreporter.write_line(line)


def go_binary() -> str:
    go = shutil.which("go")
    if go is None:
        pytest.fail(
            "the leak lab needs the Go toolchain (go 1.26 or newer) on PATH; "
            "install Go or deselect these tests with -m 'not lab'",
            pytrace=False,
        )
    return go


def run_go(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a go command in lab/ and return the completed process."""
    return subprocess.run(
        [go_binary(), *args],
        cwd=LAB,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def lab_bin(tmp_path_factory, xdist_worker) -> Path:
    """Build every lab binary once: `go build -o <tmp>/bin/ ./...` in lab/.

    Under pytest-xdist the workers share one build: the first to take the
    lock builds, the others wait for it and reuse the binaries.
    """
    base = tmp_path_factory.getbasetemp()
    root = base if xdist_worker == "master" else base.parent
    bindir = root / "lab-bin"
    done = bindir / ".built"
    with open(root / "lab-bin.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            bindir.mkdir(exist_ok=True)
            try:
                proc = run_go(["build", "-buildvcs=false", "-o", str(bindir) + os.sep, "./..."], timeout=BUILD_TIMEOUT)
            except subprocess.TimeoutExpired:
                pytest.fail(f"go build of lab/ did not finish within {BUILD_TIMEOUT}s", pytrace=False)
            if proc.returncode != 0:
                pytest.fail(f"go build of lab/ failed:\n{proc.stdout}{proc.stderr}", pytrace=False)
            done.touch()
    return bindir


@pytest.fixture(scope="session")
def xdist_worker(request) -> str:
    """pytest-xdist's worker id ("gw0", ...), or "master" without xdist."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def http_get(url: str, timeout: float = HTTP_TIMEOUT) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode()


@dataclass
class Heap:
    """What a heap profile (debug=1, taken right after a forced GC) says."""

    context_objects: int  # live objects allocated by package context (see parse_heap)
    memstats: dict[str, int]
    by_site: dict[str, int] = field(default_factory=dict)  # live objects per tracked allocation site


HEAP_RECORD = re.compile(r"^(\d+): (\d+) \[(\d+): (\d+)\] @")
MEMSTAT = re.compile(r"^# (\w+) = (\d+)$")


def is_context_site(funcs: list[str]) -> bool:
    if not funcs:
        return False
    if funcs[0].startswith("context."):
        return True
    return funcs[0].startswith("time.") and any(f.startswith("context.") for f in funcs[1:3])


def parse_heap(text: str, sites: tuple[str, ...] = ()) -> Heap:
    """Parse `/debug/pprof/heap?debug=1`.

    The lab's services set runtime.MemProfileRate = 1, so each record's
    in-use count is exact rather than a sample. A record's allocating
    function is the first frame shown (the profile hides the runtime's own
    leading frames). It counts as a context object when that function is in
    package context (cancelCtx, timerCtx, valueCtx, the children maps, done
    channels, cancel closures) or is package time's timer code called from
    package context. Runtime bookkeeping that merely happened under a
    context call (semaphore waiters from contention on a parent's lock) does
    not count.
    """
    ctx = 0
    per: dict[str, int] = dict.fromkeys(sites, 0)
    memstats: dict[str, int] = {}
    inuse = None
    funcs: list[str] = []

    def close():
        nonlocal ctx
        if inuse is None:
            return
        if is_context_site(funcs):
            ctx += inuse
        if funcs and funcs[0] in per:
            per[funcs[0]] += inuse

    for line in text.splitlines():
        m = HEAP_RECORD.match(line)
        if m:
            close()
            inuse, funcs = int(m.group(1)), []
            continue
        if line.startswith("#\t") and inuse is not None:
            cols = [c for c in line.split("\t") if c]
            if len(cols) > 2:
                funcs.append(re.sub(r"\+0x[0-9a-f]+$", "", cols[2]))
            continue
        m = MEMSTAT.match(line)
        if m:
            if inuse is not None:  # the records are over
                close()
                inuse = None
            memstats[m.group(1)] = int(m.group(2))
    close()
    return Heap(context_objects=ctx, memstats=memstats, by_site=per)


GOROUTINE_TOTAL = re.compile(r"^goroutine profile: total (\d+)$", re.M)


@dataclass
class Service:
    name: str
    variant: str
    proc: subprocess.Popen
    addr: str  # http://127.0.0.1:PORT
    log: Path

    def get(self, path: str) -> str:
        return http_get(self.addr + path)

    def goroutines(self) -> int:
        text = http_get(self.addr + "/debug/pprof/goroutine?debug=1")
        m = GOROUTINE_TOTAL.search(text)
        assert m, f"no 'goroutine profile: total N' in:\n{text[:300]}"
        return int(m.group(1))

    def heap(self, sites: tuple[str, ...] = ()) -> Heap:
        return parse_heap(http_get(self.addr + "/debug/pprof/heap?debug=1&gc=1"), sites)

    def goroutine_dump(self) -> str:
        return http_get(self.addr + "/debug/pprof/goroutine?debug=2")

    def stop(self) -> None:
        kill_group(self.proc)


@pytest.fixture
def start_service(lab_bin, tmp_path):
    """Factory: start_service(name, variant, *flags) -> Service (killed at teardown)."""
    procs: list[subprocess.Popen] = []

    def start(name: str, variant: str, *flags: str) -> Service:
        log = tmp_path / f"{name}-{variant}.stderr"
        with open(log, "wb") as errf:
            proc = subprocess.Popen(
                [str(lab_bin / name), "-addr", "127.0.0.1:0", "-variant", variant, *flags],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errf,
                start_new_session=True,  # its own process group, killed as a whole
            )
        procs.append(proc)
        try:
            addr = read_address(proc, START_TIMEOUT)
        except (TimeoutError, RuntimeError) as e:
            pytest.fail(f"{name} -variant {variant}: {e}\nstderr:\n{log.read_text(errors='replace')}", pytrace=False)
        return Service(name, variant, proc, addr, log)

    yield start
    for p in procs:
        kill_group(p)
        if p.stdout:
            p.stdout.close()


@pytest.fixture(scope="session")
def lab_dir() -> Path:
    return LAB


@pytest.fixture(scope="session")
def heap_parser():
    """parse_heap(text, sites) -> Heap, for tests of the parser itself."""
    return parse_heap


@pytest.fixture
def figure(record_property):
    """figure(line) adds a line to the end-of-run summary of measured growth."""
    return lambda line: record_property(FIGURE, line)


@pytest.fixture(scope="session")
def go():
    """go(*args, timeout=...) runs a go command in lab/."""
    return lambda *args, timeout=120: run_go(list(args), timeout=timeout)


@pytest.fixture
def loadgen(lab_bin):
    """loadgen(*args) runs lab/cmd/loadgen and returns its JSON summary."""
    return lambda *args, timeout=60: run_loadgen(lab_bin, *args, timeout=timeout)


def run_loadgen(lab_bin: Path, *args: str, timeout: float = 60) -> dict:
    """Run lab/cmd/loadgen and return its JSON summary."""
    proc = subprocess.Popen(
        [str(lab_bin / "loadgen"), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        pytest.fail(f"loadgen {' '.join(args)} did not finish within {timeout}s", pytrace=False)
    finally:
        kill_group(proc)
    assert proc.returncode == 0, f"loadgen {' '.join(args)} exited {proc.returncode}:\n{err}"
    return json.loads(out)


def capture_and_profile(
    svc: Service, lab_bin: Path, out: Path, url: str, load: list[str], capture: list[str]
) -> dict[str, Any]:
    """`ctxguard capture` of a lab service under steady load (loadgen on `url`), then `ctxguard
    profile -f json` of the capture: the report as a user would get it."""
    gen = subprocess.Popen(
        [str(lab_bin / "loadgen"), "-url", svc.addr + url, *load],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        cap = subprocess.run(
            [sys.executable, "-m", "ctxguard", "capture", svc.addr, "--out", str(out), *capture],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cap.returncode == 0, cap.stderr
    finally:
        kill_group(gen)
    prof = subprocess.run(
        [sys.executable, "-m", "ctxguard", "profile", str(out), "-f", "json"], capture_output=True, text=True
    )
    assert prof.returncode == 0, prof.stderr
    return json.loads(prof.stdout)  # type: ignore[no-any-return]
