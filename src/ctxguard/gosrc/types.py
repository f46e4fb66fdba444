"""The static type of an expression, as far as one package's source can tell.

No type checker and no dependencies are loaded, so this is deliberately
partial: it follows declared types of parameters, locals, struct fields and
package variables, composite literals, `&`/`*`, and the results of a table of
well-known constructors and methods (database/sql, sqlx, net, net/http, os,
grpc). Anything it cannot prove is `None`, and rules stay silent on `None`.

Types are rendered as `type_text` renders them: import paths in full,
`*database/sql.DB`, `chan int`, `T` for a type declared in the package.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import call_args, call_name, text, unparen

SQL = "database/sql"
SQLX = "github.com/jmoiron/sqlx"
GRPC = "google.golang.org/grpc"

# (import path, function) -> the type of its first result
FUNC_RESULTS: dict[tuple[str, str], str] = {
    (SQL, "Open"): f"*{SQL}.DB",
    (SQL, "OpenDB"): f"*{SQL}.DB",
    (SQLX, "Open"): f"*{SQLX}.DB",
    (SQLX, "Connect"): f"*{SQLX}.DB",
    (SQLX, "ConnectContext"): f"*{SQLX}.DB",
    (SQLX, "MustConnect"): f"*{SQLX}.DB",
    (SQLX, "MustOpen"): f"*{SQLX}.DB",
    (SQLX, "NewDb"): f"*{SQLX}.DB",
    ("net", "Dial"): "net.Conn",
    ("net", "DialTimeout"): "net.Conn",
    ("net", "Listen"): "net.Listener",
    ("net", "ListenPacket"): "net.PacketConn",
    ("os", "Open"): "*os.File",
    ("os", "Create"): "*os.File",
    ("os", "OpenFile"): "*os.File",
    ("os", "CreateTemp"): "*os.File",
    ("net/http", "Get"): "*net/http.Response",
    ("net/http", "Head"): "*net/http.Response",
    ("net/http", "Post"): "*net/http.Response",
    ("net/http", "PostForm"): "*net/http.Response",
    ("net/http", "NewRequest"): "*net/http.Request",
    ("net/http", "NewRequestWithContext"): "*net/http.Request",
    ("os/exec", "Command"): "*os/exec.Cmd",
    ("os/exec", "CommandContext"): "*os/exec.Cmd",
    (GRPC, "Dial"): f"*{GRPC}.ClientConn",
    (GRPC, "DialContext"): f"*{GRPC}.ClientConn",
    (GRPC, "NewClient"): f"*{GRPC}.ClientConn",
}

# package-level variables of other packages
PACKAGE_VARS: dict[tuple[str, str], str] = {
    ("net/http", "DefaultClient"): "*net/http.Client",
    ("os", "Stdin"): "*os.File",
    ("os", "Stdout"): "*os.File",
    ("os", "Stderr"): "*os.File",
}

# (receiver type without "*", method) -> result type
METHOD_RESULTS: dict[tuple[str, str], str] = {
    **{
        (f"{SQL}.{recv}", m): res
        for recv in ("DB", "Conn")
        for m, res in (
            ("Begin", f"*{SQL}.Tx"),
            ("BeginTx", f"*{SQL}.Tx"),
            ("Prepare", f"*{SQL}.Stmt"),
            ("PrepareContext", f"*{SQL}.Stmt"),
            ("Query", f"*{SQL}.Rows"),
            ("QueryContext", f"*{SQL}.Rows"),
            ("QueryRow", f"*{SQL}.Row"),
            ("QueryRowContext", f"*{SQL}.Row"),
        )
    },
    (f"{SQL}.DB", "Conn"): f"*{SQL}.Conn",
    (f"{SQL}.Tx", "Prepare"): f"*{SQL}.Stmt",
    (f"{SQL}.Tx", "Stmt"): f"*{SQL}.Stmt",
    (f"{SQL}.Tx", "Query"): f"*{SQL}.Rows",
    (f"{SQL}.Tx", "QueryRow"): f"*{SQL}.Row",
    (f"{SQLX}.DB", "Beginx"): f"*{SQLX}.Tx",
    (f"{SQLX}.DB", "MustBegin"): f"*{SQLX}.Tx",
    (f"{SQLX}.DB", "BeginTxx"): f"*{SQLX}.Tx",
    (f"{SQLX}.DB", "Connx"): f"*{SQLX}.Conn",
    ("net.Dialer", "Dial"): "net.Conn",
    ("net.Dialer", "DialContext"): "net.Conn",
    ("net.Listener", "Accept"): "net.Conn",
    ("net/http.Client", "Do"): "*net/http.Response",
    ("net/http.Client", "Get"): "*net/http.Response",
    ("net/http.Client", "Head"): "*net/http.Response",
    ("net/http.Client", "Post"): "*net/http.Response",
    ("net/http.Client", "PostForm"): "*net/http.Response",
}

_BUILTIN_MAKE = ("make", "new")


def expr_type(file: GoFile, expr: Node, _depth: int = 0) -> str | None:
    """The type of `expr`, or None when it cannot be established from source alone."""
    if _depth > 8:
        return None
    expr = unparen(expr)
    t = expr.type
    if t == "identifier":
        return _ident_type(file, expr, _depth)
    if t == "selector_expression":
        return _selector_type(file, expr, _depth)
    if t == "unary_expression":
        op = expr.child_by_field_name("operator")
        operand = expr.child_by_field_name("operand")
        if operand is None or op is None:
            return None
        if text(op) == "&":
            inner = expr_type(file, operand, _depth + 1)
            return None if inner is None else "*" + inner
        if text(op) == "<-":
            ch = expr_type(file, operand, _depth + 1)
            return _chan_elem(ch)
        return None
    if t == "composite_literal":
        return file.type_text(expr.child_by_field_name("type")) or None
    if t == "call_expression":
        return _call_type(file, expr, _depth)
    if t in ("interpreted_string_literal", "raw_string_literal"):
        return "untyped string"
    if t == "int_literal":
        return "untyped int"
    if t == "float_literal":
        return "untyped float"
    if t == "rune_literal":
        return "untyped rune"
    return None


def strip_pointer(type_text: str) -> str:
    return type_text[1:] if type_text.startswith("*") else type_text


def _ident_type(file: GoFile, ident: Node, depth: int) -> str | None:
    decl = file.decl_of(ident)
    if decl is not None:
        if decl.type_node is not None:
            return file.type_text(decl.type_node)
        if decl.value is None or decl.kind in ("range", "case"):
            return None
        # the first result of `v, err := f()` is tabled; later results are not
        return expr_type(file, decl.value, depth + 1) if decl.value_index == 0 else None
    scope = file.scope_for(ident)
    if scope is not None and scope.is_local(ident):
        return None
    if file.package is not None:
        return file.package.var_type(text(ident))
    return None


def _selector_type(file: GoFile, sel: Node, depth: int) -> str | None:
    operand = sel.child_by_field_name("operand")
    field = text(sel.child_by_field_name("field"))
    if operand is None:
        return None
    operand = unparen(operand)
    if operand.type == "identifier" and file.decl_of(operand) is None:
        path = file.import_path_of(text(operand))
        if path is not None and file.refers_to_import(operand, path):
            return PACKAGE_VARS.get((path, field))
    base = expr_type(file, operand, depth + 1)
    if base is None or file.package is None:
        return None
    name = strip_pointer(base)
    if "." in name or "[" in name:
        return None  # a type of another package: its fields are not in this source
    return file.package.struct_fields(name).get(field)


def _call_type(file: GoFile, call: Node, depth: int) -> str | None:
    operand, name = call_name(call)
    if operand is None:
        if name in _BUILTIN_MAKE:
            args = call_args(call)
            if not args:
                return None
            inner = file.type_text(args[0])
            return inner if name == "make" else "*" + inner
        if file.package is not None:
            fn = file.package.function(name)
            if fn is not None:
                results = fn.file.func_info(fn.node).results
                return results[0].type if results else None
        return None
    operand = unparen(operand)
    if operand.type == "identifier" and file.decl_of(operand) is None:
        path = file.import_path_of(text(operand))
        if path is not None and file.refers_to_import(operand, path):
            return FUNC_RESULTS.get((path, name))
    recv = expr_type(file, operand, depth + 1)
    if recv is None:
        return None
    recv_name = strip_pointer(recv)
    tabled = METHOD_RESULTS.get((recv_name, name))
    if tabled is not None or file.package is None or "." in recv_name:
        return tabled
    for m in file.package.methods(name):
        if m.receiver_type == recv_name.split("[")[0]:
            results = m.file.func_info(m.node).results
            return results[0].type if results else None
    return None


def _chan_elem(chan_type: str | None) -> str | None:
    if chan_type is None:
        return None
    for prefix in ("chan ", "<-chan "):
        if chan_type.startswith(prefix):
            return chan_type[len(prefix) :].strip()
    return None
