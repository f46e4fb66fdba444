"""Stacks shared across snapshots: equal snapshots, one object per distinct stack, dropped with their users."""

from __future__ import annotations

import gc
from pathlib import Path

from ctxguard.runtime.load import load_file
from ctxguard.runtime.share import StackTable

DATA = Path(__file__).resolve().parents[2] / "testdata" / "runtime"


def test_shared_stacks() -> None:
    table = StackTable()
    _share_twice(table)
    gc.collect()
    assert len(table) == 0  # no snapshot uses them any more


def _share_twice(table: StackTable) -> None:
    dump = DATA / "go1.24" / "goroutine.debug2.txt"
    a, b = load_file(str(dump)), load_file(str(dump))
    assert a.groups and a.groups[0].stack is not b.groups[0].stack
    sa, sb = table.share(a), table.share(b)
    assert sa == a and sb == b  # nothing changes but identity
    assert all(x.stack is y.stack for x, y in zip(sa.groups, sb.groups, strict=True))
    assert len(table) == len({g.stack for g in a.groups} | {r.stack for r in a.heap})
