"""Three `ctxguard watch` agents share one PostgreSQL and lease the targets from it; one is killed.

A pprof server in the test records which agent asked for which target, and when
(agents name themselves in the User-Agent). While all three live, every target
is scraped by exactly one of them; after one is killed with SIGKILL, its targets
move to the survivors within a lease period, the dead agent's requests stop, and
no target is ever scraped by two agents in the same stretch of time.
"""

from __future__ import annotations

import os
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakefleet import FakeFleet
from pgserver import pg_fresh_url, pg_server  # noqa: F401  (fixtures)
from watchkit import Watch, start_watch, toml_config

TARGETS = 30
TTL = 3.0


@pytest.fixture
def fleet() -> Iterator[FakeFleet]:
    server = FakeFleet().start()
    yield server
    server.shutdown()


def owners(log: list[tuple[float, int, str]], start: float, end: float) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for t, target, agent in log:
        if start <= t < end:
            out[target].add(agent)
    return out


def test_three_agents_one_killed(fleet: FakeFleet, pg_fresh_url, tmp_path: Path) -> None:  # noqa: F811
    url = pg_fresh_url()
    targets = [(f"{fleet.base}/t/{i}", {"service": f"s{i}"}) for i in range(TARGETS)]
    agents: dict[str, Watch] = {}
    try:
        for name in ("a1", "a2", "a3"):
            extra = f'agent = "{name}"\nlease-ttl = "{TTL:g}s"'
            cfg = toml_config(tmp_path / name, targets, database=url, extra=extra, interval="1s", window="20s")
            agents[name] = start_watch(cfg, tmp_path, name=name)
        time.sleep(4 * TTL)  # the first agent up took everything; the others joined and the leases spread
        t0 = time.monotonic()
        time.sleep(3 * TTL)
        t1 = time.monotonic()
        with fleet.lock:
            steady = owners(list(fleet.log), t0, t1)
        missing = set(range(TARGETS)) - set(steady)
        assert not missing, [(round(t - t0, 1), n, a) for t, n, a in fleet.log if n in missing]
        assert all(len(a) == 1 for a in steady.values()), {k: v for k, v in steady.items() if len(v) > 1}
        per_agent = defaultdict(int)
        for a in steady.values():
            per_agent[next(iter(a))] += 1
        assert set(per_agent) == {"a1", "a2", "a3"} and max(per_agent.values()) <= TARGETS // 3 + 2, per_agent

        victim = "a2"
        os.killpg(agents[victim].proc.pid, signal.SIGKILL)
        agents[victim].proc.wait(timeout=10)
        killed = time.monotonic()
        time.sleep(TTL + 3 * 1.0 + 2)  # a lease period, a lease round of the survivors, a scrape
        t2 = time.monotonic()
        time.sleep(2 * TTL)
        t3 = time.monotonic()
        with fleet.lock:
            log = list(fleet.log)
        assert not [e for e in log if e[2] == victim and e[0] > killed + 0.5], "the dead agent scrapes nothing"
        after = owners(log, t2, t3)
        gone = set(range(TARGETS)) - set(after)
        assert not gone, [(round(t - killed, 1), n, a) for t, n, a in log if n in gone and t > killed - 3]
        assert all(len(a) == 1 and victim not in a for a in after.values()), after
        # never two agents on one target at once: between any two requests of one agent to a
        # target, no other agent asked for it (a handover happens once, not back and forth)
        by_target: dict[int, list[str]] = defaultdict(list)
        for _, target, agent in sorted(e for e in log if e[0] >= t0):
            if not by_target[target] or by_target[target][-1] != agent:
                by_target[target].append(agent)
        assert all(len(seq) == len(set(seq)) for seq in by_target.values()), dict(by_target)
        for name, w in agents.items():
            if name != victim:
                assert w.proc.poll() is None, w.stderr()
    finally:
        for w in agents.values():
            w.stop()
