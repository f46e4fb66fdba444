"""The trace reader's spill file: a generation's event batches read back from disk give the same
lifetimes as from memory, and no temporary file outlives the read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from ctxguard.runtime.trace import reader
from ctxguard.runtime.trace.lifetimes import read_lifetimes

TRACES = sorted((Path(__file__).resolve().parents[2] / "testdata" / "runtime" / "trace").glob("go1.*.trace"))


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.name)
def test_spilled_to_disk_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = read_lifetimes(path)
    rolled: list[bool] = []
    real = tempfile.SpooledTemporaryFile

    def watched(*args: object, **kwargs: object) -> tempfile.SpooledTemporaryFile[bytes]:
        f: tempfile.SpooledTemporaryFile[bytes] = real(*args, **kwargs)  # type: ignore[call-overload]
        close = f.close

        def noted() -> None:
            rolled.append(f._rolled)  # type: ignore[attr-defined]  # on disk by then?
            close()

        f.close = noted  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(reader, "SPILL_IN_MEMORY", 1)  # every batch past the first byte goes to disk
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", watched)
    on_disk = read_lifetimes(path)
    assert on_disk == in_memory
    assert rolled and all(rolled), rolled  # every generation's spill was read back from disk


def test_a_cut_trace_closes_its_spill(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    closed: list[bool] = []
    real = tempfile.SpooledTemporaryFile

    def tracked(*args: object, **kwargs: object) -> tempfile.SpooledTemporaryFile[bytes]:
        f: tempfile.SpooledTemporaryFile[bytes] = real(*args, **kwargs)  # type: ignore[call-overload]
        closed.append(False)
        i = len(closed) - 1
        close = f.close

        def mark() -> None:
            closed[i] = True
            close()

        f.close = mark  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", tracked)
    data = TRACES[0].read_bytes()
    cut = tmp_path / "cut.trace"
    cut.write_bytes(data[: len(data) * 9 // 10])
    out = read_lifetimes(cut)
    assert out.truncated and closed and all(closed), closed
