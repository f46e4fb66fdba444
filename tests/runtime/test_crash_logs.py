"""Crash logs are evidence: real Go programs die (or are killed) with goroutines of
their own code blocked, and ctxguard must name those goroutines, ranked, at the
line where they block.

The programs live in testdata/runtime/crash (module ctxguard.dev/crashlab, stdlib only):

- timeout/   a test that never finishes: `-test.timeout 3s` panics with every stack
- deadlock/  `fatal error: all goroutines are asleep - deadlock!`
- sigquit/   a service killed with SIGQUIT after printing `ready` (default GOTRACEBACK)

Every line where goroutines park is marked `// blocks: NAME` in the Go source (healthy
goroutines of the SIGQUIT service: `// healthy: NAME`); the line numbers are found by
scanning the sources, never written down here.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ctxguard.analysis.report import analyse
from ctxguard.runtime.load import load_file

CRASH = Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "crash"
MARKER = re.compile(r"//\s*(blocks|healthy):\s*([a-z0-9-]+)\s*$")
BUILD_TIMEOUT = 300
RUN_TIMEOUT = 30


@dataclass(frozen=True)
class Program:
    name: str  # directory under crash/
    dominant: str  # the `// blocks:` marker of the biggest group
    count: int  # goroutines in that group
    state: str  # their wait state
    banner: str  # how the crash log starts (or a line it must contain)


PROGRAMS = {
    p.name: p
    for p in (
        Program("timeout", "shard-send", 40, "chan send", "panic: test timed out after 3s"),
        Program("deadlock", "send-result", 30, "chan send", "fatal error: all goroutines are asleep - deadlock!"),
        Program("sigquit", "await-reply", 25, "chan receive", "SIGQUIT: quit"),
    )
}


def markers(program: str, kind: str = "blocks") -> dict[str, tuple[str, int]]:
    """NAME -> (path relative to crash/, line) for every `// kind: NAME` code line."""
    out: dict[str, tuple[str, int]] = {}
    for path in sorted((CRASH / program).glob("*.go")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = MARKER.search(line)
            if m and m.group(1) == kind and not line.lstrip().startswith("//"):
                assert m.group(2) not in out, f"marker {m.group(2)} twice in {program}"
                out[m.group(2)] = (path.relative_to(CRASH).as_posix(), n)
    return out


# --- building and running the programs -------------------------------------------------------


def _go_env() -> dict[str, str]:
    env = {**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOWORK": "off", "GOPROXY": "off"}
    for key in ("GOTRACEBACK", "GOFLAGS", "GODEBUG"):
        env.pop(key, None)
    return env


def _kill(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _spawn(args: list[str], **kw: Any) -> subprocess.Popen[Any]:
    return subprocess.Popen(args, env=_go_env(), start_new_session=True, **kw)


def _finish(proc: subprocess.Popen[Any], timeout: float, what: str) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise AssertionError(f"{what}: still running after {timeout}s, killed") from None


def _build(bindir: Path) -> None:
    """Both builds at once (2 cores); Go's build cache makes reruns fast."""
    logs = {name: bindir / f"build-{name}.log" for name in ("mains", "test")}
    commands = {
        "mains": ["go", "build", "-o", str(bindir) + os.sep, "./deadlock", "./sigquit"],
        "test": ["go", "test", "-c", "-o", str(bindir / "timeout.test"), "./timeout"],
    }
    procs = {}
    try:
        for name, args in commands.items():
            with logs[name].open("wb") as out:
                procs[name] = _spawn(args, cwd=CRASH, stdout=out, stderr=subprocess.STDOUT)
        for name, proc in procs.items():
            rc = _finish(proc, BUILD_TIMEOUT, " ".join(commands[name]))
            assert rc == 0, f"{' '.join(commands[name])} failed:\n{logs[name].read_text()}"
    finally:
        for proc in procs.values():
            _kill(proc)


def _run_timeout(bindir: Path, log: Path) -> Callable[[], None]:
    with log.open("wb") as out:
        proc = _spawn(
            [str(bindir / "timeout.test"), "-test.timeout", "3s", "-test.run", "^TestPipeline$"],
            cwd=CRASH / "timeout",
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def wait() -> None:
        try:
            rc = _finish(proc, RUN_TIMEOUT, "timeout.test")
            assert rc == 2, f"timeout.test exited {rc}:\n{log.read_text()[:2000]}"
        finally:
            _kill(proc)

    return wait


def _run_deadlock(bindir: Path, log: Path) -> None:
    with log.open("wb") as out:
        proc = _spawn([str(bindir / "deadlock")], stdout=subprocess.DEVNULL, stderr=out)
    try:
        rc = _finish(proc, RUN_TIMEOUT, "deadlock")
        assert rc == 2, f"deadlock exited {rc}:\n{log.read_text()[:2000]}"
    finally:
        _kill(proc)


def _run_sigquit(bindir: Path, log: Path) -> None:
    with log.open("wb") as err:
        proc = _spawn([str(bindir / "sigquit")], stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=RUN_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"sigquit printed no `ready` line in {RUN_TIMEOUT}s") from None
        assert first.startswith("ready"), f"sigquit said {first!r}:\n{log.read_text()[:2000]}"
        os.kill(proc.pid, signal.SIGQUIT)
        rc = _finish(proc, RUN_TIMEOUT, "sigquit after SIGQUIT")
        assert rc == 2, f"sigquit exited {rc} after SIGQUIT:\n{log.read_text()[:2000]}"
    finally:
        _kill(proc)
        stdout.close()


@pytest.fixture(scope="module")
def crash_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """program name -> its crash log (built and run once for the module)."""
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to produce real crash logs")
    version = subprocess.run(
        ["go", "env", "GOVERSION"], capture_output=True, text=True, env=_go_env(), timeout=60
    ).stdout.strip()
    m = re.match(r"go1\.(\d+)", version)
    if not m or int(m.group(1)) < 22:
        pytest.fail(f"needs Go >= 1.22 (crash/go.mod), found {version or 'nothing'}")
    work = tmp_path_factory.mktemp("crash")
    _build(work)
    logs = {name: work / f"{name}.log" for name in PROGRAMS}
    finish_timeout = _run_timeout(work, logs["timeout"])  # 3 s: run the others meanwhile
    try:
        _run_deadlock(work, logs["deadlock"])
        _run_sigquit(work, logs["sigquit"])
    finally:
        finish_timeout()
    for name, log in logs.items():
        text = log.read_text(errors="replace")
        assert PROGRAMS[name].banner in text.splitlines()[:3], f"{name}: unexpected log:\n{text[:2000]}"
    return logs


# --- what ctxguard must say ------------------------------------------------------------------


def verdict_of(report: Any) -> str:
    """The verdict string, whether the report carries `verdict` (an object with its own
    `verdict`) or only the fingerprint's."""
    v = getattr(report, "verdict", None)
    if v is not None:
        return str(getattr(v, "verdict", v))
    return str(report.fingerprint.verdict)


def json_verdict(doc: dict[str, Any]) -> str:
    v = doc.get("verdict")
    if isinstance(v, dict):
        return str(v["verdict"])
    if isinstance(v, str):
        return v
    return str(doc["fingerprint"]["verdict"])


Loc = tuple[str, int]  # (file as reported, line)


def _at(loc: Loc, marker: tuple[str, int]) -> bool:
    return loc[0].replace("\\", "/").endswith("/crash/" + marker[0]) and loc[1] == marker[1]


def _own(loc: Loc | None, program: str) -> bool:
    """A frame of the program's own sources (not _testmain.go, testing, runtime, net/http...)."""
    return loc is not None and f"/crash/{program}/" in loc[0].replace("\\", "/")


def _check(program: str, suspects: list[tuple[Loc | None, int, str]], verdict: str) -> None:
    """suspects: (location, count, state) in report order. Every check runs; all failures are
    reported together, with the suspect listing."""
    p = PROGRAMS[program]
    blocks, healthy = markers(program), markers(program, "healthy")
    problems: list[str] = []

    def rank_of(marker: tuple[str, int]) -> list[int]:
        return [i for i, (loc, _, _) in enumerate(suspects) if loc is not None and _at(loc, marker)]

    top_loc, top_count, top_state = suspects[0] if suspects else (None, 0, "")
    if top_loc is None or not _at(top_loc, blocks[p.dominant]):
        problems.append(f"top suspect is not {p.dominant} at {blocks[p.dominant]}")
    elif (top_count, top_state) != (p.count, p.state):
        problems.append(f"top suspect is {top_count} x [{top_state}], expected {p.count} x [{p.state}]")

    missing = [name for name, where in blocks.items() if not rank_of(where)]
    if missing:
        problems.append(f"blocking lines not among the suspects: {missing}")

    ranks = [i for where in blocks.values() for i in rank_of(where)]
    last_blocked = max(ranks, default=-1)
    foreign = [i for i, (loc, _, _) in enumerate(suspects) if not _own(loc, program) and i < last_blocked]
    if foreign:
        problems.append(f"framework/runtime suspects {foreign} ranked ahead of a blocked line of the program")
    ahead = [name for name, where in healthy.items() if any(i < last_blocked for i in rank_of(where))]
    if ahead:
        problems.append(f"healthy goroutines {ahead} ranked ahead of a blocked line of the program")

    if program == "deadlock" and verdict == "healthy":
        problems.append("deadlock log judged healthy")

    listing = "\n".join(f"  #{i} {c} x [{s}] at {loc}" for i, (loc, c, s) in enumerate(suspects)) or "  (none)"
    assert not problems, f"{program}: " + "; ".join(problems) + f"\nverdict {verdict}, suspects:\n{listing}"


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_crash_log_names_the_blocked_goroutines(crash_logs: dict[str, Path], program: str) -> None:
    report = analyse([load_file(str(crash_logs[program]))])
    suspects = [((s.location.file, s.location.line) if s.location else None, s.count, s.state) for s in report.suspects]
    _check(program, suspects, verdict_of(report))


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_cli_json_on_a_crash_log(crash_logs: dict[str, Path], program: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "ctxguard", "profile", "-f", "json", str(crash_logs[program])],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    suspects = [
        ((s["location"]["file"], s["location"]["line"]) if s.get("location") else None, s["count"], s["state"])
        for s in doc["suspects"]
    ]
    scores = [s["score"] for s in doc["suspects"]]
    assert scores == sorted(scores, reverse=True)
    _check(program, suspects, json_verdict(doc))


def test_markers_are_where_the_programs_block() -> None:
    """The scan itself: each program marks its dominant line and at least three others."""
    for name, p in PROGRAMS.items():
        found = markers(name)
        assert p.dominant in found and len(found) >= 4, (name, found)
