"""kill -9 in the middle of writes: the store reopens consistent, every acknowledged snapshot readable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import func, select

from ctxguard.store.db import Store
from ctxguard.store.model import Target
from ctxguard.store.schema import group_details, snapshots

from storekit import TESTDATA

# Writes debug=1 snapshots and debug=2 dumps (group details rows) in turn, printing the count
# after each commit, until killed.
WRITER = textwrap.dedent(
    """
    import dataclasses, sys
    from datetime import timedelta
    from ctxguard.runtime.load import load_file
    from ctxguard.store.db import Store
    url, target_id, testdata = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    dumps = [load_file(f"{testdata}/go1.27/{name}") for name in ("goroutine.debug1.txt", "goroutine.debug2.txt")]
    store = Store.open(url)
    i = 0
    while True:
        snap = dumps[i % 2]
        store.add_snapshot(target_id, dataclasses.replace(snap, time=snap.time + timedelta(seconds=i)))
        i += 1
        print(i, flush=True)
    """
)


def kill_mid_write(url: str, target_id: int, after: int) -> int:
    """Start the writer, SIGKILL it once `after` writes committed; returns the last count it printed
    before it died (read to the end of its output: under load it runs ahead of our reading)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(target_id), str(TESTDATA)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    acknowledged = 0
    deadline = time.monotonic() + 60
    try:
        for line in proc.stdout:
            acknowledged = int(line)
            if acknowledged >= after or time.monotonic() > deadline:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # at once: most likely in the middle of the next write
        proc.wait()
        # commits the writer acknowledged while we read: still in the pipe when it died
        acknowledged = max([acknowledged, *(int(line) for line in proc.stdout.read().split())])
        proc.stdout.close()
    assert acknowledged >= after, proc.stderr.read() if proc.stderr else ""
    if proc.stderr is not None:
        proc.stderr.close()
    return acknowledged


def test_kill_9_mid_write(db_url: str) -> None:
    with Store.open(db_url) as store:
        [t] = store.upsert_targets([Target("http://killed:1")])
    assert t.id is not None
    total = dumps = 0
    for round_ in range(2):
        acknowledged = kill_mid_write(db_url, t.id, after=15 + 10 * round_)
        with Store.open(db_url, migrate=False) as store:
            if store.dialect == "sqlite":
                with store._read() as conn:
                    assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            n = store.snapshot_count(t.id)
            # what was acknowledged is there; the write in flight is either all there or not at all
            assert total + acknowledged <= n <= total + acknowledged + 1
            dumps += (n - total) // 2  # each writer starts with a debug=1 snapshot, then a dump
            total = n
            window = store.window(t.id)
            assert len(window) == n
            assert sum(1 for s in window if s.has_ids) == dumps
            with store._read() as conn:
                details = conn.execute(select(func.sum(snapshots.c.details))).scalar_one()
                rows = conn.execute(select(func.count()).select_from(group_details)).scalar_one()
            assert details == rows  # no snapshot without its details, none left over
