"""The `[[actions]]` and `[commands]` tables of the watch config, checked whole at load time.

Everything that can be wrong with an action is found here, before the agent
runs: a page that would fail on the first L1 at night is a config error now.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ctxguard.runtime.capture import parse_duration
from ctxguard.store.model import LEVELS

KINDS = ("alertmanager", "slack", "webhook", "command")
EVENTS = ("opened", "escalated", "updated", "resolved")
HTTP_KINDS = ("alertmanager", "slack", "webhook")

_COMMON = frozenset({"name", "kind", "levels", "events", "timeout", "dry-run", "max-per-hour"})
_KEYS = {
    "alertmanager": _COMMON | {"url", "url-file", "bearer-token-file", "dashboard-url", "runbook"},
    # a Slack webhook URL is itself the credential: url-file keeps it out of the config
    "slack": _COMMON | {"url", "url-file"},
    "webhook": _COMMON | {"url", "url-file", "bearer-token-file"},
    "command": _COMMON | {"argv"},
}
_DEFAULT_TIMEOUT_S = {"alertmanager": 5.0, "slack": 5.0, "webhook": 5.0, "command": 60.0}
# Alertmanager is kept in step with the incidents (it groups and deduplicates the
# pages itself): a dropped post would leave it out of step, so no limit by default.
_DEFAULT_MAX_PER_HOUR: dict[str, int | None] = {"alertmanager": None, "slack": 60, "webhook": 60, "command": 1}

_FIELDS = frozenset({"id", "level", "state", "target", "opened_at"})
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ActionConfigError(ValueError):
    """One line: the config file, the action and what is wrong."""


@dataclass(frozen=True)
class Template:
    """A string with `{field}` holes, parsed once; only trusted incident fields may fill them."""

    text: str
    pieces: tuple[tuple[str, str | None], ...]  # (literal, field or None)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f in self.pieces if f is not None)

    def render(self, value: Callable[[str], str]) -> str:
        return "".join(lit + (value(f) if f is not None else "") for lit, f in self.pieces)


def parse_template(text: str) -> Template:
    """Raises ValueError naming the bad field. `{{` and `}}` are literal braces."""
    pieces: list[tuple[str, str | None]] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:  # unbalanced braces
        raise ValueError(f"bad template {text!r}: {e}") from None
    for literal, field, spec, conversion in parsed:
        if field is None:
            pieces.append((literal, None))
            continue
        # No conversions or format specs: rendering is plain substitution, never str.format
        # (which would also reach attributes and items of whatever it is given).
        if spec or conversion:
            raise ValueError(f"bad template {text!r}: no format specs or conversions in {{{field}}}")
        if field not in _FIELDS and not (field.startswith("label.") and _LABEL_NAME.fullmatch(field[6:])):
            raise ValueError(
                f"unknown template field {{{field}}} in {text!r} (use id, level, state, target, opened_at, label.NAME)"
            )
        pieces.append((literal, field))
    return Template(text, tuple(pieces))


@dataclass(frozen=True)
class ActionSpec:
    name: str
    kind: str  # alertmanager | slack | webhook | command
    levels: tuple[str, ...] = LEVELS
    events: tuple[str, ...] = EVENTS
    url: str = ""
    url_file: str = ""  # read at send time, so the secret URL can be rotated and never sits in the config
    bearer_token_file: str = ""  # read at send time; the token is never logged nor recorded
    timeout_s: float = 5.0
    dry_run: bool = False
    max_per_hour: int | None = None  # None: no limit
    argv: tuple[Template, ...] = ()  # commands; argv[0] is literal and allow-listed
    dashboard_url: Template | None = None  # alertmanager generatorURL
    runbook: Template | None = None  # alertmanager annotation


def parse_allow(raw: object, where: str = "config") -> frozenset[str]:
    """The `[commands]` table (None when absent) -> the programs commands may run, as written in argv[0]."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, Mapping):
        raise ActionConfigError(f"{where}: [commands] must be a table")
    unknown = sorted(set(raw) - {"allow"})
    if unknown:
        raise ActionConfigError(f"{where}: [commands]: unknown key {unknown[0]!r} (only 'allow')")
    allow = raw.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() for a in allow):
        raise ActionConfigError(f"{where}: [commands] allow must be a list of program names or paths")
    return frozenset(allow)


def parse_actions(
    raw: Sequence[Mapping[str, object]], where: str, allow: frozenset[str] = frozenset(), base: Path | None = None
) -> tuple[ActionSpec, ...]:
    """The `[[actions]]` tables -> specs. Commands must name an `allow`ed program (empty: no commands).
    Relative `url-file` and `bearer-token-file` paths are relative to `base` (the config's directory),
    and must exist now: a page must not fail for a missing file on the first night it is needed."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise ActionConfigError(f"{where}: actions must be a list of [[actions]] tables")
    specs: list[ActionSpec] = []
    seen: set[str] = set()
    for i, table in enumerate(raw, 1):
        spec = _parse_one(table, where, i, allow, base)
        if spec.name in seen:
            raise ActionConfigError(f"{where}: action {spec.name!r}: the name is used twice")
        seen.add(spec.name)
        specs.append(spec)
    return tuple(specs)


def _parse_one(table: object, where: str, i: int, allow: frozenset[str], base: Path | None) -> ActionSpec:
    if not isinstance(table, Mapping):
        raise ActionConfigError(f"{where}: [[actions]] #{i} must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ActionConfigError(f"{where}: [[actions]] #{i}: missing name")

    def fail(problem: str) -> ActionConfigError:
        return ActionConfigError(f"{where}: action {name!r}: {problem}")

    kind = table.get("kind")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (use {', '.join(KINDS)})")
    assert isinstance(kind, str)
    for key in table:
        if key not in _KEYS[kind]:
            applies = [k for k in KINDS if key in _KEYS[k]]
            why = f"applies to kind {applies[0]!r} only" if len(applies) == 1 else "unknown key"
            raise fail(f"{why}: {key!r}")

    levels = _names(table, "levels", LEVELS, fail)
    events = _names(table, "events", EVENTS, fail)
    if kind == "command" and "events" not in table:
        events = tuple(e for e in EVENTS if e != "resolved")
    if kind == "command" and "resolved" in events:
        raise fail("commands do not run on resolve: drop 'resolved' from events")

    timeout_s = _DEFAULT_TIMEOUT_S[kind]
    if "timeout" in table:
        t = table["timeout"]
        try:
            if isinstance(t, bool) or not isinstance(t, str | int | float):
                raise ValueError
            timeout_s = parse_duration(t) if isinstance(t, str) else float(t)
        except ValueError:
            raise fail(f"bad timeout {t!r} (use e.g. 5s, 500ms, 2m)") from None
        if timeout_s <= 0:
            raise fail("timeout must be more than 0")

    # Commands act on production: they must be switched on by hand.
    dry_run = table.get("dry-run", kind == "command")
    if not isinstance(dry_run, bool):
        raise fail("dry-run must be true or false")

    max_per_hour = _DEFAULT_MAX_PER_HOUR[kind]
    if "max-per-hour" in table:
        m = table["max-per-hour"]
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise fail(f"max-per-hour must be a whole number of at least 1, not {m!r}")
        max_per_hour = m

    url, url_file, token_file = "", "", ""
    if kind in HTTP_KINDS:
        url, url_file = _str(table, "url", fail), _str(table, "url-file", fail)
        if bool(url) == bool(url_file):
            raise fail("needs exactly one of url or url-file")
        # The URL is not quoted back: a Slack webhook URL is itself a credential.
        if url and not _is_http_url(url):
            raise fail("url must be http:// or https:// with a host")
        token_file = _str(table, "bearer-token-file", fail)
        if base is not None:
            url_file, token_file = (str(base / f) if f else "" for f in (url_file, token_file))
            for key, f in (("url-file", url_file), ("bearer-token-file", token_file)):
                if f and not Path(f).is_file():
                    raise fail(f"{key}: {f}: no such file")

    def template(key: str) -> Template | None:
        text = _str(table, key, fail)
        if not text:
            return None
        try:
            return parse_template(text)
        except ValueError as e:
            raise fail(f"{key}: {e}") from None

    argv: tuple[Template, ...] = ()
    if kind == "command":
        argv = _argv(table.get("argv"), allow, fail)

    return ActionSpec(
        name=name,
        kind=kind,
        levels=levels,
        events=events,
        url=url,
        url_file=url_file,
        bearer_token_file=token_file,
        timeout_s=timeout_s,
        dry_run=dry_run,
        max_per_hour=max_per_hour,
        argv=argv,
        dashboard_url=template("dashboard-url"),
        runbook=template("runbook"),
    )


def _argv(raw: object, allow: frozenset[str], fail: Callable[[str], ActionConfigError]) -> tuple[Template, ...]:
    if raw is None:
        raise fail("missing argv")
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) for a in raw):
        raise fail("argv must be a non-empty list of strings (one element per argument; there is no shell)")
    program = raw[0]
    if not program or "{" in program or "}" in program:
        raise fail("argv[0] must be a literal program name or path, not a template")
    if program not in allow:
        raise fail(f"argv[0] {program!r} is not in [commands] allow")
    out: list[Template] = []
    for a in raw:
        try:
            out.append(parse_template(a))
        except ValueError as e:
            raise fail(f"argv: {e}") from None
    return tuple(out)


def _names(
    table: Mapping[str, object], key: str, known: tuple[str, ...], fail: Callable[[str], ActionConfigError]
) -> tuple[str, ...]:
    if key not in table:
        return known
    raw = table[key]
    if not isinstance(raw, list) or not raw:
        raise fail(f"{key} must be a non-empty list (leave it out for all: {', '.join(known)})")
    for v in raw:
        if v not in known:
            raise fail(f"bad {key[:-1]} {v!r} (use {', '.join(known)})")
    return tuple(v for v in known if v in raw)  # canonical order, no duplicates


def _str(table: Mapping[str, object], key: str, fail: Callable[[str], ActionConfigError]) -> str:
    v = table.get(key, "")
    if not isinstance(v, str):
        raise fail(f"{key} must be a string")
    return v.strip()


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
