"""deploy/docker-compose.yml is not run here (no Docker in CI), but what it points at is checked: every file it
mounts exists, it publishes on loopback only, the agent and Prometheus share the token the agent's config and
Prometheus's scrape config name, and the agent's config passes `ctxguard watch --check-config`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from deploykit import DEPLOY

COMPOSE = DEPLOY / "docker-compose.yml"
TOKEN = "/run/secrets/ctxguard_token"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_compose_mounts_what_exists_on_loopback() -> None:
    c = compose()
    services = c["services"]
    assert set(services) == {"ctxguard", "prometheus", "grafana"}
    for name, s in services.items():
        for volume in s.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, volume)
            else:
                assert source in c["volumes"], (name, volume)
        for port in s.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)
    build = services["ctxguard"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert (DEPLOY / "Dockerfile.dockerignore").exists(), "the context is the repository root: keep it small"
    # both read the same token: the agent requires it off loopback, Prometheus sends it
    assert services["ctxguard"]["secrets"] == services["prometheus"]["secrets"] == ["ctxguard_token"]
    assert c["secrets"]["ctxguard_token"]["file"] == "./secrets/ctxguard.token"
    assert "secrets/" in (DEPLOY / ".gitignore").read_text().split()


def test_watch_config_passes_check_config(tmp_path: Path) -> None:
    text = (DEPLOY / "ctxguard" / "watch.toml").read_text()
    assert f'token-file = "{TOKEN}"' in text and 'listen = "0.0.0.0:9464"' in text
    (tmp_path / "token").write_text("t0ken\n")
    text = text.replace(TOKEN, str(tmp_path / "token")).replace("/var/lib/ctxguard", str(tmp_path / "data"))
    (tmp_path / "watch.toml").write_text(text)
    out = subprocess.run(
        [sys.executable, "-m", "ctxguard", "watch", "--config", str(tmp_path / "watch.toml"), "--check-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "ok: 1 targets" in out.stdout, out.stdout + out.stderr
