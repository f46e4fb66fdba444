"""The watch configuration (TOML): where to store, what to scrape and how often, how to grade and act.

```toml
data-dir = "ctxguard-data"          # SQLite store and evidence bundles (default)
database = "postgresql://ctxguard@db/ctxguard"   # a shared store instead (bundles stay in data-dir)
listen = "127.0.0.1:9464"           # /metrics, /healthz, /api/...; a non-loopback address needs token-file
interval = "30s"                    # goroutine?debug=1
heap-interval = "5m"                # heap?gc=1 (forces a GC in the target)
dump-interval = "10m"               # goroutine?debug=2 (stops the world): at most this often, when needed
trace = "2s"                        # on suspicion, an execution trace this long (costly; off when absent)
trace-interval = "30m"              # ... at most this often per target
window = "15m"                      # the snapshots each verdict is judged on
timeout = "10s"                     # per request, connect to last byte
max-body = "64MB"                   # a bigger answer is cut off and counted as a failure
concurrency = 32                    # requests in flight, all targets together

[[targets]]
url = "http://10.0.0.7:6060"
labels = { service = "quote", env = "prod" }
bearer-token-file = "/etc/ctxguard/quote.token"
tls = { ca-file = "ca.pem", cert-file = "c.pem", key-file = "c.key", insecure-skip-verify = false }

[[file_sd]]                         # Prometheus file_sd JSON or YAML, re-read on change
files = ["targets/*.json"]

[sources]                           # service label -> a checkout: suspects link to its lines
quote = "/src/quote"

[levels.L3]                         # severe: respond within 30 s
response = "30s"
env = ["prod", "production"]
share = 0.5                         # any one of these thresholds is enough
rate = 600                          # goroutines per minute on the suspect's stack
```
"""

from __future__ import annotations

import os
import socket
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctxguard.store.model import LEVELS
from ctxguard.watch.actions import ActionConfigError, ActionSpec, parse_actions, parse_allow
from ctxguard.watch.tables import TableReader
from ctxguard.watch.tables import WatchConfigError as WatchConfigError  # what load() raises
from ctxguard.web.listen import is_loopback


@dataclass(frozen=True)
class TLSOptions:
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_verify: bool = False


@dataclass(frozen=True)
class ScrapeOptions:
    """How one target (or every target of a file_sd block) is scraped."""

    bearer_token_file: str = ""
    tls: TLSOptions = TLSOptions()


@dataclass(frozen=True)
class StaticTarget:
    url: str
    labels: tuple[tuple[str, str], ...]
    scrape: ScrapeOptions = ScrapeOptions()


@dataclass(frozen=True)
class FileSD:
    files: tuple[str, ...]  # glob patterns, relative to the config file's directory
    scheme: str = "http"
    path_prefix: str = ""  # prepended to /debug/pprof (a service mounting pprof elsewhere)
    refresh_s: float = 30.0  # how often the files are checked for changes
    scrape: ScrapeOptions = ScrapeOptions()


@dataclass(frozen=True)
class LevelRule:
    """When an incident reaches a level: its environment matches and any one threshold is met."""

    level: str
    response_s: float  # the response deadline after the incident opens (or escalates)
    env: tuple[str, ...] = ()  # values of the environment label; empty: any environment
    share: float | None = None  # suspect goroutines / all goroutines of the process
    heap_share: float | None = None  # share of the live heap at the suspect's site
    rate: float | None = None  # goroutines per minute on the suspect's stack
    duration_s: float | None = None  # how long the incident has been open


# The source article's table: L1 mild (5 min), L2 moderate (90 s), L3 severe (30 s).
DEFAULT_LEVELS = (
    LevelRule("L3", 30.0, env=("prod", "production"), share=0.5, heap_share=0.5, rate=600.0),
    LevelRule("L2", 90.0, env=("prod", "production"), share=0.2, heap_share=0.2, rate=60.0, duration_s=3600.0),
    LevelRule("L1", 300.0),
)


@dataclass(frozen=True)
class Retention:
    raw_s: float = 2 * 86400.0  # every snapshot kept this long
    downsampled_s: float = 30 * 86400.0  # then one per `every_s` per target, until this age
    every_s: float = 600.0


@dataclass(frozen=True)
class WatchConfig:
    path: Path | None
    data_dir: Path
    database: str  # a SQLAlchemy-style URL: sqlite:///... (default) or postgresql://...
    listen: str = "127.0.0.1:9464"
    token_file: str = ""  # bearer token the HTTP endpoints require (mandatory off loopback)
    agent: str = ""  # this agent's name in leases; default host:pid (set a stable one, e.g. the pod's
    # name, so that a restarted agent resumes its leases at once instead of after lease-ttl)
    interval_s: float = 30.0
    heap_interval_s: float = 300.0
    dump_interval_s: float = 600.0
    trace_s: float = 0.0  # on suspicion, an execution trace this long (0: never)
    trace_interval_s: float = 1800.0
    window_s: float = 900.0
    timeout_s: float = 10.0
    max_body: int = 64 << 20
    concurrency: int = 32
    max_backoff_s: float = 600.0  # a failing target is retried at doubling delays up to this
    resolve_after_s: float = 300.0  # an incident resolves after its suspect is quiet this long
    lease_ttl_s: float = 30.0
    env_label: str = "env"
    targets: tuple[StaticTarget, ...] = ()
    file_sd: tuple[FileSD, ...] = ()
    levels: tuple[LevelRule, ...] = DEFAULT_LEVELS
    retention: Retention = Retention()
    actions: tuple[ActionSpec, ...] = ()
    allow: frozenset[str] = field(default_factory=frozenset)
    dashboard_url: str = ""  # links in alerts; default: http://<listen>
    sources: tuple[tuple[str, str], ...] = ()  # service label -> a checkout of its source (suspects linked to lines)

    @property
    def bundles(self) -> Path:
        return self.data_dir / "bundles"

    @property
    def shared(self) -> bool:
        """Several agents may share this store: targets are leased."""
        return self.database.startswith("postgresql")

    def agent_name(self) -> str:
        return self.agent or f"{socket.gethostname()}:{os.getpid()}"


MAX_TRACE_S = 60.0

_TOP_KEYS = {
    "data-dir",
    "database",
    "listen",
    "token-file",
    "agent",
    "interval",
    "heap-interval",
    "dump-interval",
    "trace",
    "trace-interval",
    "window",
    "timeout",
    "max-body",
    "concurrency",
    "max-backoff",
    "resolve-after",
    "lease-ttl",
    "env-label",
    "dashboard-url",
    "targets",
    "file_sd",
    "levels",
    "retention",
    "actions",
    "commands",
    "sources",
}


def labels_of(r: TableReader, key: str = "labels") -> tuple[tuple[str, str], ...]:
    v = r.table.get(key, {})
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(x, str) for k, x in v.items()):
        raise r.fail(key, 'expected a table of string labels, e.g. { service = "quote" }')
    for name in v:
        if not name or not (name[0].isalpha() or name[0] == "_") or not all(c.isalnum() or c == "_" for c in name):
            raise r.fail(key, f"{name!r} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)")
    return tuple(sorted(v.items()))


def check_url(url: str, fail: WatchConfigError) -> str:
    from urllib.parse import urlparse

    try:
        p = urlparse(url)
        ok = p.scheme in ("http", "https") and bool(p.hostname) and (p.port is None or p.port > 0)
    except ValueError:  # a bad IPv6 literal, a port out of range
        ok = False
    if not ok:
        raise fail
    return url.rstrip("/")


def _scrape(r: TableReader, base: Path) -> ScrapeOptions:
    tls = r.sub("tls")
    tls.unknown({"ca-file", "cert-file", "key-file", "insecure-skip-verify"})
    token = r.text("bearer-token-file")
    paths = {"bearer-token-file": token, "tls.ca-file": tls.text("ca-file"), "tls.cert-file": tls.text("cert-file")}
    paths["tls.key-file"] = tls.text("key-file")
    resolved = {k: str(base / v) if v else "" for k, v in paths.items()}
    for key, path in resolved.items():
        if path and not os.path.isfile(path):
            raise r.fail(key, f"{path}: no such file")
    if bool(resolved["tls.cert-file"]) != bool(resolved["tls.key-file"]):
        raise r.fail("tls", "cert-file and key-file go together")
    try:  # load the TLS material now: a bad file is a config error, not a failure every round
        if resolved["tls.ca-file"]:
            ssl.create_default_context(cafile=resolved["tls.ca-file"])
        if resolved["tls.cert-file"]:
            ssl.create_default_context().load_cert_chain(resolved["tls.cert-file"], resolved["tls.key-file"])
    except (ssl.SSLError, OSError, ValueError) as e:
        raise r.fail("tls", f"cannot load the certificates: {e}") from None
    return ScrapeOptions(
        bearer_token_file=resolved["bearer-token-file"],
        tls=TLSOptions(
            resolved["tls.ca-file"],
            resolved["tls.cert-file"],
            resolved["tls.key-file"],
            tls.boolean("insecure-skip-verify", False),
        ),
    )


def _levels(r: TableReader) -> tuple[LevelRule, ...]:
    """The default matrix, with the levels the file configures replaced whole."""
    extra = sorted(set(r.table) - set(LEVELS))
    if extra:
        raise r.fail(extra[0], f"unknown level (expected {', '.join(LEVELS)})")
    rules: list[LevelRule] = []
    for default in DEFAULT_LEVELS:  # most severe first: the first rule that matches wins
        if default.level not in r.table:
            rules.append(default)
            continue
        lr = r.sub(default.level)
        lr.unknown({"response", "env", "share", "heap-share", "rate", "duration"})
        rules.append(
            LevelRule(
                default.level,
                lr.duration("response", default.response_s),
                lr.strings("env"),
                lr.number("share", None, 0.0, 1.0),
                lr.number("heap-share", None, 0.0, 1.0),
                lr.number("rate", None),
                lr.duration("duration", 0.0) if "duration" in lr.table else None,
            )
        )
    return tuple(rules)


def parse(data: Mapping[str, Any], where: str, base: Path, path: Path | None = None) -> WatchConfig:
    r = TableReader(where, data)
    r.unknown(_TOP_KEYS)
    data_dir = base / r.text("data-dir", "ctxguard-data")
    database = r.text("database") or f"sqlite:///{data_dir / 'ctxguard.db'}"
    if not database.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise r.fail("database", "expected a sqlite:///PATH or postgresql://... URL")
    listen = r.text("listen", "127.0.0.1:9464")
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise r.fail("listen", f"expected HOST:PORT, got {listen!r}")
    token_file = r.text("token-file")
    if token_file:
        token_file = str(base / token_file)
        if not os.path.isfile(token_file):
            raise r.fail("token-file", f"{token_file}: no such file")
    elif not is_loopback(listen):
        raise r.fail("listen", f"{listen} is not a loopback address: set token-file so the endpoints require a token")
    targets = []
    for i, t in enumerate(r.tables("targets")):
        tr = TableReader(where, t, f"targets[{i}].")
        tr.unknown({"url", "labels", "bearer-token-file", "tls"})
        url = check_url(tr.text("url"), tr.fail("url", f"expected an http(s)://host:port URL, got {t.get('url')!r}"))
        targets.append(StaticTarget(url, labels_of(tr), _scrape(tr, base)))
    urls = [t.url for t in targets]
    if len(set(urls)) != len(urls):
        dup = next(u for u in urls if urls.count(u) > 1)
        raise r.fail("targets", f"{dup} is listed twice")
    sds = []
    for i, s in enumerate(r.tables("file_sd")):
        sr = TableReader(where, s, f"file_sd[{i}].")
        sr.unknown({"files", "scheme", "path-prefix", "refresh", "bearer-token-file", "tls"})
        files = sr.strings("files")
        if not files:
            raise sr.fail("files", "expected at least one file or glob pattern")
        scheme = sr.text("scheme", "http")
        if scheme not in ("http", "https"):
            raise sr.fail("scheme", f"expected http or https, got {scheme!r}")
        sds.append(
            FileSD(
                tuple(str(base / f) for f in files),
                scheme,
                sr.text("path-prefix").rstrip("/"),
                sr.duration("refresh", 30.0),
                _scrape(sr, base),
            )
        )
    ret = r.sub("retention")
    ret.unknown({"raw", "downsampled", "downsample-every"})
    retention = Retention(
        ret.duration("raw", Retention.raw_s),
        ret.duration("downsampled", Retention.downsampled_s),
        ret.duration("downsample-every", Retention.every_s),
    )
    if retention.downsampled_s < retention.raw_s:
        raise ret.fail("downsampled", "must be at least as long as raw")
    src = r.sub("sources")
    sources = []
    for service, checkout in sorted(src.table.items()):
        path = base / str(checkout)
        if not isinstance(checkout, str) or not path.is_dir():
            raise src.fail(service, f"expected the path of a checkout, got {checkout!r}")
        sources.append((service, str(path)))
    commands = r.sub("commands")
    commands.unknown({"allow"})
    try:
        allow = parse_allow(commands.table, where)
        actions = parse_actions(list(r.tables("actions")), where, allow, base)
    except ActionConfigError as e:
        raise WatchConfigError(str(e)) from None
    interval = r.duration("interval", 30.0)
    cfg = WatchConfig(
        path=path,
        data_dir=data_dir,
        database=database,
        listen=listen,
        token_file=token_file,
        agent=r.text("agent"),
        interval_s=interval,
        heap_interval_s=r.duration("heap-interval", max(300.0, interval)),
        dump_interval_s=r.duration("dump-interval", max(600.0, interval)),
        trace_s=r.duration("trace", 0.0) if "trace" in r.table else 0.0,
        trace_interval_s=r.duration("trace-interval", max(1800.0, interval)),
        window_s=r.duration("window", max(900.0, 8 * interval)),
        timeout_s=r.duration("timeout", min(10.0, interval)),
        max_body=r.size("max-body", 64 << 20),
        concurrency=r.integer("concurrency", 32),
        max_backoff_s=r.duration("max-backoff", 600.0),
        resolve_after_s=r.duration("resolve-after", max(300.0, 5 * interval)),
        lease_ttl_s=r.duration("lease-ttl", max(30.0, 3 * interval)),
        env_label=r.text("env-label", "env"),
        targets=tuple(targets),
        file_sd=tuple(sds),
        levels=_levels(r.sub("levels")),
        retention=retention,
        actions=actions,
        allow=allow,
        dashboard_url=r.text("dashboard-url"),
        sources=tuple(sources),
    )
    if cfg.window_s < 4 * cfg.interval_s:
        raise r.fail("window", f"must hold at least 4 intervals ({4 * cfg.interval_s:g} s) to judge a trend")
    if cfg.trace_s > MAX_TRACE_S:
        raise r.fail("trace", f"at most {MAX_TRACE_S:g} s: a trace costs the target CPU for as long as it runs")
    if not cfg.targets and not cfg.file_sd:
        raise WatchConfigError(f"{where}: no targets: add [[targets]] or [[file_sd]]")
    return cfg


def load(path: str | Path) -> WatchConfig:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise WatchConfigError(f"{p}: no such file") from None
    except OSError as e:
        raise WatchConfigError(f"{p}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise WatchConfigError(f"{p}: not valid TOML: {e}") from None
    return parse(data, str(p), p.resolve().parent, p)
