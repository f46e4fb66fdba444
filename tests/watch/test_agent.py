"""A real `ctxguard watch` on a fake fleet, on SQLite and on PostgreSQL:

- a leaking target gets one incident at the leak's line, a healthy one none, and a target
  that refuses the agent's token is reported down (401), without a heap, debug=2 or trace
  endpoint anywhere (the agent does without; it asks for a trace once, of the suspected target);
- the incident's actions run: a webhook is posted, an allow-listed command is recorded as a
  dry run (nothing executed);
- kill -9 of the agent while it writes, then a restart: every stored snapshot is still there,
  the store opens cleanly, the same incident continues (no duplicate);
- the leak stops: the incident resolves and the webhook hears of it;
- the CLI lists and shows it; `db status` reports the schema.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from ctxguard.store.db import Store

from fakefleet import LEAK_FILE, LEAK_LINE, FakeFleet
from pgserver import pg_fresh_url, pg_server  # noqa: F401  (fixtures)
from watchkit import start_watch, toml_config, wait_for


@pytest.fixture
def fleet() -> Iterator[FakeFleet]:
    server = FakeFleet(leaky=frozenset({0}), token="s3cret").start()
    yield server
    server.shutdown()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'ctxguard.db'}"
    fresh: Callable[[], str] = request.getfixturevalue("pg_fresh_url")
    return fresh()


def ctxguard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctxguard", *args], capture_output=True, text=True, timeout=60)


def test_agent_end_to_end(fleet: FakeFleet, database: str, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret\n")
    extra = f"""
agent = "agent-1"  # a stable name: the restarted agent resumes its own leases at once
lease-ttl = "3s"
trace = "1s"
trace-interval = "1h"
[commands]
allow = ["/bin/echo"]
[[actions]]
name = "hook"
kind = "webhook"
url = "{fleet.base}/hook"
[[actions]]
name = "restart"
kind = "command"
argv = ["/bin/echo", "restart", "{{label.service}}"]
"""
    cfg = toml_config(
        tmp_path / "data", [], database=database, extra=extra, interval="500ms", window="10s", resolve_after="3s"
    )
    for i, token in ((0, True), (1, True), (2, False)):
        cfg += f'[[targets]]\nurl = "{fleet.base}/t/{i}"\nlabels = {{ service = "svc{i}" }}\n'
        cfg += f'bearer-token-file = "{tmp_path / "token"}"\n' if token else ""
    watch = start_watch(cfg, tmp_path)
    try:
        opened = wait_for("an incident on the leaking target", lambda: watch.incidents("open"), timeout=40)
        assert [i["labels"]["service"] for i in opened] == ["svc0"]
        inc = opened[0]
        assert (inc["suspect"]["file"], inc["suspect"]["line"]) == (LEAK_FILE, LEAK_LINE)
        rows = {r["labels"]["service"]: r for r in watch.api("/api/targets")}  # type: ignore[union-attr,index]
        assert rows["svc1"]["up"] and not rows["svc2"]["up"] and "HTTP 401" in rows["svc2"]["last_error"]
        assert "s3cret" not in watch.stderr()
        traced = [p for p in fleet.asked if "/debug/pprof/trace" in p]
        assert traced == ["/t/0/debug/pprof/trace?seconds=1"], traced
        wait_for("the webhook", lambda: [h for h in fleet.hooks if h["body"]["event"] == "opened"], timeout=10)
        shown = json.loads(ctxguard("incident", str(inc["id"]), "--config", str(watch.config), "-f", "json").stdout)
        outcomes = {a["name"]: a["outcome"] for a in shown["actions"]}
        assert outcomes == {"hook": "sent", "restart": "dry-run"}, shown["actions"]

        # kill -9 while it writes two snapshots a second per target, then restart
        with Store.open(database) as store:
            before = sum(store.snapshot_count(t.id or 0) for t in store.targets())
        os.killpg(watch.proc.pid, signal.SIGKILL)
        watch.proc.wait(timeout=10)
        with Store.open(database, migrate=False) as store:
            stored = {t.url: store.snapshot_count(t.id or 0) for t in store.targets()}
            assert sum(stored.values()) >= before
            assert len(store.window(inc_target_id(store, fleet), None)) == stored[f"{fleet.base}/t/0"]
        watch = start_watch(cfg, tmp_path, name="watch-again")
        wait_for(
            "the same incident, updated by the restarted agent",
            lambda: [i for i in watch.incidents() if i["updated_at"] > inc["updated_at"]],
            timeout=20,
        )
        assert [i["id"] for i in watch.incidents()] == [inc["id"]], "continued, not reopened"

        fleet.leaky = frozenset()  # the fix is deployed: the stack drains
        wait_for("resolved", lambda: watch.incidents("resolved"), timeout=30)
        wait_for("the webhook hears", lambda: [h for h in fleet.hooks if h["body"]["event"] == "resolved"], timeout=10)
        listed = ctxguard("incidents", "--config", str(watch.config))
        assert listed.returncode == 0 and "resolved" in listed.stdout and f"{LEAK_FILE}:{LEAK_LINE}" in listed.stdout
        status = ctxguard("db", "status", "--database", database)
        assert status.returncode == 0 and "up to date" in status.stdout, status
    finally:
        watch.stop()


def inc_target_id(store: Store, fleet: FakeFleet) -> int:
    return next(t.id for t in store.targets() if t.url == f"{fleet.base}/t/0" and t.id is not None)


def test_bad_config_and_check_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('interval = "often"\n[[targets]]\nurl = "http://127.0.0.1:1"\n')
    out = ctxguard("watch", "--config", str(bad))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "interval" in out.stderr, out.stderr
    good = tmp_path / "good.toml"
    good.write_text(toml_config(tmp_path / "data", [("http://127.0.0.1:1", {"service": "a"})]))
    out = ctxguard("watch", "--config", str(good), "--check-config")
    assert out.returncode == 0 and "1 targets" in out.stdout and "http://127.0.0.1:1" in out.stdout, out
    missing = ctxguard("incidents", "--data-dir", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no store here" in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = tmp_path / "busy.toml"
        busy.write_text(good.read_text().replace('listen = "127.0.0.1:0"', f'listen = "127.0.0.1:{port}"'))
        out = ctxguard("watch", "--config", str(busy))
    assert out.returncode == 2 and f"listen 127.0.0.1:{port}: Address already in use" in out.stderr, out.stderr


def test_tls_targets(tmp_path: Path) -> None:
    """A target served over TLS by a private CA: watched with the CA's file, down without it."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    fleet = FakeFleet(tls=server_ctx).start()
    try:
        cfg = toml_config(tmp_path / "data", [], interval="500ms", window="10s")
        cfg += f'[[targets]]\nurl = "{fleet.base}/t/0"\nlabels = {{ service = "trusted" }}\n'
        cfg += f'tls = {{ ca-file = "{tmp_path / "ca.pem"}" }}\n'
        cfg += f'[[targets]]\nurl = "{fleet.base}/t/1"\nlabels = {{ service = "unknown-ca" }}\n'
        watch = start_watch(cfg, tmp_path)
        try:
            rows = wait_for(
                "both targets tried",
                lambda: (r := watch.api("/api/targets")) and all(t["rounds"] or t["errors"] for t in r) and r,  # type: ignore[union-attr]
                timeout=20,
            )
            by = {r["labels"]["service"]: r for r in rows}
            assert by["trusted"]["up"] and by["trusted"]["rounds"] > 0, by["trusted"]
            assert not by["unknown-ca"]["up"] and "CERTIFICATE_VERIFY_FAILED" in by["unknown-ca"]["last_error"]
        finally:
            watch.stop()
    finally:
        fleet.shutdown()


def test_one_agent_per_sqlite_store(tmp_path: Path) -> None:
    cfg = toml_config(tmp_path / "data", [("http://127.0.0.1:1", {"service": "a"})])
    first = start_watch(cfg, tmp_path, name="first")
    try:
        second = ctxguard("watch", "--config", str(first.config))
        assert second.returncode == 2 and "another ctxguard watch uses this data directory" in second.stderr
    finally:
        first.stop()
