"""Decoders on artifacts written by a real Go program built here, and on mangled
versions of them: a Snapshot or a clean one-line InputError, never anything else."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxguard.runtime import goroutine_text
from ctxguard.runtime.load import InputError, load_file, load_stream
from ctxguard.runtime.model import Snapshot

HERE = Path(__file__).resolve().parent
# Leaked by the program, on top of main and the runtime's own goroutines.
SENDERS, RECEIVERS = 8, 3


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to produce real artifacts")
    work = tmp_path_factory.mktemp("dumper")
    (work / "main.go").write_text((HERE / "dumper.go.txt").read_text())
    (work / "go.mod").write_text("module dumper\n\ngo 1.26\n")
    out = work / "out"
    out.mkdir()
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GODEBUG": "tracebackancestors=0"}
    subprocess.run(["go", "run", ".", str(out)], cwd=work, env=env, check=True, timeout=300, capture_output=True)
    return out


def senders(snap: Snapshot) -> int:
    return sum(g.count for g in snap.groups if any(f.function == "main.orphanedSender" for f in g.stack.frames))


def test_debug2_dump(artifacts: Path) -> None:
    snap = load_file(str(artifacts / "goroutine.debug2.txt"))
    assert snap.format == "goroutine-text" and not snap.truncated
    assert senders(snap) == SENDERS
    send = next(g for g in snap.groups if g.stack.location().function == "main.orphanedSender" and not g.labels)  # type: ignore[union-attr]
    assert send.state == "chan send" and send.count == SENDERS - 1
    assert send.creator is not None and send.creator.function == "main.main"
    deep = next(g for g in snap.groups if any(f.function == "main.deep" for f in g.stack.frames))
    assert deep.stack.elided > 0  # ...N frames elided...
    mutex = next(g for g in snap.groups if g.state == "sync.Mutex.Lock")
    assert mutex.stack.location().function == "main.main.func1"  # type: ignore[union-attr]


def test_debug1_and_pprof_agree_with_debug2(artifacts: Path) -> None:
    d1 = load_file(str(artifacts / "goroutine.debug1.txt"))
    pb = load_file(str(artifacts / "goroutine.pb.gz"))
    d2 = load_file(str(artifacts / "goroutine.debug2.txt"))
    assert d1.format == "goroutine-debug1" and pb.format == "goroutine-pprof"
    assert d1.goroutines == pb.goroutines == d2.goroutines
    assert senders(d1) == senders(pb) == SENDERS
    labelled = [g for g in pb.groups if dict(g.labels).get("handler") == "checkout"]
    assert sum(g.count for g in labelled) == 1
    # one signature per stack whatever the format: runtime leaf frames do not count
    sig = {g.stack.signature for g in d2.groups if g.stack.location().function == "main.stuckReceiver"}  # type: ignore[union-attr]
    assert sig & {g.stack.signature for g in d1.groups}
    assert sig & {g.stack.signature for g in pb.groups}


def test_heap_profiles(artifacts: Path) -> None:
    pb = load_file(str(artifacts / "heap.pb.gz"))
    d1 = load_file(str(artifacts / "heap.debug1.txt"))
    assert pb.format == "heap-pprof" and d1.format == "heap-debug1"
    assert pb.heap and d1.heap
    assert all(r.inuse_objects >= 0 and r.inuse_bytes >= 0 for r in pb.heap)


def test_raw_and_gzipped_text_are_read_alike(artifacts: Path, tmp_path: Path) -> None:
    raw = gzip.decompress((artifacts / "goroutine.pb.gz").read_bytes())
    (tmp_path / "g.pb").write_bytes(raw)
    (tmp_path / "dump.txt.gz").write_bytes(gzip.compress((artifacts / "goroutine.debug2.txt").read_bytes()))
    assert load_file(str(tmp_path / "g.pb")).goroutines == load_file(str(artifacts / "goroutine.pb.gz")).goroutines
    assert load_file(str(tmp_path / "dump.txt.gz")).format == "goroutine-text"


def test_truncated_debug2_is_read_up_to_the_cut(artifacts: Path, tmp_path: Path) -> None:
    data = (artifacts / "goroutine.debug2.txt").read_bytes()
    cut = tmp_path / "cut.txt"
    end = int(len(data) * 0.6)
    while data[end - 1 : end] == b"\n":  # a cut right after a goroutine's last line looks complete
        end -= 1
    cut.write_bytes(data[:end])
    snap = load_file(str(cut))
    assert snap.truncated
    assert 0 < snap.goroutines < load_file(str(artifacts / "goroutine.debug2.txt")).goroutines


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\nworld\n", "unrecognised format"),
        (b"\x1f\x8b\x08\x00garbage", "corrupt or truncated compressed data"),
        (b"\x0a\x05\x01\x02", "not a"),
        (b"", "unrecognised format"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "bad"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_file(str(p))
    assert str(e.value).startswith(str(p)) and message in str(e.value) and "\n" not in str(e.value)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(["goroutine.debug2.txt", "goroutine.debug1.txt", "goroutine.pb.gz", "heap.pb.gz"]),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
)
def test_mangled_inputs_give_a_snapshot_or_a_clean_error(artifacts: Path, which: str, cut: float, flips: list) -> None:
    data = bytearray((artifacts / which).read_bytes())
    if which.endswith(".gz"):
        data = bytearray(gzip.decompress(bytes(data)))
    data = data[: max(1, int(len(data) * cut))]
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    try:
        snap = load_stream(io.BufferedReader(io.BytesIO(bytes(data))), which)  # type: ignore[arg-type]
    except InputError as e:
        assert "\n" not in str(e) and str(e).startswith(which)
    else:
        assert isinstance(snap, Snapshot)


@pytest.mark.parametrize("name", ["goroutine.debug2.txt", "sigquit.txt", "crash.txt", "ancestors.txt", "minutes.txt"])
def test_goroutine_ids_are_kept_alike_by_both_readers(name: str) -> None:
    """The streaming reader and the line grammar keep every goroutine's ID, creator ID and
    minutes in the same group; crash.txt prints some goroutines twice (IDs repeat)."""
    path = Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "go1.26" / name
    fast = goroutine_text.decode_stream(io.BytesIO(path.read_bytes()), name)
    slow = goroutine_text.decode(path.read_text().splitlines(keepends=True), name)

    def per_group(snap: Snapshot) -> dict[str, list[tuple[int, int, int]]]:
        return {
            g.key: sorted(zip(g.goroutine_ids(), g.goroutine_parents(), g.goroutine_minutes(), strict=True))
            for g in snap.groups
        }

    assert per_group(fast) == per_group(slow)
    ids = [i for g in fast.groups for i in g.goroutine_ids()]
    assert len(ids) == fast.goroutines and all(i >= 0 for i in ids)
    headers = [int(m) for m in re.findall(r"^goroutine (\d+)", path.read_text(), re.M)]
    assert sorted(ids) == sorted(headers)


def test_numbers_no_runtime_prints_are_unknown_not_a_crash(tmp_path: Path) -> None:
    big = "9223372036854775808"  # 2**63: a goroutine ID, wait or creator no Go runtime can print
    dump = tmp_path / "big.txt"
    dump.write_text(
        f"goroutine {big} [chan send, {big} minutes]:\nmain.f()\n\t/x.go:1 +0x1\n"
        f"created by main.g in goroutine {big}\n\t/x.go:2 +0x1\n"
    )
    snap = load_file(str(dump))
    (g,) = snap.groups
    assert list(g.goroutine_ids()) == [0] and list(g.goroutine_parents()) == [0] and list(g.goroutine_minutes()) == [0]
    slow = goroutine_text.decode(dump.read_text().splitlines(keepends=True), "big")
    assert list(slow.groups[0].goroutine_ids()) == [0]
