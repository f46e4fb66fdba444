"""ctxguard capture + profile on the running lab services: the leaky twin is found
leaking at its leaking line, the fixed twin is healthy."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_lab import TRAPS, Trap, load

from ctxguard.analysis.report import analyse
from ctxguard.analysis.suspects import REPORT_THRESHOLD
from ctxguard.runtime.capture import Capture, run
from ctxguard.runtime.load import load_file

pytestmark = pytest.mark.lab

# the leaky line the top suspect must point at (None: somewhere in leaky.go's stack): where
# goroutines park, or where leaked contexts are allocated (traps 3, 4 and 6 park none)
LEAK_LINES = {
    "timeoutworker": 38,
    "orphansend": 21,
    "cancelmw": 13,
    "ctxvalue": None,
    "deferctx": None,
    "ctxloop": None,
    "reqcut": None,
    "grpccut": None,
}


def captured(svc, trap: Trap, loadgen, out: Path) -> list:
    """One capture round before the load, three after it, as an SRE would take them
    around an incident: what is still there at the end is what the load left behind."""
    run(Capture(svc.addr, out / "before", count=1, timeout_s=10, retries=1))
    load(loadgen, svc, trap)
    run(Capture(svc.addr, out / "after", every_s=0.5, count=3, timeout_s=10, retries=1))
    return [load_file(str(p)) for d in ("before", "after") for p in sorted((out / d).iterdir())]


# the static rule whose finding sits in the suspect's function
STATIC_WHY = {"timeoutworker": "CG104", "orphansend": "CG105", "cancelmw": "CG101"}
LAB = Path(__file__).resolve().parents[2] / "lab"


@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t.name)
def test_profile_finds_the_leak_and_clears_the_twin(trap: Trap, start_service, loadgen, tmp_path: Path) -> None:
    leaky = start_service(trap.name, "leaky")
    report = analyse(captured(leaky, trap, loadgen, tmp_path / "leaky"), source=str(LAB))
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
    line = LEAK_LINES[trap.name]
    if line is not None:
        assert top.location is not None and top.location.file.endswith(leaky_file) and top.location.line == line
    assert top.count >= 100
    if trap.name in STATIC_WHY:  # --source: the static rule that explains the runtime evidence
        link = report.sources[top.signature]
        assert link.path.endswith(leaky_file)
        assert STATIC_WHY[trap.name] in {f.code for f in link.findings}
    assert set(LEAK_LINES) == {t.name for t in TRAPS}

    fixed = start_service(trap.name, "fixed")
    report = analyse(captured(fixed, trap, loadgen, tmp_path / "fixed"))
    assert report.fingerprint.verdict == "healthy", report.fingerprint
    assert all(s.score < REPORT_THRESHOLD for s in report.suspects)
