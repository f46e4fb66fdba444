"""`ctxguard profile` on an execution trace: the report's `trace` section (a contract) and its text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TRACES = Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "trace"


def profile(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctxguard", "profile", *args], capture_output=True, text=True)


def test_trace_section_leads_with_the_leaked_creation_site() -> None:
    out = profile(str(TRACES / "go1.26.trace"), "-f", "json")
    assert out.returncode == 0, out.stderr
    trace = json.loads(out.stdout)["trace"]
    truth = {(s["file"], s["line"]): s for s in json.loads((TRACES / "go1.26.truth.json").read_text())["sites"]}
    assert set(trace["goroutines"]) == {"created", "ended", "alive_at_end", "lifetime_median_s"}
    assert trace["goroutines"]["created"] == sum(s["created"] for s in truth.values())
    top = trace["creation_sites"][0]
    assert (top["line"], top["created"], top["ended"], top["alive_at_end"]) == (70, 30, 0, 30)  # leaked on a send
    assert top["blocked_s"]["chan send"] > 0
    for site in trace["creation_sites"]:
        expected = truth[(site["file"], site["line"])]
        assert (site["created"], site["ended"], site["alive_at_end"]) == (
            expected["created"],
            expected["ended"],
            expected["alive_at_end"],
        )
    alive = [s["alive_at_end"] for s in trace["creation_sites"]]
    assert alive == sorted(alive, reverse=True)
    # the fingerprint's trace features: the article's median lifetime, and the share never ended
    fp = json.loads(out.stdout)["fingerprint"]
    made = [s for s in truth.values() if s["file"]]
    assert fp["unended_share"] == round(sum(s["alive_at_end"] for s in made) / sum(s["created"] for s in made), 3)
    assert 0 < fp["goroutine_lifetime_median_s"] < 0.01  # most goroutines of the writer are short-lived


def test_trace_text_and_no_trace() -> None:
    out = profile(str(TRACES / "go1.24.trace"))
    assert out.returncode == 0, out.stderr
    assert "created and never ended, by creation site:" in out.stdout
    assert "main.go:70), mostly waiting in chan send" in out.stdout
    dump = Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "go1.24" / "goroutine.debug2.txt"
    assert json.loads(profile(str(dump), "-f", "json").stdout)["trace"] is None


def test_an_old_trace_is_a_one_line_error(tmp_path: Path) -> None:
    old = tmp_path / "old.trace"
    old.write_bytes(b"go 1.21 trace\x00\x00\x00" + bytes(64))
    out = profile(str(old))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Go 1.21" in out.stderr, out.stderr
