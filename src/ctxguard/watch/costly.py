"""When a round may take the costly endpoints: debug=2 dumps, execution traces, the context census."""

from __future__ import annotations

from ctxguard.analysis.report import RuntimeReport
from ctxguard.watch.config import WatchConfig
from ctxguard.watch.state import TargetState


def suspected(report: RuntimeReport | None) -> bool:
    """A stack or site is suspected: the costly endpoints are worth their price (so is an open incident)."""
    return report is not None and any(s.level in ("leaking", "suspect") for s in report.suspects)


def needs_dump(cfg: WatchConfig, st: TargetState, now: float, suspected: bool) -> bool:
    """debug=2 stops the world: only while suspected. Two dumps a few intervals apart confirm a
    suspicion (survivors); after that, one every dump-interval."""
    if not suspected:
        return False
    confirming = not st.dumps_fail and sum(1 for s in st.window if s.has_ids) < 2
    every = max(3 * cfg.interval_s, 15.0) if confirming else cfg.dump_interval_s
    return now - st.last_dump >= every


def needs_trace(cfg: WatchConfig, st: TargetState, now: float, suspected: bool) -> bool:
    """An execution trace costs the target CPU while it runs: only when configured, only while
    suspected, at most once per trace-interval (a failed one too)."""
    return cfg.trace_s > 0 and suspected and now - st.last_trace >= cfg.trace_interval_s


def census_due(cfg: WatchConfig, st: TargetState, now: float) -> bool:
    """The census is cheap: every round, unless the target served none within dump-interval (it
    may be redeployed with ctxguard's Go module)."""
    return now - st.census_absent_at >= cfg.dump_interval_s
