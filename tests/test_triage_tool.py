"""bench/triage.py: a sampled sheet, filled in, scores as the verdicts say; a bad verdict is one error line."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIAGE = ROOT / "bench" / "triage.py"
FIXTURE = ROOT / "testdata" / "lint" / "orphaned_send"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TRIAGE), *args], capture_output=True, text=True, timeout=300)


def test_sample_fill_and_score(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.md"
    sampled = _run("sample", "--seed", "3", "--total", "4", "--select", "CG105", "-o", str(sheet), str(FIXTURE))
    assert sampled.returncode == 0, sampled.stderr
    text = sheet.read_text()
    assert text.count("verdict: ") == 4 and "orphaned_send/" in text
    verdicts = iter(["REAL", "FALSE", "DEBATABLE", "REAL"])
    sheet.write_text("\n".join(f"verdict: {next(verdicts)}" if ln == "verdict: " else ln for ln in text.splitlines()))
    scored = _run("score", str(sheet))
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout.splitlines()[-1].split() == ["all", "4", "2", "1", "1", "67%", "50%"]
    # every sampled finding is still reported on the same checkout
    again = _run("score", str(sheet), "--at", str(FIXTURE))
    assert "at this code: 4 of 4 still reported" in again.stdout


def test_bad_verdict_is_one_line(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.md"
    sheet.write_text("## 1. CG105 repo/a.go:3\n\nverdict: MAYBE\n")
    scored = _run("score", str(sheet))
    assert scored.returncode != 0
    assert scored.stderr.strip() == f"{sheet}: CG105 repo/a.go:3: verdict 'MAYBE' is not one of REAL, DEBATABLE, FALSE"
