"""Go execution trace reader: real traces written by Go 1.22-1.27 against the
ground truth from golang.org/x/exp/trace, and mangled traces that must give a
clean one-line TraceError or a (possibly truncated) result, nothing else."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ctxguard.runtime.trace.lifetimes import LifetimeSink, TraceLifetimes, read_lifetimes
from ctxguard.runtime.trace.reader import read_stream
from ctxguard.runtime.trace.wire import TraceError

DATA = Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "trace"
TRACES = sorted(DATA.glob("go1.*.trace"))
WRITER = "testdata/runtime/trace/gen/writer/main.go"


def test_every_release_has_a_trace() -> None:
    assert [p.name for p in TRACES] == [
        "go1.22.trace",
        "go1.24.trace",
        "go1.25.trace",
        "go1.26.trace",
        "go1.27.trace",
    ]


def test_header_version_per_release() -> None:
    # Go 1.24 kept the 1.23 format and Go 1.27 the 1.26 one: the header says so.
    versions = {p.name: read_lifetimes(p).go_version for p in TRACES}
    assert versions == {
        "go1.22.trace": "go1.22",
        "go1.24.trace": "go1.23",
        "go1.25.trace": "go1.25",
        "go1.26.trace": "go1.26",
        "go1.27.trace": "go1.26",
    }


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.name)
def test_matches_x_exp_trace(path: Path) -> None:
    truth = json.loads(path.with_name(path.name.replace(".trace", ".truth.json")).read_text())
    got = read_lifetimes(path)
    assert not got.truncated
    assert got.generations >= 2  # the writer runs across generation boundaries
    want = {
        (s["function"], s["file"], s["line"]): (s["created"], s["ended"], s["alive_at_end"]) for s in truth["sites"]
    }
    have = {(s.function, s.file, s.line): (s.created, s.ended, s.alive_at_end) for s in got.sites}
    assert have == want
    medians = {(s["function"], s["file"], s["line"]): s["lifetime_median_s"] for s in truth["sites"]}
    for s in got.sites:
        want_median = medians[(s.function, s.file, s.line)]
        if s.ended and s.function != "(existed at trace start)":
            assert s.lifetime_median_s == pytest.approx(want_median, rel=0.02)
        else:
            assert s.lifetime_median_s is None


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.name)
def test_known_mix(path: Path) -> None:
    got = read_lifetimes(path)
    by_line = {s.line: s for s in got.sites if s.file.endswith(WRITER)}
    # line -> (created, ended): see the writer's go statements.
    expected = {55: (4, 0), 59: (6, 6), 64: (150, 150), 70: (30, 0), 75: (5, 0)}
    assert {ln: (s.created, s.ended) for ln, s in by_line.items()} == expected
    assert got.sites[0].line == 70  # the leaked senders lead alive_at_end
    assert dict(by_line[70].blocked_s)["chan send"] > 30 * 1.5  # ~2 s each
    assert dict(by_line[75].blocked_s)["chan receive"] > 5 * 0.5
    assert 2.0 < got.duration_s < 10
    assert got.lifetime_median_s is not None


def test_pre_122_header_names_the_version(tmp_path: Path) -> None:
    p = tmp_path / "old.trace"
    p.write_bytes(b"go 1.21 trace\x00\x00\x00" + b"\x00" * 64)
    with pytest.raises(TraceError) as e:
        read_lifetimes(p)
    msg = str(e.value)
    assert "\n" not in msg and str(p) in msg and "Go 1.21" in msg


@pytest.mark.parametrize("data", [b"", b"go 1.2", b"not a trace at all, sorry", b"go 1.99 trace\x00\x00\x00"])
def test_not_a_trace(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "x.trace"
    p.write_bytes(data)
    with pytest.raises(TraceError, match=r"x\.trace"):
        read_lifetimes(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match=r"nope\.trace"):
        read_lifetimes(tmp_path / "nope.trace")


def test_truncated_at_every_generation_boundary() -> None:
    data = (DATA / "go1.26.trace").read_bytes()
    full = _read(data)
    assert isinstance(full, TraceLifetimes)
    cut = _read(data[: len(data) * 2 // 3])
    assert isinstance(cut, TraceLifetimes) and cut.truncated
    assert cut.generations < full.generations


def _read(data: bytes) -> TraceLifetimes | str:
    sink = LifetimeSink()
    try:
        summary = read_stream(io.BytesIO(data), "mangled.trace", sink)
    except TraceError as e:
        return str(e)
    return sink.result("mangled.trace", summary)


def _check(out: TraceLifetimes | str) -> None:
    if isinstance(out, str):
        assert "\n" not in out and out.startswith("mangled.trace: ")
    else:
        assert out.alive_at_end == sum(s.alive_at_end for s in out.sites)
        assert all(s.created >= s.ended >= 0 for s in out.sites)


BLOBS = [p.read_bytes() for p in TRACES]
WHOLE_GENERATIONS = [r.generations for r in map(_read, BLOBS) if not isinstance(r, str)]
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(which=st.integers(0, len(BLOBS) - 1), frac=st.floats(0, 1))
@example(which=0, frac=0.001)  # the header alone: cut before the first generation
@example(which=0, frac=0.56651)  # exactly between go1.22.trace's second and third generations
def test_truncated(which: int, frac: float) -> None:
    data = BLOBS[which]
    cut = int(len(data) * frac)
    out = _read(data[:cut])
    _check(out)
    if not isinstance(out, str) and cut < len(data):
        # Before Go 1.26 a trace has no end marker, so a cut exactly between two
        # generations reads as a whole, shorter trace (x/exp/trace cannot tell either).
        shorter = out.go_version < "go1.26" and out.generations < WHOLE_GENERATIONS[which]
        assert out.truncated or shorter


@FUZZ
@given(
    which=st.integers(0, len(BLOBS) - 1),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_mutated(which: int, edits: list[tuple[float, int]]) -> None:
    data = bytearray(BLOBS[which])
    for where, byte in edits:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    _check(_read(bytes(data)))


@FUZZ
@given(which=st.integers(0, len(BLOBS) - 1), start=st.floats(0, 1), n=st.integers(1, 64))
def test_spliced(which: int, start: float, n: int) -> None:
    data = BLOBS[which]
    i = 16 + int(start * (len(data) - 16))
    _check(_read(data[:i] + data[i + n :]))
