"""CG104 and CG105 together, and the goroutine facts they share: one finding per send, sends
counted along paths, tests that give up only by failing."""

from __future__ import annotations

from collections import Counter

from tree_sitter import Node

from ctxguard.gosrc import GoFile, GoParser
from ctxguard.gosrc.cfg import components, is_cycle
from ctxguard.gosrc.goroutines import fails_test, trips
from ctxguard.gosrc.syntax import text, walk
from ctxguard.rules import BY_CODE

from lintkit import FIXTURES, REPO, run_and_compare

BOTH = (BY_CODE["CG104"], BY_CODE["CG105"])


def load(src: str) -> GoFile:
    data = src.encode()
    return GoFile("x_test.go", data, GoParser().parse(data))


def nodes(f: GoFile, kind: str) -> list[Node]:
    return [n for n in walk(f.root) if n.type == kind]


def test_a_send_both_rules_find_is_reported_once_by_cg104_with_cg105s_reason() -> None:
    paths = [FIXTURES / "orphaned_send", FIXTURES / "goroutine_ignores_cancel", REPO / "lab"]
    result, _, _ = run_and_compare(paths, BOTH)
    at = Counter((f.path, f.line, f.col) for f in result.findings)
    assert [k for k, n in at.items() if n > 1] == []
    overlap = [f for f in result.findings if f.path.endswith(("orphaned.go", "overlap.go", "timeoutworker/leaky.go"))]
    cg104 = [f for f in overlap if f.code == "CG104"]
    assert len(cg104) == 5, overlap
    assert all("can stop receiving" in f.message for f in cg104)
    # the worker with no context to watch is CG105's alone
    assert [f.line for f in overlap if f.code == "CG105"] == [35]


def test_the_lab_worker_is_one_finding() -> None:
    result, _, problems = run_and_compare([REPO / "lab" / "timeoutworker"], BOTH)
    assert not problems, problems
    (finding,) = [f for f in result.findings if f.path.endswith("leaky.go") and f.line == 38]
    assert finding.code == "CG104" and "the receiver at line 23 can stop receiving" in finding.message


def test_components_come_in_topological_order_and_know_their_loops() -> None:
    f = load(
        "package p\nfunc f(xs []int, ch chan int) {\n\tch <- 0\n\tfor _, x := range xs {\n"
        "\t\tif x > 0 {\n\t\t\tch <- x\n\t\t\tcontinue\n\t\t}\n\t\treturn\n\t}\n\tch <- 1\n}\n"
    )
    fn = nodes(f, "function_declaration")[0]
    g = f.cfg(fn)
    assert g is not None
    comps = components(g)
    order = {b.index: i for i, comp in enumerate(comps) for b in comp}
    assert order[g.entry.index] == 0
    for comp in comps:
        for b in comp:
            assert all(order[s.index] >= order[b.index] for s in b.succs)
    sends = nodes(f, "send_statement")
    cyclic = []
    for s in sends:
        hit = g.locate(s)
        assert hit is not None
        cyclic.append(is_cycle(comps[order[hit[0].index]]))
    assert cyclic == [False, True, False]  # before the loop, in it, after it


def test_a_long_body_does_not_exhaust_the_recursion_limit() -> None:
    body = "\tif x {\n\t\tprint(1)\n\t}\n" * 1500  # a chain of thousands of blocks
    f = load(f"package p\nfunc f(x bool) {{\n{body}}}\n")
    g = f.cfg(nodes(f, "function_declaration")[0])
    assert g is not None
    comps = components(g)
    assert len(comps) > 3000 and not any(is_cycle(c) for c in comps)


def test_what_fails_a_test_or_ends_the_process() -> None:
    f = load(
        'package p\nimport (\n\t"log"\n\t"testing"\n\t"github.com/stretchr/testify/require"\n'
        '\t"github.com/stretchr/testify/assert"\n\tgta "gotest.tools/v3/assert"\n)\n'
        "func TestX(t *testing.T, s suite, l logger) {\n"
        '\tt.Fatal("x")\n\tt.Errorf("x")\n\tt.FailNow()\n\trequire.NoError(t, nil)\n\tgta.Check(t, false)\n'
        '\tassert.Fail(t, "x")\n\ts.Require().NoError(nil)\n\ts.T().Error("x")\n\tlog.Fatal("x")\n'
        '\tpanic("x")\n'
        '\tt.Log("x")\n\tassert.NoError(t, nil)\n\tl.Error("x")\n\tlog.Print("x")\n}\n'
    )
    stmts = nodes(f, "expression_statement")
    verdicts = {text(s): fails_test(f, s) for s in stmts}
    failing = [k for k, v in verdicts.items() if v]
    passing = [k for k, v in verdicts.items() if not v]
    assert len(failing) == 10, failing
    assert passing == ['t.Log("x")', "assert.NoError(t, nil)", 'l.Error("x")', 'log.Print("x")']


def test_a_range_over_a_local_channel_runs_as_often_as_counted_sends_feed_it() -> None:
    f = load(
        "package p\nfunc f() {\n\tfed := make(chan int)\n\tgo func() {\n\t\tdefer close(fed)\n"
        "\t\tfor i := 0; i < 5; i++ {\n\t\t\tfed <- i\n\t\t}\n\t}()\n\tfor range fed {\n\t}\n"
        "\tleaked := make(chan int)\n\tgo produce(leaked)\n\tfor range leaked {\n\t}\n}\n"
    )
    loops = [n for n in nodes(f, "for_statement") if any(c.type == "range_clause" for c in n.named_children)]
    count = trips(f)
    assert [count(lp) for lp in loops] == [5, float("inf")]
