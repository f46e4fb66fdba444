"""The fleet's commands: `watch`, `incidents`, `incident`, `db` and `serve`; thin, they call watch/, store/ and web/."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from ctxguard.store.db import Store

EXIT_ERROR = 2
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(f"ctxguard: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _database(config: str | None, data_dir: str | None, database: str | None) -> str:
    """The store to read: named outright, or the one a config file or a data directory uses."""
    if database:
        return database
    if config:
        from ctxguard.watch.config import WatchConfigError, load

        try:
            return load(config).database
        except WatchConfigError as e:
            _fail(str(e))
    directory = Path(data_dir or "ctxguard-data")
    db = directory / "ctxguard.db"
    if not db.is_file():
        _fail(f"{db}: no store here (run `ctxguard watch` first, or pass --config or --database)")
    return f"sqlite:///{db}"


def _open(url: str, migrate: bool = False) -> Store:
    from ctxguard.store.db import Store, StoreError

    try:
        return Store.open(url, migrate=migrate)
    except StoreError as e:
        _fail(str(e))


store_options = [
    click.option("--config", "config", type=click.Path(dir_okay=False), help="The watch config: its store."),
    click.option("--data-dir", type=click.Path(file_okay=False), help="A data directory with a SQLite store."),
    click.option("--database", help="A store URL: sqlite:///PATH or postgresql://..."),
]


def _with_store(f: F) -> F:
    for opt in reversed(store_options):
        f = opt(f)
    return f


@click.command()
@click.option("--config", "config", required=True, type=click.Path(dir_okay=False), help="The watch config (TOML).")
@click.option("--check-config", is_flag=True, help="Check the config and the store, print the targets, and exit.")
def watch(config: str, check_config: bool) -> None:
    """Watch a fleet's pprof endpoints continuously: store snapshots, judge each target's
    window, open graded incidents with evidence bundles, run the configured actions,
    and serve /metrics, /healthz and /api/ on the configured address."""
    import asyncio

    from ctxguard.watch.config import WatchConfigError, load

    try:
        cfg = load(config)
    except WatchConfigError as e:
        _fail(str(e))
    if check_config:
        from ctxguard.watch.targets import TargetSet

        problems: list[str] = []
        targets = TargetSet(cfg, problems.append).refresh()
        store = _open(cfg.database, migrate=False) if Path(cfg.data_dir).exists() or cfg.shared else None
        if store is not None:
            store.close()
        for p in problems:
            click.echo(f"warning: {p}", err=True)
        click.echo(f"{config}: ok: {len(targets)} targets, store {cfg.database.split('@')[-1]}, listen {cfg.listen}")
        for w in targets:
            labels = ",".join(f"{k}={v}" for k, v in w.target.labels)
            click.echo(f"  {w.target.url}  {labels}")
        return

    from ctxguard.store.db import StoreError
    from ctxguard.watch.run import WatchError, serve
    from ctxguard.web.listen import ListenError

    def log(msg: str) -> None:
        click.echo(f"{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} {msg}", err=True)

    def announce(msg: str) -> None:
        click.echo(msg)
        sys.stdout.flush()

    try:
        asyncio.run(serve(cfg, log, announce))
    except (WatchError, ListenError, StoreError) as e:
        _fail(str(e))
    except KeyboardInterrupt:
        pass


@click.command()
@_with_store
@click.option("--state", type=click.Choice(["open", "resolved"]), help="Only incidents in this state.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def incidents(config: str | None, data_dir: str | None, database: str | None, state: str | None, fmt: str) -> None:
    """List incidents, newest first."""
    from ctxguard.watch.present import incident_json

    store = _open(_database(config, data_dir, database))
    try:
        rows = store.incidents(state=state)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([incident_json(i) for i in rows], indent=2))
        return
    if not rows:
        click.echo("no incidents")
        return
    for i in rows:
        n = i.numbers
        click.echo(
            f"#{i.id}  {i.level}  {i.state:<8}  {i.target}  {i.function} ({i.file}:{i.line})  "
            f"{n.goroutines}/{n.total} goroutines, {n.rate_per_min:+.1f}/min  opened {i.opened_at:%Y-%m-%d %H:%M:%S}"
        )


@click.command()
@click.argument("incident_id", type=int)
@_with_store
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def incident(incident_id: int, config: str | None, data_dir: str | None, database: str | None, fmt: str) -> None:
    """Show one incident: its suspect, evidence, bundle and the actions taken."""
    from ctxguard.watch.present import action_json, incident_json

    store = _open(_database(config, data_dir, database))
    try:
        inc = store.incident(incident_id)
        actions = store.actions(incident_id) if inc is not None else []
    finally:
        store.close()
    if inc is None:
        _fail(f"no incident {incident_id}")
    body = incident_json(inc)
    body["actions"] = [action_json(a) for a in actions]
    if fmt == "json":
        click.echo(json.dumps(body, indent=2))
        return
    click.echo(
        f"incident #{inc.id}: {inc.level} {inc.state}, {inc.target} {' '.join(f'{k}={v}' for k, v in inc.labels)}"
    )
    click.echo(f"  suspect:  {inc.function} ({inc.file}:{inc.line}), verdict {inc.verdict}")
    click.echo(f"  opened:   {inc.opened_at:%Y-%m-%d %H:%M:%S}, respond by {inc.deadline_at:%H:%M:%S}")
    click.echo(f"  updated:  {inc.updated_at:%Y-%m-%d %H:%M:%S}")
    if inc.resolved_at is not None:
        click.echo(f"  resolved: {inc.resolved_at:%Y-%m-%d %H:%M:%S}")
    click.echo(f"  evidence: {inc.evidence}")
    n = inc.numbers
    click.echo(
        f"            {n.goroutines} of {n.total} goroutines ({n.share:.0%}), {n.rate_per_min:+.1f}/min, "
        f"{n.survivors} survivors, {n.snapshots} snapshots"
    )
    if inc.bundle:
        click.echo(f"  bundle:   {inc.bundle}")
    for a in actions:
        click.echo(f"  action:   {a.at:%H:%M:%S} {a.name} ({a.kind}): {a.outcome} {a.detail}")


@click.group()
def db() -> None:
    """The store's schema: status and migrations."""


@db.command("status")
@_with_store
def db_status(config: str | None, data_dir: str | None, database: str | None) -> None:
    """Print the schema revision of the store and the one this ctxguard needs."""
    url = _database(config, data_dir, database)
    store = _open(url)
    try:
        current, head = store.revision()
    finally:
        store.close()
    click.echo(f"schema {current or 'none'}, this ctxguard needs {head}" + (" (up to date)" if current == head else ""))


@db.command("upgrade")
@_with_store
def db_upgrade(config: str | None, data_dir: str | None, database: str | None) -> None:
    """Migrate the store to the schema this ctxguard needs."""
    store = _open(_database(config, data_dir, database), migrate=True)
    try:
        current, head = store.revision()
    finally:
        store.close()
    click.echo(f"schema at {current} (head {head})")


@click.command()
@_with_store
@click.option("--listen", default="127.0.0.1:9465", show_default=True, help="HOST:PORT to serve on.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help="A bearer token every request must bring (required off loopback; default: the config's token-file).",
)
@click.option(
    "--source", "sources", multiple=True, metavar="SERVICE=DIR", help="A checkout of a service's code (repeatable)."
)
def serve(
    config: str | None,
    data_dir: str | None,
    database: str | None,
    listen: str,
    token_file: str | None,
    sources: tuple[str, ...],
) -> None:
    """Browse a store read-only: the dashboard's fleet, target and incident pages and their
    JSON API, from the stored snapshots and incidents alone (nothing is scraped or written)."""
    import asyncio

    from ctxguard.store.db import StoreError
    from ctxguard.watch.server import read_token
    from ctxguard.web.listen import ListenError
    from ctxguard.web.serve import ServeError, ServeOptions
    from ctxguard.web.serve import serve as run

    url = _database(config, data_dir, database)
    opts = ServeOptions(database=url, listen=listen)
    checkouts: dict[str, str] = {}
    if config:
        from ctxguard.watch.config import WatchConfigError, load

        try:
            cfg = load(config)
        except WatchConfigError as e:
            _fail(str(e))
        checkouts.update(cfg.sources)
        responses = {r.level: r.response_s for r in cfg.levels}
        opts = ServeOptions(url, listen, "", cfg.window_s, responses=responses, bundle_root=cfg.bundles)
        token_file = token_file or cfg.token_file or None
    elif not database:
        opts = ServeOptions(url, listen, bundle_root=Path(data_dir or "ctxguard-data") / "bundles")
    for item in sources:
        service, sep, directory = item.partition("=")
        if not sep or not service or not Path(directory).is_dir():
            _fail(f"--source {item}: expected SERVICE=DIR with DIR a checkout")
        checkouts[service] = directory
    try:
        token = read_token(token_file or "")
    except OSError as e:
        _fail(f"{token_file}: cannot read the token: {e.strerror or e}")
    if token_file and not token:
        _fail(f"{token_file}: the token file is empty")
    from dataclasses import replace

    opts = replace(opts, token=token, sources=checkouts)

    def announce(msg: str) -> None:
        click.echo(msg)
        sys.stdout.flush()

    try:
        asyncio.run(run(opts, announce))
    except (ServeError, ListenError, StoreError) as e:
        _fail(str(e))
    except KeyboardInterrupt:
        pass


COMMANDS = (watch, incidents, incident, db, serve)
