"""CG201's deliberate detaches: each exemption, and what stays reported next to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxguard.gosrc import GoFile, GoParser
from ctxguard.gosrc.detach import REASON_WORDS, cleanup_call, deliberate_detach
from ctxguard.gosrc.syntax import call_name, enclosing_function, walk
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.run import lint
from ctxguard.rules import BY_CODE
from ctxguard.rules.background_in_scope import _caller_context, _root_calls, roots_in_scope

HEADER = 'package p\n\nimport (\n\t"context"\n\t"errors"\n\t"net/http"\n\t"time"\n)\n\n'


def load(body: str) -> GoFile:
    data = (HEADER + body).encode()
    return GoFile("x.go", data, GoParser().parse(data))


def reasons(body: str) -> list[str | None]:
    """The exemption of every Background()/TODO() with a caller context in scope, in order."""
    f = load(body)
    out: list[str | None] = []
    for call in _root_calls(f):
        found = _caller_context(f, call)
        assert found is not None
        out.append(deliberate_detach(f, call, enclosing_function(found.decl.ident)))
    return out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # (a) defer: the call, a deferred closure, a goroutine it starts; a deferred cancel is not enough
        ("func f(ctx context.Context) { defer g(context.Background()) }", ["defer"]),
        ("func f(ctx context.Context) { defer func() { go g(context.TODO()) }() }", ["defer"]),
        (
            "func f(ctx context.Context) {\n\tc, cancel := context.WithCancel(context.Background())\n"
            "\tdefer cancel()\n\tg(c)\n}",
            [None],
        ),
        # (a) cleanup verbs, directly or through a bounded variable
        ("func f(ctx context.Context, l L) { l.Release(context.Background()) }", ["cleanup"]),
        ("func f(ctx context.Context, l L) { l.Wait(context.Background()) }", [None]),
        (
            "func f(ctx context.Context, s *http.Server) error {\n"
            "\tc, cancel := context.WithTimeout(context.Background(), time.Second)\n"
            "\tdefer cancel()\n\treturn s.Shutdown(c)\n}",
            ["cleanup"],
        ),
        (
            "func f(ctx context.Context, s *http.Server) error {\n"
            "\tc, cancel := context.WithTimeout(context.Background(), time.Second)\n"
            "\tdefer cancel()\n\tg(c)\n\treturn s.Shutdown(c)\n}",
            [None],
        ),
        # Delete: only on an error path or inside a cleanup function
        ("func f(ctx context.Context, l L) { l.Delete(context.TODO()) }", [None]),
        ("func f(ctx context.Context, l L) { if err := g(ctx); err != nil { l.Delete(context.TODO()) } }", ["cleanup"]),
        ("func (l L) Close(ctx context.Context) { l.Delete(context.TODO()) }", ["cleanup"]),
        # (b) done
        ("func f(ctx context.Context) { <-ctx.Done(); g(context.Background()) }", ["done"]),
        ("func f(ctx context.Context) { if ctx.Err() != nil { g(context.Background()) } }", ["done"]),
        ("func f(ctx context.Context) { if ctx.Err() == nil { g(context.Background()) } }", [None]),
        (
            "func f(ctx context.Context) { if err := g(ctx); errors.Is(err, context.Canceled) { g(context.TODO()) } }",
            ["done"],
        ),
        (
            "func f(ctx context.Context, ch chan int) {\n\tselect {\n\tcase <-ctx.Done():\n"
            "\t\tg(context.TODO())\n\tcase <-ch:\n\t\tg(context.TODO())\n\t}\n}",
            ["done", None],
        ),
        # (c) comments
        ("func f(ctx context.Context) {\n\t// not to be cancelled with ctx\n\tg(context.TODO())\n}", ["comment"]),
        ("func f(ctx context.Context) {\n\t// TODO: detach properly\n\tg(context.TODO())\n}", [None]),
        ("func f(ctx context.Context) {\n\t// make a context and its cancel function\n\tg(context.TODO())\n}", [None]),
        ("// f cancels nothing.\nfunc f(ctx context.Context) {\n\tg(context.TODO())\n}", [None]),
        ("func f(ctx context.Context) {\n\tg(context.TODO()) // want `cancelled`\n}", [None]),
        # (d) a cancel function a struct keeps
        ("func (s *S) f(ctx context.Context) { s.c, s.cancel = context.WithCancel(context.Background()) }", ["owned"]),
        (
            "func f(ctx context.Context) *J {\n\tc, cancel := context.WithCancel(context.Background())\n"
            "\tgo g(c)\n\treturn &J{cancel: cancel}\n}",
            ["owned"],
        ),
    ],
)
def test_deliberate_detach(body: str, expected: list[str | None]) -> None:
    assert reasons(body) == expected


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("the caller may have cancelled ctx", True),
        ("a canceled request must not stop the rollback", True),
        ("cancellation of the request must not stop this", False),  # the noun describes as often as it reasons
        ("the client's deadline and cancellation never reach the backend", False),
        ("non-cancellable on purpose", True),
        ("detached from the request", True),
        ("this outlives the handler", True),
        ("survives a client hang-up", True),
        ("independent of the request", True),
        ("so that this does not race ctx.Done()", True),
        ("defer cancel() below", False),
        ("call done() when finished", False),
        ("a fresh context", False),
    ],
)
def test_reason_words(comment: str, reason: bool) -> None:
    assert (REASON_WORDS.search(comment) is not None) is reason


@pytest.mark.parametrize(
    ("callee", "cleanup"),
    [
        ("l.Release", True),
        ("l.ReleaseLease", True),
        ("s.CloseSend", True),
        ("cleanupMounts", True),
        ("done", True),
        ("s.Shutdown", True),
        ("m.Unlock", True),
        ("stopwatch", False),
        ("l.Closest", False),
        ("p.Wait", False),
        ("s.Delete", False),  # only on an error path or in a cleanup function
        ("s.RemoveAll", False),
    ],
)
def test_cleanup_names(callee: str, cleanup: bool) -> None:
    f = load(f"func f(ctx context.Context) {{ {callee}(ctx) }}")
    call = next(n for n in walk(f.root) if n.type == "call_expression" and call_name(n)[1])
    assert cleanup_call(call, None) is cleanup


def test_test_code_shares_the_exemptions() -> None:
    data = (
        b'package p\n\nimport (\n\t"context"\n\t"net/http"\n\t"testing"\n)\n\n'
        b"func TestX(t *testing.T) {\n\tsrv := &http.Server{}\n\tdefer srv.Shutdown(context.Background())\n"
        b"\t_ = srv.Shutdown(context.Background())\n\tg(context.TODO())\n}\n"
    )
    f = GoFile("x_test.go", data, GoParser().parse(data))
    assert [(r.call.start_point[0] + 1, r.in_test) for r in roots_in_scope(f, tests=True)] == [(13, True)]
    assert roots_in_scope(f, tests=False) == []


def test_a_suppression_giving_a_reason_stays_used(tmp_path: Path) -> None:
    """`//ctxguard:ignore CG201 must outlive the request` is a directive: it suppresses the finding
    (no CG001 for an unused suppression), it does not exempt it."""
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    src = (
        'package m\n\nimport "context"\n\nfunc g(ctx context.Context) {}\n\n'
        "func f(ctx context.Context) {\n"
        "\t//ctxguard:ignore CG201 must outlive the request\n"
        "\tg(context.Background())\n"
        "\tg(context.TODO()) //nolint:contextcheck // detached on purpose\n"
        "}\n"
    )
    rules = (BY_CODE["CG201"], BY_CODE["CG001"])
    (tmp_path / "a.go").write_text(src)
    assert [(f.code, f.line) for f in lint(discover([str(tmp_path)], Discovery()), rules, jobs=1).findings] == []
    # the same directives for other rules: both calls are reported, the words in them exempt nothing
    (tmp_path / "a.go").write_text(src.replace("CG201", "CG101").replace("contextcheck", "lostcancel"))
    found = lint(discover([str(tmp_path)], Discovery()), rules, jobs=1).findings
    assert [(f.code, f.line) for f in found if f.code == "CG201"] == [("CG201", 9), ("CG201", 10)]
