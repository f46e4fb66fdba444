"""Taking the configured actions for an incident: Alertmanager, Slack, webhooks, commands.

Nothing here raises on a failed action: every attempt ends in an ActionRecord
(sent | failed | dry-run | rate-limited | refused) whose detail is short and
free of credentials (no token, no URL: a Slack webhook URL is a secret too).

Only trusted fields (the incident's id, level, state, target URL, opened_at and
the target's labels, which come from the operator) ever reach a command's
argv; stack text (function, file, evidence) goes only into HTTP bodies, as data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import shlex
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from ctxguard.store.model import LEVELS, ActionRecord, Incident
from ctxguard.watch.actions.config import EVENTS, ActionSpec, Template
from ctxguard.watch.present import incident_json, rfc3339

Clock = Callable[[], datetime]
Recent = Callable[[str, datetime], int]  # (action name, since) -> attempts recorded since then

# The outcomes that spend an action's hourly budget; the store's `Recent` should count these.
# Dry runs spend it too, so that a dry run shows what the limit would let through.
COUNTED_OUTCOMES = ("sent", "failed", "dry-run")

# What a substituted value may hold: enough for names, hosts, ports, paths and k=v; no
# spaces, quotes, globs, `;`, `$` or `+`. `_` is as harmless as `-` and common in label values.
_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9_.:/=@-]")
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOUR = timedelta(hours=1)
_DETAIL_MAX = 300
_OUTPUT_KEEP = 4096  # bytes of a command's output kept; the rest is read and dropped
_REFRESH_BATCH = 200  # alerts per POST when re-sending


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _Refused(Exception):
    pass


class Actions:
    """The configured actions, run for incidents as the agent grades them.

    `recent` (the store's count of an action's attempts since a time) seeds the
    hourly budgets once, so that a restarted agent does not get a fresh budget;
    after that the budgets are kept here, since records of attempts in flight
    are not in the store yet.
    """

    def __init__(
        self,
        specs: Sequence[ActionSpec],
        allow: frozenset[str],
        client: httpx.AsyncClient,
        *,
        clock: Clock = _utcnow,
        recent: Recent | None = None,
    ) -> None:
        self.specs = tuple(specs)
        self._allow = allow
        self._client = client
        self._clock = clock
        now = clock()
        # Attempts per action over the last hour; pre-start ones are dated now (we only know
        # how many there were), which can only make the limit stricter for the first hour.
        self._attempts: dict[str, list[datetime]] = {
            s.name: [now] * (recent(s.name, now - _HOUR) if recent is not None and s.max_per_hour else 0)
            for s in self.specs
        }

    async def fire(self, incident: Incident, event: str) -> list[ActionRecord]:
        """Run every action for the incident's level and this event, concurrently; one record each."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}")  # a bug in the caller, not a failed action
        at = self._clock()
        jobs: list[asyncio.Future[ActionRecord]] = []
        for spec in self.specs:
            if incident.level not in spec.levels or event not in spec.events:
                continue
            if spec.kind == "command" and event == "resolved":
                continue  # nothing to undo; a restart on resolve would be a surprise
            jobs.append(asyncio.ensure_future(self._one(spec, incident, event, at)))
        return list(await asyncio.gather(*jobs))

    async def refresh(self, incidents: Sequence[Incident]) -> list[ActionRecord]:
        """Re-send the open incidents to Alertmanager, which resolves alerts it stops hearing about.

        Not rate limited and not recorded when it works: this is keeping state in
        step, not a new page. Returns a failed record per incident when a post fails.
        """
        at = self._clock()
        records: list[ActionRecord] = []
        for spec in self.specs:
            if spec.kind != "alertmanager" or spec.dry_run:
                continue
            mine = [i for i in incidents if i.state == "open" and i.level in spec.levels]
            for start in range(0, len(mine), _REFRESH_BATCH):
                batch = mine[start : start + _REFRESH_BATCH]
                alerts = [alertmanager_alert(i, spec, "updated", at) for i in batch]
                try:
                    outcome, detail = await self._post(spec, alerts)
                except Exception as e:  # a failed action never stops the agent
                    outcome, detail = "failed", type(e).__name__
                if outcome != "sent":
                    records += [_record(i, spec, at, outcome, f"refresh: {detail}") for i in batch]
        return records

    async def _one(self, spec: ActionSpec, inc: Incident, event: str, at: datetime) -> ActionRecord:
        try:
            argv: list[str] = []
            if spec.kind == "command":
                try:
                    argv = render_argv(spec, inc, self._allow)
                except _Refused as e:
                    return _record(inc, spec, at, "refused", str(e))
            limited = self._spend(spec, at)
            if limited:
                return _record(inc, spec, at, "rate-limited", limited)
            if spec.kind == "command":
                outcome, detail = await self._run(spec, argv)
            else:
                body: object
                if spec.kind == "alertmanager":
                    body = _alertmanager_body(inc, spec, event, at)
                elif spec.kind == "slack":
                    body = slack_message(inc, event)
                else:
                    body = {"event": event, "incident": incident_json(inc)}
                outcome, detail = await self._post(spec, body)
        except Exception as e:  # a failed action never stops the agent; the class name holds no secret
            outcome, detail = "failed", f"error: {type(e).__name__}"
        return _record(inc, spec, at, outcome, detail)

    def _spend(self, spec: ActionSpec, at: datetime) -> str:
        """Takes one attempt from the hourly budget; '' if allowed, else why not."""
        if spec.max_per_hour is None:
            return ""
        recent = [t for t in self._attempts[spec.name] if t > at - _HOUR]
        if len(recent) >= spec.max_per_hour:
            self._attempts[spec.name] = recent
            return f"{len(recent)} in the last hour (max-per-hour {spec.max_per_hour})"
        self._attempts[spec.name] = [*recent, at]
        return ""

    async def _post(self, spec: ActionSpec, body: object) -> tuple[str, str]:
        data = json.dumps(body).encode()
        try:
            url = spec.url or _read_secret(spec.url_file)
        except OSError:
            return "failed", "cannot read url-file"
        if not url:
            return "failed", "url-file is empty"
        headers = {"Content-Type": "application/json"}
        token = ""
        if spec.bearer_token_file:
            try:
                token = _read_secret(spec.bearer_token_file)
            except OSError:
                return "failed", "cannot read bearer-token-file"
            if not token:
                return "failed", "bearer-token-file is empty"
            headers["Authorization"] = f"Bearer {token}"
        if spec.dry_run:
            return "dry-run", f"would POST {len(data)} bytes"
        try:
            # httpx's timeout bounds each phase; this bounds the whole exchange
            # (a receiver trickling bytes would otherwise hold us indefinitely).
            async with asyncio.timeout(spec.timeout_s):
                # Redirects are not followed (httpx's default): the token stays with the configured host.
                resp = await self._client.post(url, content=data, headers=headers, timeout=spec.timeout_s)
        except (TimeoutError, httpx.TimeoutException):
            return "failed", f"timed out after {spec.timeout_s:g}s"
        except httpx.HTTPError as e:
            return "failed", type(e).__name__  # the message may quote the URL
        if 200 <= resp.status_code < 300:
            return "sent", f"HTTP {resp.status_code}"
        text = resp.text[:65536]
        for secret in (token, url):  # a receiver echoing the request must not put secrets in the record
            if secret:
                text = text.replace(secret, "<redacted>")
        text = text[:200]  # only after redacting: a cut could leave part of a secret
        return "failed", _one_line(f"HTTP {resp.status_code}: {text}" if text.strip() else f"HTTP {resp.status_code}")

    async def _run(self, spec: ActionSpec, argv: list[str]) -> tuple[str, str]:
        if spec.dry_run:
            return "dry-run", _one_line(f"would run: {shlex.join(argv)}")
        try:
            # exec, never a shell; its own session, so a timeout kills its children too
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as e:
            return "failed", f"cannot start {argv[0]}: {type(e).__name__}"
        assert proc.stdout is not None
        kept = bytearray()
        try:
            async with asyncio.timeout(spec.timeout_s):
                while chunk := await proc.stdout.read(65536):
                    if len(kept) < _OUTPUT_KEEP:
                        kept += chunk[: _OUTPUT_KEEP - len(kept)]
                code = await proc.wait()
        except TimeoutError:
            _kill_group(proc.pid)
            await proc.wait()
            return "failed", f"timed out after {spec.timeout_s:g}s, killed"
        except asyncio.CancelledError:  # the agent is stopping: leave no command running behind it
            _kill_group(proc.pid)
            raise
        out = kept.decode(errors="replace").strip()
        detail = f"exit {code}" + (f": {out}" if out else "")
        return ("sent" if code == 0 else "failed"), _one_line(detail)


def render_argv(spec: ActionSpec, inc: Incident, allow: frozenset[str]) -> list[str]:
    """The argv to run, one element per argument; raises _Refused when a value is not safe to pass."""
    if not spec.argv or spec.argv[0].text not in allow:  # checked at load time too; the allow-list may have changed
        raise _Refused("argv[0] is not in [commands] allow")

    def value(field: str) -> str:
        v = trusted_value(inc, field)
        if not v:
            raise _Refused(f"{{{field}}} is not set for this incident")
        bad = _UNSAFE_CHAR.search(v)
        if bad:
            raise _Refused(f"{{{field}}} has {bad.group()!r}, outside the safe set [A-Za-z0-9_.:/=@-]")
        if v.startswith("-"):  # would be read as an option by the program
            raise _Refused(f"{{{field}}} starts with '-'")
        return v

    return [t.render(value) for t in spec.argv]


def trusted_value(inc: Incident, field: str) -> str:
    """A template field's value; '' when unset (a missing label, an unstored incident)."""
    if field.startswith("label."):
        return dict(inc.labels).get(field[6:], "")
    return {
        "id": str(inc.id) if inc.id is not None else "",
        "level": inc.level,
        "state": inc.state,
        "target": inc.target,
        "opened_at": rfc3339(inc.opened_at),
    }[field]


def alertmanager_alert(inc: Incident, spec: ActionSpec, event: str, now: datetime) -> dict[str, object]:
    """One alert as Alertmanager's API v2 takes it: every label and annotation a string."""
    labels = _alert_labels(inc, inc.level)
    n = inc.numbers
    numbers = f"{n.goroutines} of {n.total} goroutines ({n.share:.1%}), {n.rate_per_min:+.1f}/min"
    if n.heap_share:
        numbers += f", {n.heap_share:.1%} of the live heap"
    if n.survivors:
        numbers += f", {n.survivors} followed goroutines stayed"
    if n.snapshots:
        numbers += f", over {n.snapshots} snapshots"
    annotations = {
        "summary": f"{inc.level} goroutine leak ({inc.verdict}) at {inc.function} on {labels['instance']}",
        "description": f"{inc.evidence}; {numbers}" if inc.evidence else numbers,
        "function": inc.function,
        "file": inc.file,
        "line": str(inc.line),
        "stack_signature": inc.signature,
        "deadline": rfc3339(inc.deadline_at),
    }
    if inc.id is not None:
        annotations["incident"] = str(inc.id)
    if inc.bundle:
        annotations["bundle"] = inc.bundle
    if spec.runbook is not None:
        annotations["runbook_url"] = spec.runbook.render(lambda f: trusted_value(inc, f))
    alert: dict[str, object] = {"labels": labels, "annotations": annotations, "startsAt": rfc3339(inc.opened_at)}
    if event == "resolved" or inc.state == "resolved":
        alert["endsAt"] = rfc3339(inc.resolved_at or now)
    if spec.dashboard_url is not None:
        alert["generatorURL"] = _url_template(spec.dashboard_url, inc)
    return alert


def _alert_labels(inc: Incident, severity: str) -> dict[str, str]:
    labels = {
        k: v
        for k, v in inc.labels
        # `__` labels are Prometheus's own (file_sd meta labels); invalid names would fail the whole post
        if v and _LABEL_NAME.fullmatch(k) and not k.startswith("__")
    }
    labels.setdefault("instance", urlsplit(inc.target).netloc or inc.target)
    labels.update(
        alertname="GoroutineLeak",
        severity=severity,
        target=inc.target,
        # the signature is a whole stack; a digest keeps the alert's identity short
        signature=hashlib.sha256(inc.signature.encode()).hexdigest()[:16],
    )
    return labels


def _alertmanager_body(inc: Incident, spec: ActionSpec, event: str, now: datetime) -> list[dict[str, object]]:
    alert = alertmanager_alert(inc, spec, event, now)
    alerts = [alert]
    if event in ("escalated", "updated"):
        # The level is in the alert's identity (severity): when it changes, the alert under
        # the old level would fire on until resolve_timeout. End the other levels' alerts now;
        # Alertmanager does not notify a resolution it never notified firing.
        for level in LEVELS:
            if level != inc.level:
                alerts.append({**alert, "labels": _alert_labels(inc, level), "endsAt": rfc3339(now)})
    return alerts


def slack_escape(text: str) -> str:
    """Slack's three control characters; stack text must not form links or mentions (<!channel>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(inc: Incident, event: str) -> dict[str, object]:
    what = {"opened": "opened", "escalated": f"escalated to {inc.level}", "updated": "updated", "resolved": "resolved"}
    e = slack_escape
    where = f"{inc.function} ({inc.file}:{inc.line})"
    text = f"[{inc.level}] goroutine leak {what[event]} on {inc.target}: {where}"
    n = inc.numbers
    lines = [
        f"*[{e(inc.level)}] goroutine leak {e(what[event])}* on `{e(inc.target)}`",
        f"`{e(inc.function)}` at `{e(inc.file)}:{inc.line}`",
        f"{n.goroutines} of {n.total} goroutines ({n.share:.1%}), {n.rate_per_min:+.1f}/min",
    ]
    if inc.evidence:
        lines.append(e(inc.evidence))
    if inc.labels:
        lines.append(" ".join(f"{e(k)}={e(v)}" for k, v in inc.labels))
    if inc.id is not None:
        lines.append(f"incident {inc.id}" + (f", evidence in {e(inc.bundle)}" if inc.bundle else ""))
    section = "\n".join(lines)[:2900]  # Slack refuses section text over 3000 characters
    return {"text": e(text), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section}}]}


def _url_template(t: Template, inc: Incident) -> str:
    return t.render(lambda f: quote(trusted_value(inc, f), safe=""))


def _record(inc: Incident, spec: ActionSpec, at: datetime, outcome: str, detail: str) -> ActionRecord:
    return ActionRecord(
        incident_id=inc.id if inc.id is not None else 0,
        kind=spec.kind,
        name=spec.name,
        at=at,
        outcome=outcome,
        detail=detail,
    )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _read_secret(path: str) -> str:
    """Read at each use, so that rotated tokens are picked up without a restart."""
    return Path(path).read_text().strip()


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"
