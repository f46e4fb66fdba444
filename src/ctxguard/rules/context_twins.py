"""The APIs with a context-aware twin, as CG202 knows them, and its `extra-apis` option.

Data, not matching: which package functions and methods have a twin, what the twin is
called (or, where no mechanical rewrite exists, what to do instead), and whether a call is
reported by default or only under `report-everywhere`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ctxguard.gosrc.types import GRPC, SQL, SQLX

RENAME = "rename"  # F(args) -> Twin(ctx, args)
NIL_OPTS = "nil-opts"  # Begin() -> BeginTx(ctx, nil)
EXT = "ext"  # sqlx.Get(q, ...) -> sqlx.GetContext(ctx, q, ...), when q is proven to have the Context methods
ADVICE = "advice"  # not a mechanical rewrite: a message, no fix


@dataclass(frozen=True)
class Twin:
    name: str  # the twin's name; for ADVICE the remedy, with {ctx} and {recv} placeholders
    form: str = RENAME
    problem: str = "has no context"
    # reported where a context is at hand (the default), or only under report-everywhere
    # (noctx's stance) when the call waits for nothing the context would cut short in practice:
    # see the comment at each such entry
    by_default: bool = True


def _ctx_twins(*names: str) -> dict[str, Twin]:
    return {n: Twin(n + "Context") for n in names}


_HTTP_ADVICE = Twin("http.NewRequestWithContext({ctx}, ...) and a client's Do", ADVICE)
_CLIENT_ADVICE = Twin("http.NewRequestWithContext({ctx}, ...) and {recv}.Do", ADVICE)
_GRPC_REMEDY = "grpc.NewClient and pass {ctx} to each RPC"

PACKAGE_FUNCS: dict[str, dict[str, Twin]] = {
    "net/http": {
        "Get": _HTTP_ADVICE,
        "Head": _HTTP_ADVICE,
        "Post": _HTTP_ADVICE,
        "PostForm": _HTTP_ADVICE,
        "NewRequest": Twin("NewRequestWithContext"),
    },
    "net/http/httptest": {"NewRequest": Twin("NewRequestWithContext")},  # Go 1.23
    # CommandContext kills the child when the context ends: whether a command should die with
    # the request is a design choice, and the triages found none of 13 such findings worth
    # fixing (short local tools: mkfs, setcap, iptables, git)
    "os/exec": {"Command": Twin("CommandContext", by_default=False)},
    "net": {
        # a connect is bounded by the kernel's SYN retries (about two minutes on Linux) and a name
        # by the resolver's timeouts, like DialTimeout and the Lookup functions below; the triages
        # found 2 of 10 such findings worth fixing
        "Dial": Twin("(&net.Dialer{}).DialContext({ctx}, ...)", ADVICE, by_default=False),
        # bounded by its timeout already
        "DialTimeout": Twin("(&net.Dialer{Timeout: timeout}).DialContext({ctx}, ...)", ADVICE, by_default=False),
        "Listen": Twin("(&net.ListenConfig{}).Listen({ctx}, ...)", ADVICE, by_default=False),
        "ListenPacket": Twin("(&net.ListenConfig{}).ListenPacket({ctx}, ...)", ADVICE, by_default=False),
        # name lookups are bounded by the resolver's timeouts and attempts (resolv.conf)
        "LookupIP": Twin('net.DefaultResolver.LookupIP({ctx}, "ip", ...)', ADVICE, by_default=False),
        **{
            n: Twin(f"net.DefaultResolver.{n}({{ctx}}, ...)", ADVICE, by_default=False)
            for n in (
                "LookupHost",
                "LookupAddr",
                "LookupCNAME",
                "LookupMX",
                "LookupNS",
                "LookupTXT",
                "LookupSRV",
            )
        },
        # a service name is looked up in /etc/services (and a number parsed): nothing waits
        "LookupPort": Twin("net.DefaultResolver.LookupPort({ctx}, ...)", ADVICE, by_default=False),
    },
    "crypto/tls": {
        "Dial": Twin("(&tls.Dialer{Config: config}).DialContext({ctx}, ...)", ADVICE),
        "DialWithDialer": Twin("(&tls.Dialer{NetDialer: dialer, Config: config}).DialContext({ctx}, ...)", ADVICE),
    },
    GRPC: {
        # without grpc.WithBlock() a dial returns at once: the RPCs take the context
        "Dial": Twin(_GRPC_REMEDY, ADVICE, "is deprecated and has no context", by_default=False),
        "DialContext": Twin(
            _GRPC_REMEDY, ADVICE, "is deprecated and its context only bounds a blocking dial", by_default=False
        ),
    },
    SQLX: {
        "Connect": Twin("ConnectContext"),
        **{
            n: Twin(n + "Context", EXT)
            for n in ("Get", "Select", "MustExec", "NamedExec", "NamedQuery", "Preparex", "LoadFile")
        },
    },
}

# receiver type (qualified, without "*") -> method -> twin; all of these have pointer receivers
METHODS: dict[str, dict[str, Twin]] = {
    f"{SQL}.DB": {
        "Begin": Twin("BeginTx", NIL_OPTS),
        **_ctx_twins("Exec", "Ping", "Prepare", "Query", "QueryRow"),
    },
    f"{SQL}.Tx": _ctx_twins("Exec", "Prepare", "Query", "QueryRow", "Stmt"),
    f"{SQL}.Stmt": _ctx_twins("Exec", "Query", "QueryRow"),
    f"{SQLX}.DB": {
        "Beginx": Twin("BeginTxx", NIL_OPTS),
        "MustBegin": Twin("MustBeginTx", NIL_OPTS),
        **_ctx_twins(
            "NamedQuery", "NamedExec", "Select", "Get", "Queryx", "QueryRowx", "MustExec", "Preparex", "PrepareNamed"
        ),
    },
    f"{SQLX}.Tx": {
        # sqlx.Tx has no NamedQueryContext method: the package function takes the transaction
        "NamedQuery": Twin("sqlx.NamedQueryContext({ctx}, {recv}, ...)", ADVICE),
        **_ctx_twins(
            "NamedExec", "Select", "Get", "Queryx", "QueryRowx", "MustExec", "Preparex", "PrepareNamed", "Stmtx"
        ),
        "NamedStmt": Twin("NamedStmtContext"),
    },
    f"{SQLX}.Stmt": _ctx_twins("Select", "Get", "MustExec", "Queryx", "QueryRowx"),
    f"{SQLX}.NamedStmt": _ctx_twins("Exec", "Query", "QueryRow", "MustExec", "Queryx", "QueryRowx", "Select", "Get"),
    "net/http.Client": {
        "Get": _CLIENT_ADVICE,
        "Head": _CLIENT_ADVICE,
        "Post": _CLIENT_ADVICE,
        "PostForm": _CLIENT_ADVICE,
    },
    "net.Dialer": {"Dial": Twin("DialContext", by_default=False)},  # as net.Dial
    "crypto/tls.Dialer": {"Dial": Twin("DialContext")},
    "crypto/tls.Conn": _ctx_twins("Handshake"),
}


def names_in(tables: Iterable[dict[str, dict[str, Twin]]]) -> frozenset[str]:
    return frozenset(n for table in tables for by_name in table.values() for n in by_name)


BASE_NAMES = names_in((PACKAGE_FUNCS, METHODS))


@dataclass(frozen=True)
class ExtraApis:
    """The `extra-apis` option, parsed."""

    funcs: dict[str, dict[str, Twin]] = field(default_factory=dict)  # import path -> function -> twin
    methods: dict[str, dict[str, Twin]] = field(default_factory=dict)  # "path.Type" -> method -> twin

    @property
    def names(self) -> frozenset[str]:
        return names_in((self.funcs, self.methods))


_EXTRA = re.compile(r"(?P<qual>[^=\s]+)\.(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<twin>[A-Za-z_]\w*)")
_TYPE_NAME = re.compile(r"\*?[A-Za-z_]\w*")


@functools.cache
def parse_extra_apis(entries: tuple[str, ...]) -> ExtraApis:
    """Parse `extra-apis` entries; a malformed one raises ValueError naming it."""
    funcs: dict[str, dict[str, Twin]] = {}
    methods: dict[str, dict[str, Twin]] = {}
    for entry in entries:
        m = _EXTRA.fullmatch(entry.strip())
        if m is None:
            expected = "'import/path.Func=Twin' or 'import/path.*Type.Method=Twin'"
            raise ValueError(f"extra-apis: cannot read {entry!r}: expected {expected}")
        qual, name, twin = m.group("qual"), m.group("name"), Twin(m.group("twin"))
        # `path.Type`: the last path element holds a dot followed by a type name (`*Client`, `Client`);
        # `gopkg.in/yaml.v3` is a path: its last dot is followed by a lower-case version
        last = qual.rsplit("/", 1)[-1]
        head, dot, tail = last.rpartition(".")
        if dot and head and _TYPE_NAME.fullmatch(tail) and (tail.startswith("*") or tail[0].isupper()):
            recv = qual[: len(qual) - len(tail)] + tail.lstrip("*")
            methods.setdefault(recv, {})[name] = twin
        else:
            funcs.setdefault(qual, {})[name] = twin
    return ExtraApis(funcs, methods)


def everywhere_packages(extras: ExtraApis | None = None) -> frozenset[str]:
    """The import paths `report-everywhere` accepts: those of the functions and receiver types
    this rule knows, and those of `extra-apis`."""
    paths = set(PACKAGE_FUNCS) | {t.rpartition(".")[0] for t in METHODS}
    if extras is not None:
        paths |= set(extras.funcs) | {t.rpartition(".")[0] for t in extras.methods}
    return frozenset(paths)
