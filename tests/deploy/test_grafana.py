"""deploy/grafana: the board is a provisionable classic dashboard (id null, a stable uid, every query through the
`datasource` variable, a sane grid), every metric its queries and the alert rules name is served by a real agent's
/metrics, every metric the agent serves is on the board, and every query returns data from a real Prometheus
scraping that agent while it has an incident open."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from deploykit import DEPLOY, Stack
from prometheus_client.parser import text_string_to_metric_families

from fakefleet import LEAK_FILE, LEAK_LINE
from watchkit import wait_for

BOARD = DEPLOY / "grafana" / "dashboards" / "ctxguard.json"
RULES = DEPLOY / "prometheus" / "rules" / "ctxguard.rules.yml"
DS = {"type": "prometheus", "uid": "${datasource}"}
# a metric name in PromQL: ctxguard_... (or Prometheus's own `up`) followed by a selector, a range, a separator or
# the end; function names are followed by "(" and label names never start with ctxguard_
METRIC = re.compile(r"(?<![\w:])(ctxguard_[A-Za-z0-9_:]+|up)(?=\s*[{\[),]|\s|$)")
# what Prometheus adds itself rather than scraping it
SYNTHETIC = {"up"}
# histograms the board shows as quantiles only
QUANTILE_ONLY = ("ctxguard_scrape_lag_seconds", "ctxguard_request_duration_seconds")
# the board's variables at "All", and a rate window that fits the test's 1 s scrapes
LABEL_VALUES = re.compile(r"label_values\((.+), *(\w+)\)")
VALUES = {"$job": "ctxguard", "$target": ".*", "$service": ".*", "$env": ".*", "$__rate_interval": "10s"}

pytestmark = pytest.mark.xdist_group("deploy-stack")  # one live stack per worker


def http_get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()  # type: ignore[no-any-return]


def board() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BOARD.read_text())
    return loaded


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def board_queries() -> list[tuple[str, str]]:
    """(where, PromQL) for every panel query and every query variable."""
    b = board()
    out = [(f"panel {p['title']!r}", t["expr"]) for p in all_panels(b["panels"]) for t in p.get("targets", [])]
    for v in b["templating"]["list"]:
        if v["type"] == "query":
            out.append((f"variable {v['name']}", v["query"]["query"] if isinstance(v["query"], dict) else v["query"]))
    return out


def rule_exprs() -> list[tuple[str, str]]:
    return [(f"alert {r['alert']}", r["expr"]) for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def names(expr: str) -> set[str]:
    return set(METRIC.findall(expr))


def test_board_is_a_provisionable_classic_dashboard() -> None:
    b = board()
    assert b["id"] is None and b["uid"] == "ctxguard-fleet" and b["schemaVersion"] >= 39
    variables = {v["name"]: v for v in b["templating"]["list"]}
    ds = variables["datasource"]
    assert (ds["type"], ds["query"]) == ("datasource", "prometheus")
    for name in ("job", "service", "env", "target"):
        v = variables[name]
        assert v["type"] == "query" and v["datasource"] == DS, name
        assert v["query"]["query"].startswith("label_values("), name
    panels = list(all_panels(b["panels"]))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for p in panels:
        if p["type"] in ("row", "text"):
            assert "targets" not in p, p["title"]
            continue
        assert p["datasource"] == DS, p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"] == DS and t["expr"].strip(), p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]


def overlap(a: dict[str, int], b: dict[str, int]) -> bool:
    across = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
    return across and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def test_board_grid_is_sane() -> None:
    top = board()["panels"]
    for group in [top] + [p["panels"] for p in top if p.get("panels")]:
        for p in group:
            g = p["gridPos"]
            assert g["x"] >= 0 and g["y"] >= 0 and g["w"] >= 1 and g["h"] >= 1 and g["x"] + g["w"] <= 24, p["title"]
        for i, p in enumerate(group):
            for q in group[i + 1 :]:
                assert not overlap(p["gridPos"], q["gridPos"]), (p["title"], q["title"])
        assert [p["gridPos"]["y"] for p in group] == sorted(p["gridPos"]["y"] for p in group), "laid out top-down"
    rows = [p for p in top if p["type"] == "row"]
    assert all(p["panels"] == [] for p in rows if not p["collapsed"]), "an open row's panels follow it"
    (companion,) = [p for p in rows if p["title"] == "Companion module (in-process)"]
    assert companion["collapsed"] and {p["type"] for p in companion["panels"]} == {"timeseries"}
    # the companion row reads what ctxguard's Go module serves (ctxprom), not what the agent does
    assert all("$job" not in t["expr"] for p in companion["panels"] for t in p["targets"])


def test_every_metric_named_is_served_and_every_served_metric_is_on_the_board(stack: Stack) -> None:
    wait_for(
        "suspect series on /metrics",
        lambda: "ctxguard_target_suspect_goroutines{" in stack.watch.metrics(),
        timeout=10,
    )
    # the agent's metrics, and those of a service using ctxguard's Go module (the companion row)
    families = list(text_string_to_metric_families(stack.watch.metrics()))
    families += list(text_string_to_metric_families(http_get(stack.app + "/metrics")))
    served = {s.name for f in families for s in f.samples}
    named = {(where, n) for where, expr in board_queries() + rule_exprs() for n in names(expr)}
    assert {n for _, n in named} >= {"ctxguard_target_incident_level", "ctxguard_scrape_lag_seconds_bucket", "up"}
    assert {n for _, n in named} >= {"ctxguard_requests_total", "ctxguard_contexts_over_max_age"}
    missing = sorted((where, n) for where, n in named if n not in served | SYNTHETIC)
    assert missing == [], f"named but not served: {missing}"
    on_board = {n for _, expr in board_queries() for n in names(expr)}
    quantiles = {f"{h}_{part}" for h in QUANTILE_ONLY for part in ("sum", "count")}  # the board shows quantiles
    unused = sorted(
        {s.name for f in families for s in f.samples if not s.name.endswith("_created")} - on_board - quantiles
    )
    assert unused == [], f"served but not on the board: {unused}"


def test_every_board_query_returns_data_from_a_real_prometheus(stack: Stack) -> None:
    queries = board_queries()
    assert len(queries) > 20
    for where, expr in queries:
        concrete = expr
        for var, value in VALUES.items():
            concrete = concrete.replace(var, value)
        assert "$" not in concrete, (where, concrete)
        if m := LABEL_VALUES.fullmatch(concrete):  # Grafana's, not PromQL: the series must have the label
            selector, label = m.groups()
            concrete = f"count by ({label}) ({selector})"
        wait_for(f"{where}: {concrete}", lambda q=concrete: stack.query(q), timeout=15, every=0.5)


def panel(title: str) -> dict[str, Any]:
    (p,) = [p for p in all_panels(board()["panels"]) if p["title"] == title]
    return p


def panel_query(title: str) -> str:
    expr: str = panel(title)["targets"][0]["expr"]
    for var, value in VALUES.items():
        expr = expr.replace(var, value)
    return expr


def test_the_board_shows_the_leak(stack: Stack) -> None:
    """The per-target panels read right: the leaking target's verdict and level, its suspect at the leak's line,
    the service and env joined from ctxguard_target_info."""
    leaky, healthy, down = f"{stack.fleet.base}/t/0", f"{stack.fleet.base}/t/1", "http://127.0.0.1:1"

    def by_target(title: str) -> dict[str, float]:
        return {r["metric"]["target"]: float(r["value"][1]) for r in stack.query(panel_query(title))}

    verdict = {"healthy": 0.0, "insufficient-data": 1.0, "suspect": 2.0, "leaking": 3.0}  # the timeline's mapping
    want = {leaky: verdict["leaking"], healthy: verdict["healthy"], down: verdict["insufficient-data"]}
    wait_for("the verdicts", lambda: by_target("Runtime verdict per target") == want, timeout=10)
    (mapping,) = panel("Runtime verdict per target")["fieldConfig"]["defaults"]["mappings"]
    assert {m["text"]: float(v) for v, m in mapping["options"].items()} == verdict
    assert by_target("Incident level per target") == {leaky: 3.0, healthy: 0.0, down: 0.0}
    assert by_target("Target up") == {leaky: 1.0, healthy: 1.0, down: 0.0}
    (suspect,) = stack.query(panel_query("Top suspect stacks"))
    labels = suspect["metric"]
    assert (labels["target"], labels["service"], labels["env"]) == (leaky, "svc0", "prod")
    assert (labels["function"], labels["file"], labels["line"], labels["level"]) == (
        "main.(*handler).fetch.func1",
        LEAK_FILE,
        str(LEAK_LINE),
        "leaking",
    )
