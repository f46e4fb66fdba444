"""deploy/prometheus: the alert rules pass `promtool check rules`, their unit tests pass `promtool test rules` and
cover every alert firing and not firing, each alert says what to do, and a real Prometheus scraping a real agent
fires the L3 alert on the leaking target (with its service and env) and nothing on the healthy one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploykit import DEPLOY, Stack

from watchkit import wait_for

RULES = DEPLOY / "prometheus" / "rules" / "ctxguard.rules.yml"
TESTS = DEPLOY / "prometheus" / "tests" / "ctxguard.test.yml"
DOCS = DEPLOY.parent / "docs" / "watch.md"
SEVERITIES = {"critical", "warning", "info"}

pytestmark = pytest.mark.xdist_group("deploy-stack")  # one live stack per worker


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def alerts() -> list[dict[str, object]]:
    rules: list[dict[str, object]] = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    return rules


def test_promtool_check_rules(promtool: str) -> None:
    out = run(promtool, "check", "rules", str(RULES))
    assert out.returncode == 0 and "SUCCESS" in out.stdout, out.stdout + out.stderr


def test_promtool_unit_tests(promtool: str) -> None:
    out = run(promtool, "test", "rules", str(TESTS))
    assert out.returncode == 0 and "SUCCESS" in out.stdout, out.stdout + out.stderr


def test_every_alert_is_tested_firing_and_not() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in yaml.safe_load(TESTS.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {str(r["alert"]) for r in alerts()}
    assert names - firing == set(), "never tested firing"
    assert names - quiet == set(), "never tested quiet"


def slugs(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of a markdown file."""
    out = set()
    for line in markdown.splitlines():
        if m := re.match(r"#+ (.+)", line):
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


def test_every_alert_says_what_to_do() -> None:
    anchors = slugs(DOCS.read_text())
    for rule in alerts():
        name, labels, notes = rule["alert"], rule["labels"], rule["annotations"]
        assert isinstance(labels, dict) and isinstance(notes, dict)
        assert labels["severity"] in SEVERITIES, name
        assert notes["summary"] and notes["description"], name
        page, _, anchor = str(notes["runbook_url"]).partition("#")
        assert page.endswith("/docs/watch.md") and anchor in anchors, (name, notes["runbook_url"])


def test_prometheus_config(promtool: str, tmp_path: Path) -> None:
    """deploy/prometheus/prometheus.yml as Prometheus reads it, its rule files included (the token file, a compose
    secret, is stood in for)."""
    token = tmp_path / "token"
    token.write_text("t0ken\n")
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["rules/*.rules.yml"]
    config["rule_files"] = [str(DEPLOY / "prometheus" / "rules" / "*.rules.yml")]
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "ctxguard"]  # the rules select up{job="ctxguard"}
    assert job["authorization"]["credentials_file"] == "/run/secrets/ctxguard_token"  # docker-compose.yml's secret
    job["authorization"]["credentials_file"] = str(token)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    out = run(promtool, "check", "config", str(tmp_path / "prometheus.yml"))
    assert out.returncode == 0 and "SUCCESS: 1 rule files found" in out.stdout, out.stdout + out.stderr


def test_a_real_prometheus_fires_the_l3_alert(stack: Stack) -> None:
    leaky, healthy, down = f"{stack.fleet.base}/t/0", f"{stack.fleet.base}/t/1", "http://127.0.0.1:1"

    def named(name: str, state: str = "") -> list[dict[str, Any]]:
        return [a for a in stack.alerts() if a["labels"]["alertname"] == name and state in ("", a["state"])]

    fired = wait_for("CtxguardLeakL3 firing", lambda: named("CtxguardLeakL3", "firing"), timeout=20)
    expected = {"alertname": "CtxguardLeakL3", "severity": "critical", "level": "L3"}
    assert [a["labels"] for a in fired] == [{**expected, "target": leaky, "service": "svc0", "env": "prod"}]
    assert "Respond within 30 s" in fired[0]["annotations"]["description"]
    pending = wait_for("CtxguardTargetDown pending (for: 5m)", lambda: named("CtxguardTargetDown"), timeout=10)
    assert [(a["labels"]["target"], a["labels"]["service"], a["state"]) for a in pending] == [(down, "gone", "pending")]
    everything = stack.alerts()
    assert not [a for a in everything if a["labels"].get("target") == healthy], everything
    assert {a["labels"]["alertname"] for a in everything if a["labels"].get("target") == leaky} == {"CtxguardLeakL3"}
