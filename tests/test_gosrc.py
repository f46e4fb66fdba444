"""The package model: imports, scopes, control flow, as rules rely on them."""

from __future__ import annotations

from tree_sitter import Node

from ctxguard.gosrc import GoFile, GoParser
from ctxguard.gosrc.cfg import CFG
from ctxguard.gosrc.parse import error_count
from ctxguard.gosrc.syntax import text, walk


def load(src: str) -> GoFile:
    data = src.encode()
    return GoFile("x.go", data, GoParser().parse(data))


def idents(f: GoFile, name: str) -> list[Node]:
    return [n for n in walk(f.root) if n.type == "identifier" and text(n) == name]


def test_import_names_aliases_dot_and_blank() -> None:
    f = load(
        'package p\nimport (\n\tstdctx "context"\n\t. "net/http"\n\t_ "embed"\n'
        '\t"gopkg.in/yaml.v3"\n\t"github.com/jmoiron/sqlx"\n\t"k8s.io/client-go/v2"\n)\n'
    )
    assert f.names_for("context") == {"stdctx"}
    assert f.names_for("net/http") == {"."}
    assert f.names_for("embed") == {"_"}
    assert f.names_for("gopkg.in/yaml.v3") == {"yaml"}
    assert f.names_for("github.com/jmoiron/sqlx") == {"sqlx"}
    assert f.names_for("k8s.io/client-go/v2") == {"client"}


def test_a_local_variable_shadowing_an_import_is_not_the_import() -> None:
    f = load(
        'package p\nimport "context"\n'
        "func a() { context.WithCancel(nil) }\n"
        "func b() { context := thing{}; context.WithCancel(nil) }\n"
    )
    first, *_, last = list(idents(f, "context"))
    assert f.refers_to_import(first, "context")
    assert not f.refers_to_import(last, "context")


def test_short_var_declaration_reuses_names_of_the_same_scope_and_parameters() -> None:
    f = load(
        "package p\nfunc f(ctx C) {\n\tctx, cancel := g(ctx)\n\tif true {\n\t\tctx, x := g(ctx)\n"
        "\t\t_, _ = ctx, x\n\t}\n\tuse(ctx, cancel)\n}\n"
    )
    scope = f.scope_for(f.root)
    fn = next(f.functions())
    scope = f.scope_for(fn.node)
    assert scope is not None
    decls = {(d.name, d.line) for d in scope.decls}
    # the outer ctx is the parameter (re-used by :=); the inner block declares a new one
    assert decls == {("ctx", 2), ("cancel", 3), ("ctx", 5), ("x", 5)}
    ctx_refs = idents(f, "ctx")
    lines = {(r.start_point[0] + 1, scope.resolve(r).line) for r in ctx_refs if scope.resolve(r) is not None}  # type: ignore[union-attr]
    assert (8, 2) in lines and (6, 5) in lines and (3, 2) in lines


def test_closures_resolve_to_the_captured_variable() -> None:
    f = load("package p\nfunc f() {\n\tcancel := g()\n\tgo func() { cancel() }()\n}\n")
    fn = next(f.functions())
    scope = f.scope_for(fn.node)
    assert scope is not None
    (decl,) = scope.decls
    assert [r.start_point[0] + 1 for r in scope.refs(decl)] == [4]


def cfg_of(src: str) -> tuple[GoFile, CFG]:
    f = load('package p\nimport ("os"; "log"; "testing")\n' + src)
    fn = next(f.functions())
    g = f.cfg(fn.node)
    assert g is not None
    return f, g


def reachable_exits(g: CFG) -> int:
    seen, stack, exits = set(), [g.entry], 0
    while stack:
        b = stack.pop()
        if b.index in seen:
            continue
        seen.add(b.index)
        exits += b.ret is not None or b.falls_off
        stack.extend(b.succs)
    return exits


def test_calls_that_never_return_end_their_path() -> None:
    for call in ("panic(1)", "os.Exit(1)", 'log.Fatalf("x")', "t.FailNow()", "t.Skip()"):
        _, g = cfg_of(f"func f(t *testing.T) {{\n\t{call}\n}}\n")
        assert reachable_exits(g) == 0, call
    _, g = cfg_of("func f(t *testing.T) {\n\tt.Log()\n}\n")
    assert reachable_exits(g) == 1


def test_infinite_loop_without_break_never_exits_and_labeled_break_does() -> None:
    _, g = cfg_of("func f() {\n\tfor {\n\t\tprint(0)\n\t}\n}\n")
    assert reachable_exits(g) == 0
    _, g = cfg_of("func f() {\nL:\n\tfor {\n\t\tselect {\n\t\tdefault:\n\t\t\tbreak L\n\t\t}\n\t}\n}\n")
    assert reachable_exits(g) == 1
    # an unlabeled break inside select leaves the select, not the loop
    _, g = cfg_of("func f() {\n\tfor {\n\t\tselect {\n\t\tdefault:\n\t\t\tbreak\n\t\t}\n\t}\n}\n")
    assert reachable_exits(g) == 0


def test_goto_fallthrough_and_empty_select() -> None:
    _, g = cfg_of("func f() {\n\tgoto done\n\tprint(1)\ndone:\n\treturn\n}\n")
    assert reachable_exits(g) == 1
    _, g = cfg_of("func f() {\n\tselect {}\n}\n")
    assert reachable_exits(g) == 0
    _, g = cfg_of(
        "func f(x int) {\n\tswitch x {\n\tcase 1:\n\t\tfallthrough\n"
        "\tcase 2:\n\t\tos.Exit(2)\n\tdefault:\n\t\tpanic(3)\n\t}\n}\n"
    )
    assert reachable_exits(g) == 0


def test_go_126_new_with_an_expression_parses_cleanly() -> None:
    src = b"package p\nfunc f() *uint64 { return new(uint64(10)) }\nfunc g() *T { return new(T) }\n"
    tree = GoParser().parse(src)
    assert error_count(tree) == 0
    f = GoFile("x.go", src, tree)
    assert f.source == src  # the model keeps the original bytes


def test_package_declarations_across_files() -> None:
    from ctxguard.gosrc import Package

    a = load(
        'package p\nimport (\n\t"context"\n\tdbsql "database/sql"\n)\n'
        "type Server struct {\n\tctx context.Context\n\tdb, replica *dbsql.DB\n\t*Logger\n}\n"
        "var (\n\tglobalDB *dbsql.DB\n\tcount = 3\n)\n"
        "func (s *Server) run() {}\n"
    )
    b = load("package p\nfunc worker() {}\n")
    pkg = Package("p", "p", [a, b])
    assert pkg.struct_fields("Server") == {
        "ctx": "context.Context",
        "db": "*database/sql.DB",
        "replica": "*database/sql.DB",
        "Logger": "*Logger",
    }
    assert pkg.var_type("globalDB") == "*database/sql.DB"
    assert pkg.var_type("count") is None
    fn = pkg.function("worker")
    assert fn is not None and fn.file is b
    assert [m.receiver_type for m in pkg.methods("run")] == ["Server"]
