"""Incidents as JSON-able data: one shape for webhooks and `ctxguard incidents --format json`.

Kept apart from the actions so that the CLI can print incidents without
importing the HTTP client.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ctxguard.store.model import ActionRecord, Incident


def rfc3339(dt: datetime) -> str:
    """UTC, whole seconds, `Z`: what Alertmanager's API v2 parses, and free of `+`
    (which the command templates' safe set leaves out)."""
    if dt.tzinfo is None:  # the store keeps UTC; SQLite hands it back naive
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def incident_json(inc: Incident) -> dict[str, object]:
    n = inc.numbers
    return {
        "id": inc.id,
        "target": inc.target,
        "labels": dict(inc.labels),
        "level": inc.level,
        "state": inc.state,
        "opened_at": rfc3339(inc.opened_at),
        "updated_at": rfc3339(inc.updated_at),
        "resolved_at": rfc3339(inc.resolved_at) if inc.resolved_at is not None else None,
        "deadline_at": rfc3339(inc.deadline_at),
        "suspect": {"function": inc.function, "file": inc.file, "line": inc.line},
        "evidence": {
            "words": inc.evidence,
            "goroutines": n.goroutines,
            "total": n.total,
            "rate_per_min": n.rate_per_min,
            "share": n.share,
            "heap_share": n.heap_share,
            "survivors": n.survivors,
            "snapshots": n.snapshots,
        },
        "bundle": inc.bundle,
    }


def action_json(a: ActionRecord) -> dict[str, object]:
    """One recorded action, as `ctxguard incident` and the dashboard's JSON show it."""
    return {"kind": a.kind, "name": a.name, "at": a.at.isoformat(), "outcome": a.outcome, "detail": a.detail}
