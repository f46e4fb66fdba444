"""Incidents and the actions taken for them, to and from rows."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Row

from ctxguard.store import codec
from ctxguard.store.model import ActionRecord, Evidence, Incident

_EVIDENCE_FIELDS = {f.name for f in fields(Evidence)}

# What counts against an action's rate limit: attempts. A record of an action held back
# (rate-limited, refused) must not count, or a busy incident would stay limited forever.
COUNTED_OUTCOMES = ("sent", "failed", "dry-run")


def incident_values(inc: Incident) -> dict[str, Any]:
    return {
        "target_id": inc.target_id,
        "target": inc.target,
        "labels": codec.dump_json([list(p) for p in inc.labels]),
        "signature": inc.signature,
        "level": inc.level,
        "state": inc.state,
        "opened_at": codec.to_us(inc.opened_at),
        "updated_at": codec.to_us(inc.updated_at),
        "deadline_at": codec.to_us(inc.deadline_at),
        "resolved_at": codec.to_us(inc.resolved_at) if inc.resolved_at is not None else None,
        "function": inc.function,
        "file": inc.file,
        "line": inc.line,
        "verdict": inc.verdict,
        "evidence": inc.evidence,
        "numbers": codec.dump_json(asdict(inc.numbers)),
        "bundle": inc.bundle,
    }


def incident_from(row: Row[Any]) -> Incident:
    numbers = json.loads(row.numbers)
    # fields a newer ctxguard added (or an older one lacked) must not break reading
    evidence = Evidence(**{k: v for k, v in numbers.items() if k in _EVIDENCE_FIELDS})
    return Incident(
        target_id=row.target_id,
        target=row.target,
        labels=codec.str_pairs(row.labels),
        signature=row.signature,
        level=row.level,
        state=row.state,
        opened_at=codec.from_us(row.opened_at),
        updated_at=codec.from_us(row.updated_at),
        deadline_at=codec.from_us(row.deadline_at),
        function=row.function,
        file=row.file,
        line=row.line,
        verdict=row.verdict,
        evidence=row.evidence,
        numbers=evidence,
        resolved_at=codec.from_us(row.resolved_at) if row.resolved_at is not None else None,
        bundle=row.bundle,
        id=row.id,
    )


def action_values(a: ActionRecord) -> dict[str, Any]:
    return {
        "incident_id": a.incident_id,
        "kind": a.kind,
        "name": a.name,
        "at": codec.to_us(a.at),
        "outcome": a.outcome,
        "detail": a.detail,
    }


def action_from(row: Row[Any]) -> ActionRecord:
    return ActionRecord(
        incident_id=row.incident_id,
        kind=row.kind,
        name=row.name,
        at=codec.from_us(row.at),
        outcome=row.outcome,
        detail=row.detail,
        id=row.id,
    )
