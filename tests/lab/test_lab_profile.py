"""ctxguard capture + profile on the running lab services: the leaky twin is found
leaking at its leaking line, the fixed twin is healthy."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_lab import TRAPS, Trap, load

from ctxguard.analysis.report import analyse
from ctxguard.analysis.suspects import REPORT_THRESHOLD
from ctxguard.runtime.capture import Capture, run
from ctxguard.runtime.load import load_file

pytestmark = pytest.mark.lab

# traps whose leak is goroutines, and the leaky line they park at (None: deeper in a callee)
GOROUTINE_TRAPS = {"timeoutworker": 38, "orphansend": 21, "deferctx": None, "reqcut": None, "grpccut": None}


def captured(svc, trap: Trap, loadgen, out: Path) -> list:
    """Capture 4 rounds, 1 s apart, from before the load until after it: what is still
    there at the end is what the load left behind."""
    cap = Capture(svc.addr, out, every_s=1.0, count=4, timeout_s=10, retries=1)
    t = threading.Thread(target=run, args=(cap,), daemon=True)
    t.start()
    load(loadgen, svc, trap)
    t.join(timeout=60)
    assert not t.is_alive(), "capture did not finish"
    return [load_file(str(p)) for p in sorted(out.iterdir())]


@pytest.mark.parametrize("trap", [t for t in TRAPS if t.name in GOROUTINE_TRAPS], ids=lambda t: t.name)
def test_profile_finds_the_leak_and_clears_the_twin(trap: Trap, start_service, loadgen, tmp_path: Path) -> None:
    leaky = start_service(trap.name, "leaky")
    report = analyse(captured(leaky, trap, loadgen, tmp_path / "leaky"))
    leaky.stop()
    assert report.fingerprint.verdict == "leaking", report.fingerprint
    leaky_file = f"{trap.name}/leaky.go"
    # the best-scoring suspect through the leaky file (reqcut's in-process downstream
    # piles up exactly as much, and may tie with it)
    best = report.suspects[0].score
    top = next(
        (s for s in report.suspects if s.score == best and any(f.file.endswith(leaky_file) for f in s.frames)),
        None,
    )
    assert top is not None, f"no top suspect passes through {leaky_file}: {report.suspects[:3]}"
    line = GOROUTINE_TRAPS[trap.name]
    if line is not None:
        assert top.location is not None and top.location.file.endswith(leaky_file) and top.location.line == line
    assert top.count >= 100

    fixed = start_service(trap.name, "fixed")
    report = analyse(captured(fixed, trap, loadgen, tmp_path / "fixed"))
    assert report.fingerprint.verdict == "healthy", report.fingerprint
    assert all(s.score < REPORT_THRESHOLD for s in report.suspects)
