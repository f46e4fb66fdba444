"""The watch config and its targets: defaults, one-line errors naming file and key, file_sd re-read on change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ctxguard.watch.config import DEFAULT_LEVELS, WatchConfigError, load
from ctxguard.watch.targets import TargetSet


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "watch.toml"
    p.write_text(text)
    return p


def test_minimal_config_and_defaults(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, '[[targets]]\nurl = "http://127.0.0.1:6060/"\nlabels = { service = "quote" }\n'))
    assert cfg.database == f"sqlite:///{tmp_path / 'ctxguard-data' / 'ctxguard.db'}"
    assert cfg.listen == "127.0.0.1:9464" and cfg.interval_s == 30 and cfg.window_s == 900
    assert cfg.targets[0].url == "http://127.0.0.1:6060" and cfg.targets[0].labels == (("service", "quote"),)
    assert cfg.levels == DEFAULT_LEVELS and not cfg.shared
    assert cfg.trace_s == 0 and cfg.trace_interval_s == 1800  # no trace unless asked: it costs the target CPU


def test_full_config(tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("s3cret\n")
    cfg = load(
        write(
            tmp_path,
            """
database = "postgresql://ctxguard@db:5432/ctxguard"
listen = "0.0.0.0:9464"
token-file = "tok"
interval = "10s"
window = "2m"
max-body = "8MB"
trace = "2s"
trace-interval = "1h"
[[targets]]
url = "https://10.0.0.7:6060"
bearer-token-file = "tok"
tls = { insecure-skip-verify = true }
[levels.L3]
response = "15s"
rate = 100
[retention]
raw = "1d"
downsampled = "7d"
[[actions]]
name = "page"
kind = "slack"
url = "https://hooks.example.com/x"
""",
        )
    )
    assert cfg.shared and cfg.max_body == 8 << 20 and cfg.window_s == 120 and cfg.interval_s == 10
    assert cfg.levels[0].level == "L3" and cfg.levels[0].rate == 100 and cfg.levels[0].response_s == 15
    assert [lv.level for lv in cfg.levels] == ["L3", "L2", "L1"]
    assert cfg.targets[0].scrape.tls.insecure_skip_verify
    assert cfg.retention.raw_s == 86400 and cfg.actions[0].name == "page"
    assert cfg.trace_s == 2 and cfg.trace_interval_s == 3600


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('interval = "soon"\n[[targets]]\nurl = "http://a:1"', "interval: expected a positive duration"),
        ('colour = "red"\n[[targets]]\nurl = "http://a:1"', "colour: unknown key"),
        ('[[targets]]\nurl = "ftp://a:1"', "targets[0].url: expected an http(s)://host:port URL"),
        ('[[targets]]\nurl = "http://a:1"\nlabels = { "bad-name" = "x" }', "not a Prometheus label name"),
        ('listen = "0.0.0.0:9464"\n[[targets]]\nurl = "http://a:1"', "not a loopback address: set token-file"),
        ('interval = "1m"\nwindow = "2m"\n[[targets]]\nurl = "http://a:1"', "window: must hold at least 4 intervals"),
        ("", "no targets"),
        ('trace = "5m"\n[[targets]]\nurl = "http://a:1"', "trace: at most 60 s"),
        ('trace = "0s"\n[[targets]]\nurl = "http://a:1"', "trace: expected a positive duration"),
        ('[[targets]]\nurl = "http://a:1"\n[levels.L9]\nrate = 1', "L9: unknown level"),
        ('[[targets]]\nurl = "http://a:1"\n[[targets]]\nurl = "http://a:1/"', "listed twice"),
        ("[[targets]\n", "not valid TOML"),
    ],
)
def test_errors_are_one_line_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(WatchConfigError) as e:
        load(p)
    assert message in str(e.value) and str(e.value).startswith(str(p)) and "\n" not in str(e.value)


def test_file_sd_json_yaml_and_last_good(tmp_path: Path) -> None:
    sd = tmp_path / "targets"
    sd.mkdir()
    (sd / "a.json").write_text(json.dumps([{"targets": ["10.0.0.1:6060", "10.0.0.2:6060"], "labels": {"env": "prod"}}]))
    (sd / "b.yaml").write_text("- targets: ['10.0.0.3:6060']\n  labels: {service: ledger, __scheme__: https}\n")
    cfg = load(write(tmp_path, '[[file_sd]]\nfiles = ["targets/*.json", "targets/*.yaml"]\n'))
    warnings: list[str] = []
    ts = TargetSet(cfg, warnings.append)
    urls = {w.target.url: dict(w.target.labels) for w in ts.refresh()}
    assert urls == {
        "http://10.0.0.1:6060": {"env": "prod", "instance": "10.0.0.1:6060"},
        "http://10.0.0.2:6060": {"env": "prod", "instance": "10.0.0.2:6060"},
        "https://10.0.0.3:6060": {"service": "ledger", "instance": "10.0.0.3:6060"},
    }
    # a half-written file keeps its last good targets, and says so once
    (sd / "a.json").write_text('[{"targets": ["10.0.0.1:60')
    os.utime(sd / "a.json", (1, 1))
    assert len(ts.refresh()) == 3 and len(ts.refresh()) == 3
    assert len(warnings) == 1 and "a.json: not valid JSON" in warnings[0] and "keeping its last good 2" in warnings[0]
    # fixed: re-read on change; deleted: its targets go
    (sd / "a.json").write_text(json.dumps([{"targets": ["10.0.0.9:6060"]}]))
    assert {w.target.url for w in ts.refresh()} == {"http://10.0.0.9:6060", "https://10.0.0.3:6060"}
    (sd / "b.yaml").unlink()
    assert {w.target.url for w in ts.refresh()} == {"http://10.0.0.9:6060"}
