"""CG302 resource-in-context: connection, handle, lock, channel or file stored as a context value."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import StoredValue, is_context_type_text, stored_values
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import enclosing_function, text, unparen
from ctxguard.gosrc.types import GRPC, SQL, SQLX, expr_type, short_type
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A `context.WithValue` call whose value is, by its type as established from
the source, a resource or an object bound to goroutines:

- database handles: `*sql.DB`, `*sql.Conn`, `*sql.Tx`, `*sqlx.DB`, `*sqlx.Conn`, `*sqlx.Tx`;
- network and file handles: `net.Conn` (and `*net.TCPConn`, `*net.UDPConn`,
  `*net.UnixConn`, `*tls.Conn`), `*os.File`, `*http.Response`;
- clients and pools: `*http.Client`, `*grpc.ClientConn`;
- synchronisation: `sync.Mutex`, `sync.RWMutex`, `sync.WaitGroup` and pointers to them;
- channels of any element type and direction.

Values whose type cannot be established are not reported, nor are values an
API asks for under its own key (`context.WithValue(ctx, oauth2.HTTPClient,
client)` is how golang.org/x/oauth2 takes its HTTP client), nor a connection
stored by a function of `http.Server.ConnContext`'s shape, `func(ctx
context.Context, c net.Conn) context.Context`, in the context it makes for that
connection: that context lives as long as the connection does; nor a value put
in the `Context` field of an options struct (`o.Context = context.WithValue(
o.Context, wgKey{}, wg)` with `o` an `*Options`, `*Opts`, `*Config` or
`*Settings`): a bag of settings the component reads as it is built (go-micro's
plugins), not a request's context.

## Why it leaks
A context value lives as long as the context chain, and contexts are often
longer-lived than intended (stored in a struct, re-derived in a loop, handed to
background goroutines). A connection or transaction stored there stays
reachable after its `Close`/`Commit`, and code deep in the call chain uses it
without owning it: it cannot know whether it is still open, and nothing tells
the owner when the last user is done. Locks, wait groups and channels in a
context couple goroutines through an invisible side channel; a mutex stored by
value is a copy that locks nothing. Pools and clients do belong to the
program, but not to a request: storing them per request hides a dependency
that a struct field makes explicit.

## Bad
```go
conn, _ := db.Conn(ctx)
defer conn.Close()
ctx = context.WithValue(ctx, connKey{}, conn)
process(ctx)
```

## Good
```go
conn, _ := db.Conn(ctx)
defer conn.Close()
process(ctx, conn) // or keep db in a field of the server; store an ID in the context
```

## Options
- `extra-types`: more types to report, as qualified type texts matched exactly
  against the value's type, with the import path in full and `*` for a pointer:
  `extra-types = ["*example.com/pool.Pool", "example.com/bus.Conn"]`.
"""

# qualified type text -> kind of thing, which decides the advice
_RESOURCES: dict[str, str] = {
    f"*{SQL}.DB": "pool",
    f"*{SQL}.Conn": "conn",
    f"*{SQL}.Tx": "tx",
    f"*{SQLX}.DB": "pool",
    f"*{SQLX}.Conn": "conn",
    f"*{SQLX}.Tx": "tx",
    "net.Conn": "conn",
    "*net.TCPConn": "conn",
    "*net.UDPConn": "conn",
    "*net.UnixConn": "conn",
    "*crypto/tls.Conn": "conn",
    "*os.File": "file",
    "*net/http.Response": "response",
    "*net/http.Client": "pool",
    f"*{GRPC}.ClientConn": "pool",
    **{f"{ptr}sync.{t}": "sync" for ptr in ("", "*") for t in ("Mutex", "RWMutex", "WaitGroup")},
}

# keys under which a library asks for a client in the context: its documented API, not a choice
_API_KEYS = frozenset({("golang.org/x/oauth2", "HTTPClient")})

_ADVICE = {
    "pool": "a long-lived pool does not belong to a request; hold it in a struct field of the server "
    "(or pass it explicitly)",
    "conn": "the context chain keeps the connection reachable after Close and hands it to code that does "
    "not own it; pass it explicitly (or store an ID)",
    "tx": "the context chain keeps the transaction reachable after Commit/Rollback and hands it to code that "
    "does not own it; pass it explicitly",
    "file": "the context chain keeps the file reachable after Close and hands it to code that does not own it; "
    "pass it explicitly (or store its name)",
    "response": "its body must be closed by its owner and the context chain keeps it reachable; pass it explicitly",
    "sync": "goroutine coordination hidden in a context couples every goroutine it reaches (and a value is a "
    "copy that locks nothing); pass it explicitly or hold it in a struct field",
    "chan": "whoever reads it cannot tell who closes it, and senders block once nobody listens; pass it explicitly",
    "extra": "it is listed in extra-types; pass it explicitly, hold it in a struct field, or store an ID",
}


def check(p: Pass) -> None:
    file = p.file
    extra = frozenset(p.options.get("extra-types", ()))
    for stored in stored_values(file):
        value = stored.value
        if _api_key(file, stored.key) or _connection_hook(file, value) or _options_bag(file, stored):
            continue
        vtype = expr_type(file, value)
        if vtype is None:
            continue
        kind = _kind(vtype, extra)
        if kind is None:
            continue
        what = "a channel" if kind == "chan" else "a"
        p.report(
            value,
            f"context.WithValue stores {what} {short_type(vtype)}: {_ADVICE[kind]}",
        )


def _connection_hook(file: GoFile, value: Node) -> bool:
    """`func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, k, c) }`:
    http.Server's ConnContext hook (or a helper of its shape). The context is made for that
    connection and lives as long as it does: storing the connection there is what it is for."""
    value = unparen(value)
    decl = file.decl_of(value) if value.type == "identifier" else None
    fn = enclosing_function(value)
    if decl is None or decl.kind != "param" or fn is None or enclosing_function(decl.ident) != fn:
        return False
    info = file.func_info(fn)
    types = [p.type for p in info.params]
    results = [r.type for r in info.results]
    return (
        len(types) == 2
        and is_context_type_text(file, types[0])
        and types[1] in _CONNECTIONS
        and len(results) == 1
        and is_context_type_text(file, results[0])
    )


_CONNECTIONS = frozenset({"net.Conn", "*crypto/tls.Conn", "*net.TCPConn", "*net.UnixConn"})


def _options_bag(file: GoFile, stored: StoredValue) -> bool:
    """`o.Context = context.WithValue(o.Context, wgKey{}, wg)` with `o` an options struct
    (`*Options`, `*ServerOpts`, `*Config`): the context is a bag of settings (go-micro's
    plugins) that the component reads once as it is built, never a request's context."""
    stmt = stored.derivation.stmt
    target = stored.derivation.ctx_target
    if stmt is None or stmt.type != "assignment_statement" or target is None:
        return False
    if target.type != "selector_expression" or text(target.child_by_field_name("field")) != "Context":
        return False
    holder = target.child_by_field_name("operand")
    htype = expr_type(file, holder) if holder is not None else None
    name = (htype or "").lstrip("*").rpartition(".")[2]
    return name.endswith(_OPTION_TYPES)


_OPTION_TYPES = ("Options", "Opts", "Config", "Settings")


def _api_key(file: GoFile, key: Node) -> bool:
    """`oauth2.HTTPClient` and the like (also unqualified inside the package that declares it)."""
    key = unparen(key)
    if key.type == "selector_expression":
        operand = key.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            return False
        path = file.import_path_of(text(operand))
        name = text(key.child_by_field_name("field"))
        return path is not None and (path, name) in _API_KEYS and file.refers_to_import(operand, path)
    if key.type == "identifier" and file.decl_of(key) is None:
        return any(name == text(key) and path.rsplit("/", 1)[-1] == file.package_name for path, name in _API_KEYS)
    return False


def _kind(vtype: str, extra: frozenset[str]) -> str | None:
    if vtype in _RESOURCES:
        return _RESOURCES[vtype]
    if vtype in extra:
        return "extra"
    if vtype.startswith(("chan ", "chan<-", "<-chan")):
        return "chan"
    return None


RULE = Rule(
    code="CG302",
    name="resource-in-context",
    severity=Severity.WARNING,
    summary="connection, handle, lock, channel or file stored as a context value",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    options={"extra-types": 'more value types to report, e.g. "*example.com/pool.Pool" (import path in full)'},
)
