"""Fixtures of the dashboard's tests: a store filled with real decoded snapshots, and apps over it.

The leaking target is the real go1.26 dump and heap profile of testdata/runtime/gen/leaky,
replayed over ten rounds with its orphaned senders (main.go:276) and its leaked
cancelCtx objects (main.go:458) growing, as a leak makes them grow. A third target
carries script in its labels and its stack frames.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx is what ctxguard has
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from ctxguard.runtime.load import load_file
from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack
from ctxguard.store.db import Store
from ctxguard.store.model import ActionRecord, Evidence, Incident, Target
from ctxguard.watch.config import DEFAULT_LEVELS
from ctxguard.web.app import build, dashboard_routes
from ctxguard.web.fleet import Fleet

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "testdata" / "runtime" / "go1.26"
CHECKOUT = ROOT / "testdata" / "runtime" / "gen"  # the leaky service's source: suspects link into it
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, IMG)
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ROUNDS = 10
STEP = timedelta(seconds=30)
LEAK_LINE = 276  # main.orphanedSender: `results <- ...`, nobody receives
TOKEN = "t0ps3cret"


@dataclass(frozen=True)
class Filled:
    data_dir: Path
    database: str
    quote: int  # the leaking target (real dumps)
    calm: int  # a healthy one
    evil: int  # script in its labels and frames
    incident: int  # the leak's incident, with a bundle
    evil_incident: int
    secret: Path  # a file next to the bundles that must never be served


def _leaky_rounds() -> list[Snapshot]:
    dump, heap = load_file(str(REAL / "goroutine.debug1.txt")), load_file(str(REAL / "heap.pb.gz"))
    out = []
    for i in range(ROUNDS):
        grow = 40 * i
        groups = tuple(
            replace(g, count=g.count + grow) if g.stack.location() and g.stack.location().line == LEAK_LINE else g  # type: ignore[union-attr]
            for g in dump.groups
        )
        out.append(replace(dump, time=T0 + STEP * i, goroutines=dump.goroutines + grow, groups=groups))
        if i % 3 == 0:  # a heap profile every third round, as heap-interval makes it
            k = 1 + i
            records = tuple(
                replace(r, inuse_objects=r.inuse_objects * k, inuse_bytes=r.inuse_bytes * k)
                if any(f.function == "main.leakCancelCtx" for f in r.stack.frames)
                else r
                for r in heap.heap
            )
            out.append(replace(heap, time=T0 + STEP * i + timedelta(seconds=1), heap=records))
    return out


def _calm_rounds() -> list[Snapshot]:
    pool = Stack((Frame("runtime.gopark", "/go/src/runtime/proc.go", 425), Frame("main.worker", "/src/calm/w.go", 9)))
    return [
        Snapshot("http://calm:6060/x", "goroutine-debug1", T0 + STEP * i, 12, (GoroutineGroup(pool, 10),))
        for i in range(ROUNDS)
    ]


def _evil_rounds() -> list[Snapshot]:
    evil = Stack(
        (
            Frame("runtime.gopark", "/go/src/runtime/proc.go", 425),
            Frame("runtime.chansend1", "/go/src/runtime/chan.go", 161),
            Frame(f"main.{SCRIPT}", f"/src/{IMG}.go", 7),
            Frame(f"main.caller{IMG}", f"/src/{SCRIPT}.go", 9),
        )
    )
    return [
        Snapshot(
            "http://evil:6060/x", "goroutine-debug1", T0 + STEP * i, 30 * (i + 1), (GoroutineGroup(evil, 30 * i + 1),)
        )
        for i in range(ROUNDS)
    ]


def _incident(target: Target, function: str, file: str, line: int, bundle: str = "") -> Incident:
    assert target.id is not None
    opened = T0 + STEP * 6
    return Incident(
        target_id=target.id,
        target=target.url,
        labels=target.labels,
        signature=f"sig-{target.id}",
        level="L2",
        state="open",
        opened_at=opened,
        updated_at=T0 + STEP * 9,
        # escalated to L2 at round 8: its deadline restarted from there (L2 responds within 90 s)
        deadline_at=T0 + STEP * 8 + timedelta(seconds=90),
        function=function,
        file=file,
        line=line,
        verdict="leaking",
        evidence=f"goroutines on {function} rose steadily",
        numbers=Evidence(goroutines=380, total=450, rate_per_min=80.0, share=0.84, snapshots=10),
        bundle=bundle,
    )


def fill(data_dir: Path) -> Filled:
    data_dir.mkdir(parents=True, exist_ok=True)
    database = f"sqlite:///{data_dir / 'ctxguard.db'}"
    with Store.open(database) as store:
        quote, calm, evil = store.upsert_targets(
            [
                Target("http://quote:6060", (("env", "prod"), ("service", "leaky"))),
                Target("http://calm:6060", (("env", "staging"), ("service", "calm"))),
                Target("http://evil:6060", (("service", SCRIPT), ("team", IMG))),
            ]
        )
        for t, rounds in ((quote, _leaky_rounds()), (calm, _calm_rounds()), (evil, _evil_rounds())):
            for snap in rounds:
                store.add_snapshot(t.id or 0, snap)
        bundle = data_dir / "bundles" / "quote_6060" / "1-20261207T120300Z"
        bundle.mkdir(parents=True)
        (bundle / "incident.json").write_text('{"id": 1}\n')
        (bundle / "report.html").write_text(f"<html>{SCRIPT}</html>\n")
        (bundle / "goroutine-debug2.txt").write_text("goroutine 1 [running]:\n")
        secret = data_dir / "secret.txt"
        secret.write_text("do not serve\n")
        os.symlink(secret, bundle / "link.txt")  # a link out of the bundle: listed nowhere, served never
        main_go = "/work/main/testdata/runtime/gen/leaky/main.go"
        inc = store.save_incident(_incident(quote, "main.orphanedSender", main_go, LEAK_LINE, str(bundle)))
        bad = store.save_incident(_incident(evil, f"main.{SCRIPT}", f"/src/{IMG}.go", 7))
        assert inc.id is not None and bad.id is not None
        for name, kind, outcome, at in (("hook", "webhook", "sent", 6), ("restart", "command", "dry-run", 8)):
            store.record_action(ActionRecord(inc.id, kind, name, T0 + STEP * at, outcome, detail=f"{IMG} 200"))
    return Filled(data_dir, database, quote.id or 0, calm.id or 0, evil.id or 0, inc.id, bad.id, secret)


@pytest.fixture
def filled(tmp_path: Path) -> Filled:
    return fill(tmp_path / "data")


def serve_app(f: Filled, token: str = "", sources: dict[str, str] | None = None) -> Iterator[TestClient]:
    store = Store.open(f.database, migrate=False)
    fleet = Fleet(
        store,
        900.0,
        sources if sources is not None else {"leaky": str(CHECKOUT)},
        {r.level: r.response_s for r in DEFAULT_LEVELS},
        f.data_dir / "bundles",
    )
    try:
        with TestClient(build(dashboard_routes(fleet), token)) as client:
            yield client
    finally:
        store.close()


@pytest.fixture
def client(filled: Filled) -> Iterator[TestClient]:
    yield from serve_app(filled)


@pytest.fixture
def guarded(filled: Filled) -> Iterator[TestClient]:
    yield from serve_app(filled, token=TOKEN)
