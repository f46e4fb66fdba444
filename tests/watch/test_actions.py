"""Actions against real HTTP receivers on 127.0.0.1 and real processes: no mocks of HTTP or subprocess."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jsonschema
import pytest

from ctxguard.store.model import ActionRecord, Evidence, Incident
from ctxguard.watch.actions import (
    ActionConfigError,
    Actions,
    ActionSpec,
    parse_actions,
    parse_allow,
)
from ctxguard.watch.present import incident_json

T = TypeVar("T")
T0 = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
TOKEN = "s3cret-token-value"
RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"

# Alertmanager's postableAlerts (API v2 openapi), the parts a sender can get wrong.
AM_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["labels"],
        "additionalProperties": False,
        "properties": {
            "labels": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": "^[a-zA-Z_][a-zA-Z0-9_]*$"},
                "additionalProperties": {"type": "string"},
            },
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            "startsAt": {"type": "string", "pattern": RFC3339},
            "endsAt": {"type": "string", "pattern": RFC3339},
            "generatorURL": {"type": "string", "pattern": "^https?://"},
        },
    },
}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A threading HTTP server that records requests; `status`, `delay` and `echo` set how it answers."""

    status: int = 200
    delay: float = 0.0
    echo: bool = False  # answer with the request's Authorization header (a receiver leaking it back)
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                rec.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if rec.delay:
                    rec.release.wait(rec.delay)
                out = json.dumps({"got": self.headers["Authorization"]}).encode() if rec.echo else b"ok"
                self.send_response(rec.status)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def incident(**kw: Any) -> Incident:
    inc = Incident(
        target_id=1,
        target="http://10.0.0.5:6060",
        labels=(("namespace", "prod"), ("service", "api")),
        signature="main.(*Pool).wait\nmain.serve\nnet/http.(*conn).serve",
        level="L1",
        state="open",
        opened_at=T0,
        updated_at=T0 + timedelta(minutes=5),
        deadline_at=T0 + timedelta(minutes=15),
        function="main.(*Pool).wait",
        file="/src/pool.go",
        line=42,
        verdict="leaking",
        evidence="grows steadily; blocked in chan receive",
        numbers=Evidence(goroutines=1200, total=1500, rate_per_min=12.5, share=0.8, snapshots=10),
        id=7,
    )
    return replace(inc, **kw)


def spec(allow: frozenset[str] = frozenset(), /, **table: object) -> ActionSpec:
    """One [[actions]] table (named "a" unless told) through the config parser."""
    table.setdefault("name", "a")
    (s,) = parse_actions([table], "watch.toml", allow)
    return s


def fire(
    specs: list[ActionSpec],
    inc: Incident,
    event: str = "opened",
    allow: frozenset[str] = frozenset(),
    clock: Clock | None = None,
) -> list[ActionRecord]:
    async def go() -> list[ActionRecord]:
        async with httpx.AsyncClient(trust_env=False) as client:
            return await Actions(specs, allow, client, clock=clock or Clock()).fire(inc, event)

    return run(go())


def token_file(tmp_path: Path) -> str:
    p = tmp_path / "token"
    p.write_text(TOKEN + "\n")
    return str(p)


# --- Alertmanager ---------------------------------------------------------------------------------


def test_alertmanager_post_is_api_v2_with_bearer_token(receiver: Receiver, tmp_path: Path) -> None:
    am = spec(
        kind="alertmanager",
        url=receiver.url + "/api/v2/alerts",
        **{
            "bearer-token-file": token_file(tmp_path),
            "dashboard-url": "https://grafana.example/d/leaks?var-instance={target}&var-svc={label.service}",
            "runbook": "https://runbooks.example/goroutine-leak#{label.service}",
        },
    )
    (rec,) = fire([am], incident())
    assert (rec.outcome, rec.detail, rec.kind, rec.name, rec.incident_id) == (
        "sent",
        "HTTP 200",
        "alertmanager",
        "a",
        7,
    )
    (req,) = receiver.requests
    assert req.path == "/api/v2/alerts"
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["content-type"] == "application/json"
    body = req.json()
    jsonschema.validate(body, AM_SCHEMA)
    (alert,) = body
    assert alert["labels"] == {
        "alertname": "GoroutineLeak",
        "severity": "L1",
        "target": "http://10.0.0.5:6060",
        "instance": "10.0.0.5:6060",
        "namespace": "prod",
        "service": "api",
        "signature": alert["labels"]["signature"],
    }
    assert len(alert["labels"]["signature"]) == 16
    assert alert["startsAt"] == "2025-03-04T05:06:07Z"
    assert datetime.fromisoformat(alert["startsAt"]) == T0
    assert "endsAt" not in alert
    ann = alert["annotations"]
    assert ann["function"] == "main.(*Pool).wait" and ann["file"] == "/src/pool.go" and ann["line"] == "42"
    assert "grows steadily" in ann["description"] and "1200 of 1500 goroutines" in ann["description"]
    assert ann["runbook_url"] == "https://runbooks.example/goroutine-leak#api"
    # substituted values are URL-quoted in the generator URL
    assert alert["generatorURL"] == (
        "https://grafana.example/d/leaks?var-instance=http%3A%2F%2F10.0.0.5%3A6060&var-svc=api"
    )
    assert TOKEN not in repr(rec)


def test_alertmanager_resolve_sends_ends_at(receiver: Receiver) -> None:
    am = spec(kind="alertmanager", url=receiver.url + "/api/v2/alerts")
    resolved_at = T0 + timedelta(hours=1)
    (rec,) = fire([am], incident(state="resolved", resolved_at=resolved_at), "resolved")
    assert rec.outcome == "sent"
    (alert,) = receiver.requests[0].json()
    jsonschema.validate([alert], AM_SCHEMA)
    assert alert["endsAt"] == "2025-03-04T06:06:07Z"


def test_alertmanager_escalation_ends_the_other_levels(receiver: Receiver) -> None:
    am = spec(kind="alertmanager", url=receiver.url + "/api/v2/alerts")
    clock = Clock()
    clock.now = T0 + timedelta(minutes=30)
    fire([am], incident(level="L1"), "escalated", clock=clock)
    alerts = receiver.requests[0].json()
    jsonschema.validate(alerts, AM_SCHEMA)
    firing = [a for a in alerts if "endsAt" not in a]
    ended = {a["labels"]["severity"]: a["endsAt"] for a in alerts if "endsAt" in a}
    assert [a["labels"]["severity"] for a in firing] == ["L1"]
    assert ended == {"L2": "2025-03-04T05:36:07Z", "L3": "2025-03-04T05:36:07Z"}


def test_refresh_batches_open_incidents_and_reports_only_failures(receiver: Receiver) -> None:
    am = spec(kind="alertmanager", url=receiver.url + "/api/v2/alerts", levels=["L1", "L2"])
    hook = spec(name="hook", kind="webhook", url=receiver.url + "/hook")
    incidents = [
        incident(id=1),
        incident(id=2, level="L2", signature="other"),
        incident(id=3, level="L3"),  # not this action's level
        incident(id=4, state="resolved", resolved_at=T0),
    ]

    async def go() -> tuple[list[ActionRecord], list[ActionRecord]]:
        async with httpx.AsyncClient(trust_env=False) as client:
            actions = Actions([am, hook], frozenset(), client, clock=Clock())
            ok = await actions.refresh(incidents)
            receiver.status = 500
            bad = await actions.refresh(incidents)
            return ok, bad

    ok, bad = run(go())
    assert ok == []
    assert len(receiver.requests) == 2  # one POST per refresh, alertmanager only
    alerts = receiver.requests[0].json()
    jsonschema.validate(alerts, AM_SCHEMA)
    assert sorted(a["annotations"]["incident"] for a in alerts) == ["1", "2"]
    assert all("endsAt" not in a for a in alerts)
    assert [(r.incident_id, r.outcome) for r in bad] == [(1, "failed"), (2, "failed")]
    assert bad[0].detail.startswith("refresh: HTTP 500")


# --- Slack and webhooks ---------------------------------------------------------------------------


def test_slack_escapes_stack_text(receiver: Receiver, tmp_path: Path) -> None:
    url_file = tmp_path / "slack-url"
    url_file.write_text(receiver.url + "/services/T000/B000/XXXX\n")
    slack = spec(kind="slack", **{"url-file": str(url_file)})
    inc = incident(function="main.<!channel>", file="/src/a&b.go", evidence="waits on <http://evil|click>")
    (rec,) = fire([slack], inc)
    assert rec.outcome == "sent"
    (req,) = receiver.requests
    assert req.path == "/services/T000/B000/XXXX"
    body = req.json()
    everything = body["text"] + body["blocks"][0]["text"]["text"]
    assert "<!channel>" not in everything and "<http://evil" not in everything
    assert "main.&lt;!channel&gt;" in body["text"]
    assert "/src/a&amp;b.go" in everything
    assert "&lt;http://evil|click&gt;" in body["blocks"][0]["text"]["text"]
    assert "XXXX" not in repr(rec)  # the webhook URL is a credential


def test_webhook_posts_the_incident_json(receiver: Receiver) -> None:
    hook = spec(kind="webhook", url=receiver.url + "/hook")
    inc = incident(bundle="/var/lib/ctxguard/bundles/7")
    (rec,) = fire([hook], inc, "updated")
    assert rec.outcome == "sent"
    body = receiver.requests[0].json()
    assert body == {"event": "updated", "incident": incident_json(inc)}
    assert set(body["incident"]) == {
        "id",
        "target",
        "labels",
        "level",
        "state",
        "opened_at",
        "updated_at",
        "resolved_at",
        "deadline_at",
        "suspect",
        "evidence",
        "bundle",
    }
    assert body["incident"]["suspect"] == {"function": "main.(*Pool).wait", "file": "/src/pool.go", "line": 42}
    assert body["incident"]["evidence"]["words"] == inc.evidence
    assert body["incident"]["evidence"]["goroutines"] == 1200
    assert body["incident"]["labels"] == {"namespace": "prod", "service": "api"}


def test_hanging_receiver_fails_within_the_timeout(receiver: Receiver) -> None:
    receiver.delay = 10
    hook = spec(kind="webhook", url=receiver.url + "/hook", timeout="300ms")
    start = time.monotonic()
    (rec,) = fire([hook], incident())
    assert time.monotonic() - start < 2
    assert (rec.outcome, rec.detail) == ("failed", "timed out after 0.3s")


def test_server_error_is_failed_with_status_and_no_token(receiver: Receiver, tmp_path: Path) -> None:
    receiver.status = 400
    receiver.echo = True  # the body carries our Authorization header back
    hook = spec(kind="webhook", url=receiver.url + "/hook", **{"bearer-token-file": token_file(tmp_path)})
    (rec,) = fire([hook], incident())
    assert rec.outcome == "failed" and rec.detail.startswith("HTTP 400")
    assert TOKEN not in rec.detail and "<redacted>" in rec.detail
    receiver.status, receiver.echo = 500, False
    (rec,) = fire([hook], incident())
    assert (rec.outcome, rec.detail) == ("failed", "HTTP 500: ok")


def test_unreachable_and_unreadable_secrets_fail_quietly(tmp_path: Path) -> None:
    hook = spec(kind="webhook", url="http://127.0.0.1:9/hook", timeout="2s")  # discard port: refused
    (rec,) = fire([hook], incident())
    assert (rec.outcome, rec.detail) == ("failed", "ConnectError")
    missing = spec(kind="webhook", url="http://127.0.0.1:9/", **{"bearer-token-file": str(tmp_path / "none")})
    (rec,) = fire([missing], incident())
    assert (rec.outcome, rec.detail) == ("failed", "cannot read bearer-token-file")


def test_http_dry_run_sends_nothing(receiver: Receiver) -> None:
    hook = spec(kind="webhook", url=receiver.url, **{"dry-run": True})
    (rec,) = fire([hook], incident())
    assert rec.outcome == "dry-run" and rec.detail.startswith("would POST")
    assert receiver.requests == []


def test_levels_and_events_select_actions(receiver: Receiver) -> None:
    l1 = spec(name="l1", kind="webhook", url=receiver.url, levels=["L1"])
    opened = spec(name="opened", kind="webhook", url=receiver.url, events=["opened"])
    assert [r.name for r in fire([l1, opened], incident(level="L2"))] == ["opened"]
    assert [r.name for r in fire([l1, opened], incident(level="L1"), "updated")] == ["l1"]
    with pytest.raises(ValueError):
        fire([l1], incident(), "reopened")


# --- rate limits ----------------------------------------------------------------------------------


def test_rate_limit_per_action_and_window(receiver: Receiver) -> None:
    hook = spec(kind="webhook", url=receiver.url, **{"max-per-hour": 2})
    clock = Clock()

    async def go() -> list[str]:
        async with httpx.AsyncClient(trust_env=False) as client:
            actions = Actions([hook], frozenset(), client, clock=clock)
            out = []
            for minutes in (0, 1, 2, 59, 61):
                clock.now = T0 + timedelta(minutes=minutes)
                (rec,) = await actions.fire(incident(id=minutes), "opened")
                out.append(rec.outcome)
            return out

    assert run(go()) == ["sent", "sent", "rate-limited", "rate-limited", "sent"]
    assert len(receiver.requests) == 3


def test_rate_limit_seeded_from_the_store(receiver: Receiver) -> None:
    hook = spec(kind="webhook", url=receiver.url, **{"max-per-hour": 2})
    asked: list[tuple[str, datetime]] = []

    def recent(name: str, since: datetime) -> int:
        asked.append((name, since))
        return 2

    async def go() -> ActionRecord:
        async with httpx.AsyncClient(trust_env=False) as client:
            (rec,) = await Actions([hook], frozenset(), client, clock=Clock(), recent=recent).fire(incident(), "opened")
            return rec

    rec = run(go())
    assert (rec.outcome, rec.detail) == ("rate-limited", "2 in the last hour (max-per-hour 2)")
    assert asked == [("a", T0 - timedelta(hours=1))]
    assert receiver.requests == []


# --- commands -------------------------------------------------------------------------------------

ECHO = frozenset({"/bin/echo"})


def test_command_dry_run_is_the_default(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    allow = frozenset({"/usr/bin/touch"})
    cmd = spec(allow, kind="command", argv=["/usr/bin/touch", str(marker), "{label.service}"])
    assert cmd.dry_run and cmd.max_per_hour == 1 and cmd.timeout_s == 60
    (rec,) = fire([cmd], incident(), allow=allow)
    assert (rec.outcome, rec.detail) == ("dry-run", f"would run: /usr/bin/touch {marker} api")
    assert not marker.exists()


def test_command_runs_without_a_shell() -> None:
    cmd = spec(
        ECHO,
        kind="command",
        argv=["/bin/echo", "deployment/{label.service}", "-n", "{label.namespace}", "{id}", "{opened_at}", "$HOME"],
        **{"dry-run": False},
    )
    (rec,) = fire([cmd], incident(), allow=ECHO)
    assert (rec.outcome, rec.kind) == ("sent", "command")
    assert rec.detail == "exit 0: deployment/api -n prod 7 2025-03-04T05:06:07Z $HOME"  # no shell expanded $HOME


@pytest.mark.parametrize(
    ("labels", "why"),
    [
        ((("service", "api; rm -rf /"),), "{label.service} has ';'"),
        ((("service", "api x"),), "{label.service} has ' '"),
        ((("service", "$(id)"),), "{label.service} has '$'"),
        ((("service", "--as=system:admin"),), "{label.service} starts with '-'"),
        ((), "{label.service} is not set"),
    ],
)
def test_command_refuses_unsafe_label_values(tmp_path: Path, labels: tuple[tuple[str, str], ...], why: str) -> None:
    marker = tmp_path / "ran"
    allow = frozenset({"/usr/bin/touch"})
    cmd = spec(allow, kind="command", argv=["/usr/bin/touch", str(marker), "{label.service}"], **{"dry-run": False})
    (rec,) = fire([cmd], incident(labels=labels), allow=allow)
    assert rec.outcome == "refused" and why in rec.detail
    assert not marker.exists()


def test_command_exit_status_timeout_and_rate_limit() -> None:
    allow = frozenset({"/bin/false", "/bin/sleep"})
    false = spec(allow, name="false", kind="command", argv=["/bin/false"], **{"dry-run": False})
    sleep = spec(allow, name="sleep", kind="command", argv=["/bin/sleep", "10"], timeout="300ms", **{"dry-run": False})
    start = time.monotonic()
    recs = fire([false, sleep], incident(), allow=allow)
    assert time.monotonic() - start < 3
    assert [(r.name, r.outcome, r.detail) for r in recs] == [
        ("false", "failed", "exit 1"),
        ("sleep", "failed", "timed out after 0.3s, killed"),
    ]

    async def twice() -> list[str]:
        async with httpx.AsyncClient(trust_env=False) as client:
            actions = Actions([false], allow, client, clock=Clock())
            return [(await actions.fire(incident(), "opened"))[0].outcome for _ in range(2)]

    assert run(twice()) == ["failed", "rate-limited"]  # default: one command an hour


def test_commands_do_not_run_on_resolve(receiver: Receiver) -> None:
    cmd = spec(ECHO, name="cmd", kind="command", argv=["/bin/echo", "x"], **{"dry-run": False})
    hook = spec(name="hook", kind="webhook", url=receiver.url)
    recs = fire([cmd, hook], incident(state="resolved", resolved_at=T0), "resolved", allow=ECHO)
    assert [r.name for r in recs] == ["hook"]


def test_command_refused_when_allow_list_shrinks() -> None:
    cmd = spec(ECHO, kind="command", argv=["/bin/echo", "x"], **{"dry-run": False})
    (rec,) = fire([cmd], incident(), allow=frozenset())
    assert (rec.outcome, rec.detail) == ("refused", "argv[0] is not in [commands] allow")


# --- config ---------------------------------------------------------------------------------------


def test_defaults() -> None:
    hook = spec(kind="webhook", url="https://hooks.example/x")
    assert (hook.max_per_hour, hook.timeout_s, hook.dry_run, hook.levels) == (60, 5.0, False, ("L1", "L2", "L3"))
    assert spec(kind="alertmanager", url="http://am:9093/api/v2/alerts").max_per_hour is None
    cmd = spec(ECHO, kind="command", argv=["/bin/echo"])
    assert "resolved" not in cmd.events
    assert spec(kind="slack", url="https://hooks.slack.com/x", levels=["L2", "L1", "L2"]).levels == ("L1", "L2")


def test_parse_allow() -> None:
    assert parse_allow({"allow": ["kubectl", "/usr/local/bin/capture"]}, "w.toml") == {
        "kubectl",
        "/usr/local/bin/capture",
    }
    assert parse_allow(None) == frozenset()
    with pytest.raises(ActionConfigError, match=r"^w.toml: \[commands\]: unknown key 'deny'"):
        parse_allow({"deny": []}, "w.toml")
    with pytest.raises(ActionConfigError):
        parse_allow({"allow": "kubectl"}, "w.toml")


KUBECTL = frozenset({"kubectl"})


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"kind": "command", "argv": ["rm", "-rf", "/"]}, "argv[0] 'rm' is not in [commands] allow"),
        ({"kind": "command", "argv": ["{label.tool}", "x"]}, "argv[0] must be a literal"),
        ({"kind": "command", "argv": ["kubectl", "{function}"]}, "unknown template field {function}"),
        ({"kind": "command", "argv": ["kubectl", "{label.x!r}"]}, "no format specs or conversions"),
        ({"kind": "command", "argv": ["kubectl", "{label}"]}, "unknown template field {label}"),
        ({"kind": "command", "argv": ["kubectl", "{id"]}, "bad template"),
        ({"kind": "command"}, "missing argv"),
        ({"kind": "command", "argv": "kubectl rollout"}, "argv must be a non-empty list"),
        ({"kind": "command", "argv": ["kubectl"], "events": ["resolved"]}, "commands do not run on resolve"),
        ({"kind": "pager", "url": "http://x"}, "unknown kind 'pager'"),
        ({"kind": "webhook"}, "needs exactly one of url or url-file"),
        ({"kind": "webhook", "url": "ftp://x/"}, "url must be http:// or https://"),
        ({"kind": "webhook", "url": "http://x", "colour": "red"}, "unknown key: 'colour'"),
        ({"kind": "webhook", "url": "http://x", "argv": ["kubectl"]}, "applies to kind 'command' only: 'argv'"),
        ({"kind": "slack", "url": "http://x", "bearer-token-file": "/t"}, "unknown key: 'bearer-token-file'"),
        ({"kind": "webhook", "url": "http://x", "levels": ["L4"]}, "bad level 'L4'"),
        ({"kind": "webhook", "url": "http://x", "levels": []}, "levels must be a non-empty list"),
        ({"kind": "webhook", "url": "http://x", "events": ["fired"]}, "bad event 'fired'"),
        ({"kind": "webhook", "url": "http://x", "timeout": "5 parsecs"}, "bad timeout '5 parsecs'"),
        ({"kind": "webhook", "url": "http://x", "timeout": "0s"}, "timeout must be more than 0"),
        ({"kind": "webhook", "url": "http://x", "max-per-hour": 0}, "max-per-hour must be a whole number"),
        ({"kind": "webhook", "url": "http://x", "dry-run": "yes"}, "dry-run must be true or false"),
        ({"kind": "alertmanager", "url": "http://x", "runbook": "{file}"}, "runbook: unknown template field {file}"),
    ],
)
def test_config_errors_are_one_line(table: dict[str, object], problem: str) -> None:
    with pytest.raises(ActionConfigError) as e:
        parse_actions([{"name": "restart", **table}], "/etc/ctxguard/watch.toml", KUBECTL)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("/etc/ctxguard/watch.toml: action 'restart': "), msg
    assert problem in msg, msg


def test_config_errors_without_a_name_or_with_a_duplicate() -> None:
    with pytest.raises(ActionConfigError, match=r"^w.toml: \[\[actions\]\] #2: missing name$"):
        parse_actions([{"name": "a", "kind": "webhook", "url": "http://x"}, {"kind": "webhook"}], "w.toml")
    with pytest.raises(ActionConfigError, match="'a': the name is used twice"):
        parse_actions([{"name": "a", "kind": "webhook", "url": "http://x"}] * 2, "w.toml")


def test_brief_example_parses() -> None:
    specs = parse_actions(
        [
            {
                "name": "page-oncall",
                "kind": "alertmanager",
                "levels": ["L1", "L2"],
                "url": "http://127.0.0.1:9093/api/v2/alerts",
                "bearer-token-file": "/etc/ctxguard/am-token",
                "timeout": "5s",
            },
            {
                "name": "restart",
                "kind": "command",
                "levels": ["L1"],
                "argv": ["kubectl", "rollout", "restart", "deployment/{label.service}", "-n", "{label.namespace}"],
                "dry-run": True,
                "max-per-hour": 2,
                "timeout": "60s",
            },
        ],
        "watch.toml",
        parse_allow({"allow": ["kubectl", "/usr/local/bin/capture"]}),
    )
    assert [s.name for s in specs] == ["page-oncall", "restart"]
    assert specs[1].max_per_hour == 2 and [t.text for t in specs[1].argv][3] == "deployment/{label.service}"
