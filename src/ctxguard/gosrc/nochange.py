"""Where a fresh context changes nothing: logger and span lookups, callees that declare they ignore it."""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import is_context_type_text, is_write
from ctxguard.gosrc.model import FuncInfo, GoFile, TopFunc, base_type_name
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import call_args, call_name, expression_list, text, unparen
from ctxguard.gosrc.types import expr_type, strip_pointer

# package functions that only look a logger, a span or baggage up in a context: given the caller's
# context they log other fields, but nothing they do ever waits on it
LOOKUPS: dict[str, frozenset[str]] = {
    "github.com/containerd/log": frozenset({"G", "GetLogger"}),
    "github.com/containerd/containerd/log": frozenset({"G", "GetLogger"}),
    "github.com/sirupsen/logrus": frozenset({"WithContext"}),
    "github.com/rs/zerolog": frozenset({"Ctx"}),
    "github.com/rs/zerolog/log": frozenset({"Ctx"}),
    "github.com/go-logr/logr": frozenset({"FromContext", "FromContextOrDiscard", "FromContextAsSlogLogger"}),
    "k8s.io/klog/v2": frozenset({"FromContext"}),
    "sigs.k8s.io/controller-runtime/pkg/log": frozenset({"FromContext"}),
    "sigs.k8s.io/controller-runtime": frozenset({"LoggerFrom"}),
    "log/slog": frozenset({"DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Log", "LogAttrs"}),
    "go.opentelemetry.io/otel/trace": frozenset({"SpanFromContext", "SpanContextFromContext"}),
    "go.opentelemetry.io/otel/baggage": frozenset({"FromContext"}),
    "github.com/opentracing/opentracing-go": frozenset({"SpanFromContext"}),
    "go.opencensus.io/trace": frozenset({"FromContext"}),
    # OpenCensus metrics: the context only carries tags to the in-memory recorder
    "go.opencensus.io/stats": frozenset({"Record", "RecordWithTags", "RecordWithOptions"}),
    "go.opencensus.io/tag": frozenset({"New", "FromContext"}),
}
# logger methods taking the context first, named as slog's are (on any logger)
_LOG_METHODS = frozenset({"DebugContext", "InfoContext", "WarnContext", "ErrorContext"})
# slog.Logger methods with names too common to trust alone: the receiver must be a proven
# *slog.Logger, or the next argument a slog level
_SLOG_METHODS = frozenset({"Log", "LogAttrs", "Enabled"})
_SLOG = "log/slog"
_CONTAINERD_LOG = ("github.com/containerd/log", "github.com/containerd/containerd/log")
_LOGRUS_TYPES = frozenset({"github.com/sirupsen/logrus.Entry", "github.com/sirupsen/logrus.Logger"})
# every callee name for which context_lookup or a detach may hold (a cheap filter)
LOOKUP_NAMES = frozenset(
    {*(n for names in LOOKUPS.values() for n in names), *_LOG_METHODS, *_SLOG_METHODS, "WithContext", "WithoutCancel"}
)


# whether the callee of a call uses its argument at an index only where a caller's context
# would change nothing (known from another function's facts)
IgnoredArgument = Callable[[Node, int], bool]


def changes_nothing(file: GoFile, call: Node, ignored: IgnoredArgument | None = None) -> bool:
    """The fresh context only reaches calls for which the caller's would change nothing: a logger
    or span lookup, a function of this package that declares it ignores that parameter (or, by
    `ignored`, one that only hands it to such calls), or an explicit detach
    (`context.WithoutCancel(context.TODO())`: never cancelled either way); directly
    (`log.G(context.TODO())`) or through a variable whose every read is such a call."""
    node = outer_parens(call)
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        return harmless_argument(file, node, ignored)
    decl = bound_to(file, node)
    scope = file.scope_for(call)
    if decl is None or scope is None:
        return False
    reads = [r for r in scope.refs(decl) if not is_write(r)]
    return bool(reads) and all(harmless_argument(file, outer_parens(r), ignored) for r in reads)


def outer_parens(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def harmless_argument(file: GoFile, arg: Node, ignored: IgnoredArgument | None = None) -> bool:
    args = arg.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    index = next((i for i, a in enumerate(call_args(call)) if a == arg), -1)
    if index == 0 and file.pkg_call(call, "context") == "WithoutCancel":
        return True
    if index < 0:
        return False
    return (
        context_lookup(file, call, index)
        or ignored_context_argument(file, call, index)
        or (ignored is not None and ignored(call, index))
    )


def bound_to(file: GoFile, value: Node) -> Decl | None:
    """The local variable a declaration binds `value` to alone: `ctx := value`, `var ctx = value`."""
    values = value.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or len(expression_list(values)) != 1:
        return None
    if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec":
        left = stmt.children_by_field_name("name")
    else:
        return None
    if len(left) != 1 or left[0].type != "identifier":
        return None
    return file.decl_of(left[0])


def context_lookup(file: GoFile, call: Node, index: int) -> bool:
    """`call` only looks a logger or a span up in its context argument at `index`: `log.G(ctx)`,
    `zerolog.Ctx(ctx)`, `logr.FromContext(ctx)`, `trace.SpanFromContext(ctx)`, `slog.InfoContext(ctx, ...)`,
    `logger.WarnContext(ctx, ...)`, `log.L.WithContext(ctx)`."""
    if index != 0:
        return False
    operand, name = call_name(call)
    for path, names in LOOKUPS.items():
        if name in names and file.pkg_call(call, path) == name:
            return True
    if operand is None:
        return False
    if name in _LOG_METHODS:
        return True
    operand = unparen(operand)
    if name in _SLOG_METHODS:
        args = call_args(call)
        if len(args) > 1 and text(args[1]).split(".", 1)[0] in file.names_for(_SLOG) and "." in text(args[1]):
            return True  # logger.LogAttrs(ctx, slog.LevelInfo, ...)
        t = expr_type(file, operand)
        return t is not None and strip_pointer(t) == f"{_SLOG}.Logger"
    if name == "WithContext" and len(call_args(call)) == 1:
        if operand.type == "selector_expression" and text(operand.child_by_field_name("field")) == "L":
            pkg = unparen(operand.child_by_field_name("operand"))  # type: ignore[arg-type]
            if pkg.type == "identifier" and any(file.refers_to_import(pkg, p) for p in _CONTAINERD_LOG):
                return True
        t = expr_type(file, operand)
        return t is not None and strip_pointer(t) in _LOGRUS_TYPES
    return False


def ignored_context_argument(file: GoFile, call: Node, index: int) -> bool:
    """`call` calls a function or method of this package whose parameter at `index` is a context it
    declares it never reads: named `_`, or unnamed."""
    target = _package_callee(file, call)
    if target is None:
        return False
    info = target.file.func_info(target.node)
    if info.body is None or index >= len(info.params):
        return False
    param = info.params[index]
    return is_context_type_text(target.file, param.type) and ignores_parameter(target.file, info, param.name)


def ignores_parameter(file: GoFile, info: FuncInfo, name: str) -> bool:
    """The function declares that it does not use the parameter: named `_`, or unnamed. A named
    context the body happens not to read today is not enough: the next change may read it."""
    return name in ("", "_")


def _package_callee(file: GoFile, call: Node) -> TopFunc | None:
    """The function or method of this package that `call` calls, when the source proves it."""
    pkg = file.package
    fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    if pkg is None:
        return None
    if fn.type == "identifier":
        scope = file.scope_for(fn)
        return None if scope is not None and scope.is_local(fn) else pkg.function(text(fn))
    if fn.type != "selector_expression":
        return None
    operand = unparen(fn.child_by_field_name("operand"))  # type: ignore[arg-type]
    if operand.type == "identifier" and file.import_path_of(text(operand)) and file.decl_of(operand) is None:
        return None  # another package's function
    t = expr_type(file, operand)
    if t is None:
        return None
    recv = base_type_name(strip_pointer(t))
    if "." in recv:
        return None  # another package's type
    name = text(fn.child_by_field_name("field"))
    found = [m for m in pkg.methods(name) if m.receiver_type == recv]
    return found[0] if len(found) == 1 else None
