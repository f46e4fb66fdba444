"""Scheduler view from GODEBUG=schedtrace[,scheddetail]: is the run queue saturated, do
idle Ps vanish for long stretches, do threads keep growing, and (scheddetail) what the
goroutines wait on over time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ctxguard.runtime.model import SchedSample


@dataclass(frozen=True)
class SchedSummary:
    samples: int
    span_ms: int
    max_runqueue: int  # global plus local run queues, at the worst sample
    saturated_share: float  # samples with more runnable goroutines than Ps
    longest_no_idle_ms: int  # longest stretch with idleprocs=0
    threads_first: int
    threads_last: int
    waits_first: tuple[tuple[str, int], ...]
    waits_last: tuple[tuple[str, int], ...]
    findings: tuple[str, ...]


def summarise(samples: tuple[SchedSample, ...]) -> SchedSummary | None:
    if not samples:
        return None
    queued = [s.runqueue + sum(s.local_runqueues) for s in samples]
    saturated = sum(1 for s, q in zip(samples, queued, strict=True) if q > s.gomaxprocs)
    longest = run_start = 0
    in_run = False
    for s in samples:
        if s.idleprocs == 0 and not in_run:
            in_run, run_start = True, s.at_ms
        elif s.idleprocs != 0 and in_run:
            in_run = False
            longest = max(longest, s.at_ms - run_start)
    if in_run:
        longest = max(longest, samples[-1].at_ms - run_start)
    detailed = [s for s in samples if s.waits]
    findings: list[str] = []
    share = saturated / len(samples)
    if share > 0.5:
        findings.append(f"run queue longer than GOMAXPROCS in {share:.0%} of samples: CPU-bound or starved")
    if longest >= 5000:
        findings.append(f"no idle P for {longest / 1000:.1f}s in a row")
    if samples[-1].threads > samples[0].threads * 2 and samples[-1].threads - samples[0].threads >= 10:
        findings.append(f"threads grew from {samples[0].threads} to {samples[-1].threads}: blocking syscalls or cgo")
    if len(detailed) > 1:
        first, last = Counter(dict(detailed[0].waits)), Counter(dict(detailed[-1].waits))
        for reason, n in last.most_common(3):
            if n - first[reason] >= 100:
                findings.append(f"goroutines waiting in '{reason}' grew from {first[reason]} to {n}")
    return SchedSummary(
        samples=len(samples),
        span_ms=samples[-1].at_ms - samples[0].at_ms,
        max_runqueue=max(queued),
        saturated_share=round(share, 3),
        longest_no_idle_ms=longest,
        threads_first=samples[0].threads,
        threads_last=samples[-1].threads,
        waits_first=detailed[0].waits if detailed else (),
        waits_last=detailed[-1].waits if detailed else (),
        findings=tuple(findings),
    )
