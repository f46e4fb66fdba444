"""/metrics: the fleet's state as the agent knows it, and the agent's own work, in Prometheus conventions.

Per-target state is read at scrape time by a custom collector on a private
registry (fresh families every scrape, so a target that goes away leaves no
stale series); the agent's own work is ordinary counters and histograms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ctxguard.analysis.verdict import VERDICTS
from ctxguard.store.model import LEVELS

if TYPE_CHECKING:
    from ctxguard.watch.agent import Agent

TOP_SUSPECTS = 3  # per target: the suspects worth a series each (bounded cardinality)


class AgentMetrics:
    def __init__(self, agent: Agent) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.lag = Histogram(
            "ctxguard_scrape_lag_seconds",
            "How late a target's round started against its schedule.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.failures = Counter(
            "ctxguard_scrape_failures",
            "Failed pprof requests, by kind (timeout, too-large, http, connection, decode).",
            ["kind"],
            registry=self.registry,
        )
        self.traces = Counter(
            "ctxguard_traces",
            "Execution traces taken on suspicion (each costs its target CPU while it runs).",
            registry=self.registry,
        )
        self.registry.register(_FleetCollector(agent))


class _FleetCollector(Collector):
    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    def collect(self) -> Iterator[Metric]:
        a = self.agent
        t = ["target"]
        up = GaugeMetricFamily("ctxguard_target_up", "1 if the target's last round succeeded.", labels=t)
        gor = GaugeMetricFamily("ctxguard_target_goroutines", "Goroutines in the target's last snapshot.", labels=t)
        dur = GaugeMetricFamily(
            "ctxguard_target_scrape_duration_seconds", "Duration of the last goroutine request.", labels=t
        )
        fails = CounterMetricFamily(
            "ctxguard_target_scrape_failures", "Failed rounds of the target since the agent started.", labels=t
        )
        verdict = GaugeMetricFamily(
            "ctxguard_target_verdict", "1 for the target's current runtime verdict.", labels=[*t, "verdict"]
        )
        level = GaugeMetricFamily(
            "ctxguard_target_incident_level",
            "Most severe open incident on the target: 0 none, 1 L1 (mild) .. 3 L3 (severe).",
            labels=t,
        )
        sus = GaugeMetricFamily(
            "ctxguard_target_suspect_goroutines",
            f"Goroutines on each of the target's top {TOP_SUSPECTS} suspect stacks.",
            labels=[*t, "function", "file", "line", "level"],
        )
        # a target label named "target" would clash with the URL label: the URL wins
        names = sorted({k for st in a.states.values() for k, _ in st.watched.target.labels} - {"target"})
        info = GaugeMetricFamily("ctxguard_target_info", "The target's labels (always 1).", labels=[*t, *names])
        worst: dict[int, int] = {}
        for (tid, _), inc in a.book.open.items():
            worst[tid] = max(worst.get(tid, 0), LEVELS.index(inc.level) + 1)
        for st in list(a.states.values()):
            url = st.watched.target.url
            h = st.health
            up.add_metric([url], 1.0 if h.up else 0.0)
            dur.add_metric([url], h.scrape_seconds)
            fails.add_metric([url], float(st.errors_total))
            level.add_metric([url], float(worst.get(st.id, 0)))
            labels = dict(st.watched.target.labels)
            info.add_metric([url, *(labels.get(n, "") for n in names)], 1.0)
            for v in VERDICTS:
                verdict.add_metric([url, v], 1.0 if v == h.verdict else 0.0)
            if st.window:
                last = next((s for s in reversed(st.window) if s.groups), None)
                if last is not None:
                    gor.add_metric([url], float(last.goroutines))
            if st.report is not None:
                for s in st.report.suspects[:TOP_SUSPECTS]:
                    if s.signature.startswith("heap:") or s.location is None:
                        continue
                    loc = s.location
                    sus.add_metric([url, loc.function, loc.file, str(loc.line), s.level], float(s.count))
        yield from (up, gor, dur, fails, verdict, level, sus, info)
        held = GaugeMetricFamily(
            "ctxguard_targets", "Targets known to the fleet and held by this agent.", labels=["set"]
        )
        held.add_metric(["known"], float(len(a.known)))
        held.add_metric(["held"], float(len(a.states)))
        yield held
        yield GaugeMetricFamily(
            "ctxguard_scrape_queue_depth", "Rounds due and waiting for a request slot.", value=float(a.waiting)
        )
        yield GaugeMetricFamily(
            "ctxguard_scrape_in_flight", "Rounds in flight.", value=sum(1 for st in a.states.values() if st.in_flight)
        )
        opened = GaugeMetricFamily(
            "ctxguard_incidents_open", "Open incidents on held targets, by level.", labels=["level"]
        )
        for lv in LEVELS:
            opened.add_metric([lv], float(sum(1 for i in a.book.open.values() if i.level == lv)))
        yield opened
        yield GaugeMetricFamily("ctxguard_store_size_bytes", "Size of the store.", value=float(a.store_size))
