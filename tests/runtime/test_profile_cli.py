"""`ctxguard profile` and `ctxguard capture` as users meet them: contract and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "testdata" / "runtime"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ctxguard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_json_contract_on_a_real_dump() -> None:
    r = run("profile", "-f", "json", str(ROOT / "go1.26" / "sigquit.txt"), str(ROOT / "go1.26" / "heap.pb.gz"))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert {"verdict", "snapshots", "groups", "suspects", "parked", "fingerprint", "heap"} <= set(doc)
    assert all({"time", "goroutines"} <= set(s) for s in doc["snapshots"])
    scores = [s["score"] for s in doc["suspects"]]
    assert scores == sorted(scores, reverse=True) and scores
    for s in doc["suspects"]:
        assert {"score", "level", "count", "state", "reasons", "location", "trend", "survivors"} <= set(s)
        assert set(s["location"]) == {"function", "file", "line"}
    # one SIGQUIT dump and one heap profile: suspects named, no verdict on them
    assert doc["verdict"]["verdict"] == "insufficient-data" and doc["verdict"]["missing"]
    assert doc["snapshots"][-1]["crash"] == "sigquit" or any(s["crash"] == "sigquit" for s in doc["snapshots"])


def test_bad_inputs_are_one_line_and_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("not a dump\n")
    for args, message in (
        ([str(junk)], f"{junk}: unrecognised format"),
        ([str(tmp_path / "missing")], "no such file or directory"),
    ):
        r = run("profile", *args)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_capture_reports_an_unreachable_service_in_one_line(tmp_path: Path) -> None:
    r = run("capture", "http://127.0.0.1:9", "--out", str(tmp_path / "c"), "--count", "1", "--retries", "0")
    assert r.returncode == 2 and "127.0.0.1:9" in r.stderr and "Traceback" not in r.stderr
    r = run("capture", "ftp://x", "--out", str(tmp_path / "c"))
    assert r.returncode == 2 and "not an http(s) URL" in r.stderr
    r = run("capture", "http://127.0.0.1:9", "--out", str(tmp_path / "c"), "--every", "soon")
    assert r.returncode == 2 and "not a duration" in r.stderr
