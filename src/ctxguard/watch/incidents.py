"""Incidents: opened from a target's runtime verdict over its sliding window, graded, updated, resolved.

- **Opened** when the same suspect is judged `leaking` in `CONFIRM` consecutive
  evaluations (one evaluation per goroutine scrape): a single noisy window
  never pages anybody, as Prometheus' `for:` keeps one bad sample from firing.
- **Deduplicated** by (target, suspect signature): while an incident is open,
  more evidence updates it; it is never opened twice.
- **Updated** while the suspect is judged `leaking` or `suspect`; its level is
  re-graded and only ever rises while it is open (escalation restarts the
  response deadline).
- **Resolved** once the stack has drained (it holds less than half of what it
  held at the last evidence) and stayed so for `resolve-after`: its goroutines
  were released, or the process runs a fixed build. A leak whose growth the
  trend test stops seeing (a slow leak on a large count) keeps its incident
  while its goroutines stay. A target that cannot be scraped resolves nothing:
  no data is not good news; a target removed from the configuration resolves
  its incidents (`gone`).
- The book changes only when the agent has stored a change (`record`), so a
  store error loses nothing: the same change comes again next round.

Grading (the `[levels]` matrix): the most severe level whose environment
matches the target's environment label and of whose thresholds any one is met
(share of the process's goroutines on the stack, share of its live heap at
the site, accumulation rate, time open). A level without thresholds matches
every incident of its environments; L1 is the floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ctxguard.analysis.contexts import signature
from ctxguard.analysis.report import RuntimeReport
from ctxguard.analysis.suspects import Suspect, is_object_site
from ctxguard.store.model import LEVELS, Evidence, Incident, Target
from ctxguard.watch.config import LevelRule

CONFIRM = 3  # consecutive leaking evaluations before an incident opens
EVENTS = ("opened", "escalated", "updated", "resolved")


@dataclass(frozen=True)
class Change:
    incident: Incident
    event: str  # opened | escalated | updated | resolved


def evidence_of(s: Suspect, report: RuntimeReport) -> Evidence:
    """The numbers behind a suspect, from the report it was judged in."""
    goroutine_snaps = [x for x in report.snapshots if x.groups]
    total = goroutine_snaps[-1].goroutines if goroutine_snaps else 0
    heap_share = 0.0
    if s.signature.startswith("heap:"):
        heaps = [x for x in report.snapshots if x.heap]
        live = sum(r.inuse_bytes for r in heaps[-1].heap) if heaps else 0
        site = next((h for h in report.heap if h.site == s.location and h.inuse_objects[-1] == s.count), None)
        if site is not None and live > 0:
            heap_share = site.inuse_bytes[-1] / live
    goroutines = 0 if is_object_site(s.signature) else s.count
    return Evidence(
        goroutines=goroutines,
        total=total,
        rate_per_min=round(s.rate_per_min or 0.0, 3),
        share=round(goroutines / total, 4) if total else 0.0,
        heap_share=round(heap_share, 4),
        survivors=s.survival.since_first + s.survival.cohorts_kept if s.survival is not None else 0,
        snapshots=len(goroutine_snaps),
        held=s.count,
    )


def grade(rules: Iterable[LevelRule], env: str, ev: Evidence, open_s: float) -> LevelRule:
    """The most severe matching level (rules come most severe first; the last is the floor)."""
    rules = list(rules)
    for rule in rules:
        if rule.env and env not in rule.env:
            continue
        thresholds = (
            (rule.share, ev.share),
            (rule.heap_share, ev.heap_share),
            # a heap site's rate counts objects, not goroutines: the rate thresholds are for stacks
            (rule.rate, ev.rate_per_min if ev.goroutines else 0.0),
            (rule.duration_s, open_s),
        )
        set_ = [(limit, value) for limit, value in thresholds if limit is not None]
        if not set_ or any(value >= limit for limit, value in set_):
            return rule
    return rules[-1]


def _rank(level: str) -> int:
    return LEVELS.index(level)


def held_now(report: RuntimeReport) -> dict[str, int]:
    """What each stack and heap site holds in the latest snapshots, by suspect signature."""
    held: dict[str, int] = {}
    latest = next((x for x in reversed(report.snapshots) if x.groups), None)
    for g in latest.groups if latest is not None else ():
        key = g.stack.key("exact")
        held[key] = held.get(key, 0) + g.count
    for h in report.heap:
        held[f"heap:{h.kind}:{h.site if h.site else 'an unknown frame'}"] = h.inuse_objects[-1]
    if report.contexts is not None:
        for site in report.contexts.sites:
            held[signature(site)] = report.contexts.scaled(site.live)
    return held


class IncidentBook:
    """The open incidents of the targets this agent watches, and the streaks that lead to new ones."""

    def __init__(self, levels: tuple[LevelRule, ...], env_label: str, resolve_after_s: float, confirm_s: float) -> None:
        self.levels = levels
        self.env_label = env_label
        self.resolve_after = timedelta(seconds=resolve_after_s)
        self.confirm = timedelta(seconds=confirm_s)
        self.open: dict[tuple[int, str], Incident] = {}
        self._streak: dict[tuple[int, str], tuple[int, datetime]] = {}  # leaking evaluations in a row, since
        self._quiet: dict[tuple[int, str], datetime] = {}  # an open incident's stack drained at

    def adopt(self, incidents: Iterable[Incident]) -> None:
        """Open incidents from the store (after a restart, or a target leased from a dead agent)."""
        for inc in incidents:
            if inc.state == "open":
                self.open[(inc.target_id, inc.signature)] = inc

    def has_open(self, target_id: int) -> bool:
        return any(k[0] == target_id for k in self.open)

    def record(self, inc: Incident) -> None:
        """A change the agent has stored: the book follows the store, never runs ahead of it."""
        key = (inc.target_id, inc.signature)
        if inc.state == "open":
            self.open[key] = inc
            self._streak.pop(key, None)
        else:
            self.open.pop(key, None)
            self._quiet.pop(key, None)

    def forget(self, target_id: int) -> None:
        """A target another agent now watches: its incidents are that agent's to update."""
        for book in (self.open, self._streak, self._quiet):
            for key in [k for k in book if k[0] == target_id]:
                del book[key]

    def gone(self, target_id: int, now: datetime) -> list[Change]:
        """A target removed from the configuration: its incidents resolve (it will not be judged again)."""
        return [
            Change(
                replace(inc, state="resolved", resolved_at=now, evidence=f"{inc.evidence}; target removed"), "resolved"
            )
            for key, inc in self.open.items()
            if key[0] == target_id
        ]

    def judge(self, target: Target, report: RuntimeReport, now: datetime, ids: bool = True) -> list[Change]:
        """The changes one evaluation makes; `ids`: whether the target serves debug=2 dumps."""
        assert target.id is not None
        tid = target.id
        env = target.label(self.env_label)
        # a stack drained to nothing is quiet, whatever its trend over the window said
        active = {s.signature: s for s in report.suspects if s.level in ("leaking", "suspect") and s.counts[-1] > 0}
        for key in [k for k in self._streak if k[0] == tid and k[1] not in active]:
            del self._streak[key]
        changes: list[Change] = []
        for sig, s in active.items():
            key = (tid, sig)
            inc = self.open.get(key)
            if inc is not None:
                self._quiet.pop(key, None)
                changes.append(self._update(inc, s, report, env, now))
            elif s.level != "leaking":
                self._streak.pop(key, None)
            else:
                count, since = self._streak.get(key, (0, now))
                self._streak[key] = (count + 1, since)
                # IDs confirm goroutines; live objects on the heap or in a context census (and targets
                # without dumps) have none, so their leak must hold for `confirm` instead
                by_ids = ids and not is_object_site(sig)
                confirmed = s.survival is not None if by_ids else now - since >= self.confirm
                if count + 1 >= CONFIRM and confirmed:
                    changes.append(self._open(target, s, report, env, now))
        held = held_now(report)
        for key, inc in self.open.items():
            if key[0] != tid or key[1] in active:
                continue
            if held.get(key[1], 0) >= max(inc.numbers.held / 2, 1):
                self._quiet.pop(key, None)  # growth no longer proven, but its goroutines stay: still a leak
                continue
            quiet = self._quiet.setdefault(key, now)
            if now - quiet >= self.resolve_after:
                changes.append(Change(replace(inc, state="resolved", resolved_at=now), "resolved"))
        return changes

    def _open(self, target: Target, s: Suspect, report: RuntimeReport, env: str, now: datetime) -> Change:
        assert target.id is not None
        ev = evidence_of(s, report)
        rule = grade(self.levels, env, ev, 0.0)
        loc = s.location
        inc = Incident(
            target_id=target.id,
            target=target.url,
            labels=target.labels,
            signature=s.signature,
            level=rule.level,
            state="open",
            opened_at=now,
            updated_at=now,
            deadline_at=now + timedelta(seconds=rule.response_s),
            function=loc.function if loc else "",
            file=loc.file if loc else "",
            line=loc.line if loc else 0,
            verdict=s.level,
            evidence="; ".join(s.reasons),
            numbers=ev,
        )
        return Change(inc, "opened")

    def _update(self, inc: Incident, s: Suspect, report: RuntimeReport, env: str, now: datetime) -> Change:
        ev = evidence_of(s, report)
        rule = grade(self.levels, env, ev, (now - inc.opened_at).total_seconds())
        escalated = _rank(rule.level) > _rank(inc.level)
        updated = replace(
            inc,
            updated_at=now,
            verdict=s.level,
            evidence="; ".join(s.reasons),
            numbers=ev,
            level=rule.level if escalated else inc.level,
            deadline_at=now + timedelta(seconds=rule.response_s) if escalated else inc.deadline_at,
        )
        return Change(updated, "escalated" if escalated else "updated")
