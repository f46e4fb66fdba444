"""`ctxguard watch` reads the context census of a target that embeds ctxguard's Go module: contexts
never cancelled piling up open an incident at the line that derives them, with no goroutine parked
anywhere; a target without the module (404) is asked again only after dump-interval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakefleet import CENSUS_FILE, CENSUS_LINE, FakeFleet
from watchkit import start_watch, toml_config, wait_for


@pytest.fixture
def fleet() -> Iterator[FakeFleet]:
    server = FakeFleet(census=frozenset({0})).start()
    yield server
    server.shutdown()


def test_contexts_piling_up_open_an_incident_at_their_line(fleet: FakeFleet, tmp_path: Path) -> None:
    targets = [(f"{fleet.base}/t/{i}", {"service": f"svc{i}"}) for i in (0, 1)]
    watch = start_watch(toml_config(tmp_path / "data", targets, interval="500ms", window="10s"), tmp_path)
    try:
        opened = wait_for("an incident on the census", lambda: watch.incidents("open"), timeout=40)
        assert [i["labels"]["service"] for i in opened] == ["svc0"]
        inc = opened[0]
        assert (inc["suspect"]["file"], inc["suspect"]["line"]) == (CENSUS_FILE, CENSUS_LINE), inc
        assert inc["evidence"]["goroutines"] == 0, inc["evidence"]  # contexts, not parked goroutines
        asked = [p for p in fleet.asked if p.endswith("/debug/ctxguard/contexts")]
        assert asked.count("/t/1/debug/ctxguard/contexts") == 1, "a 404 is not asked again before dump-interval"
        assert asked.count("/t/0/debug/ctxguard/contexts") >= 10
    finally:
        watch.stop()
