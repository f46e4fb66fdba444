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

import re

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile, default_import_name
from ctxguard.gosrc.syntax import call_args, call_name, expression_list, specs, text, unparen

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
    ("crypto/tls", "Dial"): "*crypto/tls.Conn",
    ("crypto/tls", "DialWithDialer"): "*crypto/tls.Conn",
    ("crypto/tls", "Client"): "*crypto/tls.Conn",
    ("crypto/tls", "Server"): "*crypto/tls.Conn",
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
    (f"{SQLX}.DB", "MustBeginTx"): f"*{SQLX}.Tx",
    (f"{SQLX}.Conn", "BeginTxx"): f"*{SQLX}.Tx",
    (f"{SQL}.Tx", "PrepareContext"): f"*{SQL}.Stmt",
    (f"{SQL}.Tx", "StmtContext"): f"*{SQL}.Stmt",
    **{
        (f"{SQLX}.{recv}", m): res
        for recv in ("DB", "Tx", "Conn")
        for m, res in (
            ("Preparex", f"*{SQLX}.Stmt"),
            ("PreparexContext", f"*{SQLX}.Stmt"),
            ("PrepareNamed", f"*{SQLX}.NamedStmt"),
            ("PrepareNamedContext", f"*{SQLX}.NamedStmt"),
        )
    },
    (f"{SQLX}.Tx", "Stmtx"): f"*{SQLX}.Stmt",
    (f"{SQLX}.Tx", "StmtxContext"): f"*{SQLX}.Stmt",
    (f"{SQLX}.Tx", "NamedStmt"): f"*{SQLX}.NamedStmt",
    (f"{SQLX}.Tx", "NamedStmtContext"): f"*{SQLX}.NamedStmt",
    ("net.Dialer", "Dial"): "net.Conn",
    ("net.Dialer", "DialContext"): "net.Conn",
    ("net.Listener", "Accept"): "net.Conn",
    ("crypto/tls.Dialer", "Dial"): "net.Conn",
    ("crypto/tls.Dialer", "DialContext"): "net.Conn",
    ("net/http.Client", "Do"): "*net/http.Response",
    ("net/http.Client", "Get"): "*net/http.Response",
    ("net/http.Client", "Head"): "*net/http.Response",
    ("net/http.Client", "Post"): "*net/http.Response",
    ("net/http.Client", "PostForm"): "*net/http.Response",
}

# types of other packages that embed another type: their method sets include its methods
EMBEDDED: dict[str, str] = {
    f"{SQLX}.DB": f"{SQL}.DB",
    f"{SQLX}.Tx": f"{SQL}.Tx",
    f"{SQLX}.Stmt": f"{SQL}.Stmt",
    f"{SQLX}.Conn": f"{SQL}.Conn",
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
    if t == "type_conversion_expression":  # `[]byte(s)`, `(*T)(p)`: the parser knows it is a type
        return file.type_text(expr.child_by_field_name("type")) or None
    if t == "composite_literal":
        return file.type_text(expr.child_by_field_name("type")) or None
    if t == "call_expression":
        return _call_type(file, expr, _depth)
    if t == "index_expression":
        operand = expr.child_by_field_name("operand")
        return None if operand is None else _qualified(file, element_type(expr_type(file, operand, _depth + 1)))
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


def short_type(type_text: str) -> str:
    """A type as users write it: `*database/sql.Conn` -> `*sql.Conn`, `gopkg.in/yaml.v3.Node` -> `yaml.Node`."""
    base = type_text.lstrip("*")
    star = type_text[: len(type_text) - len(base)]
    if base.startswith(("chan", "<-chan", "[", "map[", "func")):
        return type_text
    path, dot, name = base.rpartition(".")
    return star + (f"{default_import_name(path)}.{name}" if dot else base)


def _ident_type(file: GoFile, ident: Node, depth: int) -> str | None:
    decl = file.decl_of(ident)
    if decl is not None:
        if decl.type_node is not None:
            return file.type_text(decl.type_node)
        if decl.value is not None and decl.kind == "range" and decl.value_index == 1:
            # `for _, db := range dbs`: the element of a slice, array or map
            return _qualified(file, element_type(expr_type(file, decl.value, depth + 1)))
        if decl.value is None or decl.kind in ("range", "case"):
            return None
        # the first result of `v, err := f()` is tabled; later results are not
        return expr_type(file, decl.value, depth + 1) if decl.value_index == 0 else None
    scope = file.scope_for(ident)
    if scope is not None and scope.is_local(ident):
        return None
    if file.package is not None:
        declared = file.package.var_type(text(ident))
        return declared if declared is not None else _package_var_value_type(file, text(ident), depth)
    return None


def _package_var_value_type(file: GoFile, name: str, depth: int) -> str | None:
    """The type of an untyped package variable (`var db = sqlx.MustConnect(...)`) from its value."""
    assert file.package is not None
    for f in file.package.files:
        found = _untyped_package_vars(f).get(name)
        if found is not None:
            value, index = found
            return expr_type(f, value, depth + 1) if index == 0 else None
    return None


def _untyped_package_vars(file: GoFile) -> dict[str, tuple[Node, int]]:
    """Package variables declared without a type: name -> (value, which result of it)."""

    def compute() -> dict[str, tuple[Node, int]]:
        out: dict[str, tuple[Node, int]] = {}
        for decl in file.root.named_children:
            if decl.type != "var_declaration":
                continue
            for spec in specs(decl, "var_spec"):
                if spec.child_by_field_name("type") is not None:
                    continue
                names = spec.children_by_field_name("name")
                values = expression_list(spec.child_by_field_name("value"))
                for i, n in enumerate(names):
                    if len(values) == len(names):
                        out[text(n)] = (values[i], 0)
                    elif len(values) == 1:
                        out[text(n)] = (values[0], i)
        return out

    return file.memo("types.untyped_vars", compute)


# `pkg.Name` not already preceded by an import path
_PKG_QUALIFIED = re.compile(r"(?<![\w/.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)")


def _qualified(file: GoFile, type_text: str | None) -> str | None:
    """`*sql.DB` as `*database/sql.DB`: type_text qualifies a top-level named type, not the
    element of a slice or map, so an element type taken from the text needs it."""
    if type_text is None:
        return None

    def path_of(m: re.Match[str]) -> str:
        path = file.import_path_of(m.group(1))
        return f"{path}.{m.group(2)}" if path is not None else m.group(0)

    return _PKG_QUALIFIED.sub(path_of, type_text)


def element_type(container: str | None) -> str | None:
    """The element type of a slice, array or map type text (`map[string]*T` -> `*T`)."""
    if container is None:
        return None
    if container.startswith("map["):
        depth = 0
        for i, ch in enumerate(container[3:], start=3):
            depth += ch == "["
            depth -= ch == "]"
            if depth == 0:
                return container[i + 1 :].strip() or None
        return None
    if container.startswith("["):
        close = container.find("]")
        if close < 0:
            return None
        return container[close + 1 :].strip() or None
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
    while tabled is None and recv_name in EMBEDDED:  # sqlx.DB.Begin is sql.DB.Begin
        recv_name = EMBEDDED[recv_name]
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
