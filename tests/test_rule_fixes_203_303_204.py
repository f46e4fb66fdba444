"""CG203 test-helper handles, CG303 one-shot builders and local one-shot values, CG204 nil to
callees that tolerate it today: the cases that need more than one package or file to show."""

from __future__ import annotations

from pathlib import Path

from ctxguard.findings import Finding
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.run import lint

from lintkit import rule_for_folder


def _lint(tmp_path: Path, folder: str, files: dict[str, str]) -> list[Finding]:
    for name, src in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(src)
    units = discover([str(tmp_path)], Discovery())
    return list(lint(units, (rule_for_folder(folder),), jobs=1).findings)


def _lines(findings: list[Finding], name: str) -> list[int]:
    return sorted(f.line for f in findings if f.path.endswith(name))


# -- CG303 -----------------------------------------------------------------------------------------

DESCRIPTOR = """package p

import "context"

type descriptor struct {
	ctx  context.Context
	name string
}

func (d *descriptor) run() error { return d.ctx.Err() }
"""


def test_cg303_follows_the_values_into_the_other_files_of_the_package(tmp_path: Path) -> None:
    use = """package p

import "context"

func pull(ctx context.Context, names []string) error {
	ds := map[string]*descriptor{}
	for _, n := range names {
		ds[n] = &descriptor{ctx: ctx, name: n}
	}
	for _, d := range ds {
		if err := d.run(); err != nil {
			return err
		}
	}
	return nil
}
"""
    assert _lint(tmp_path, "context_in_struct", {"types.go": DESCRIPTOR, "use.go": use}) == []


def test_cg303_a_value_kept_by_another_file_is_reported(tmp_path: Path) -> None:
    keep = """package p

import "context"

var last *descriptor

func pull(ctx context.Context) error {
	d := &descriptor{ctx: ctx}
	last = d
	return d.run()
}
"""
    found = _lint(tmp_path, "context_in_struct", {"types.go": DESCRIPTOR, "keep.go": keep})
    assert _lines(found, "types.go") == [6]


def test_cg303_a_container_from_a_parameter_keeps_what_is_stored_in_it(tmp_path: Path) -> None:
    store = """package p

import "context"

func pull(ctx context.Context, into map[string]*descriptor) {
	into["a"] = &descriptor{ctx: ctx}
}
"""
    assert _lines(_lint(tmp_path, "context_in_struct", {"types.go": DESCRIPTOR, "s.go": store}), "types.go") == [6]


def test_cg303_package_callees_are_followed_to_where_they_keep_the_value(tmp_path: Path) -> None:
    chain = """package p

import "context"

var kept []*descriptor

func first(d *descriptor) error  { return second(d) }
func second(d *descriptor) error { return third(d) }
func third(d *descriptor) error {
	%s
	return d.run()
}

func pull(ctx context.Context) error {
	return first(&descriptor{ctx: ctx})
}
"""
    reads = _lint(tmp_path / "reads", "context_in_struct", {"types.go": DESCRIPTOR, "c.go": chain % "_ = d.name"})
    assert reads == []
    keeps = _lint(
        tmp_path / "keeps", "context_in_struct", {"types.go": DESCRIPTOR, "c.go": chain % "kept = append(kept, d)"}
    )
    assert _lines(keeps, "types.go") == [6]


def test_cg303_a_value_handed_to_a_goroutine_call_is_reported(tmp_path: Path) -> None:
    spawn = """package p

import "context"

func work(d *descriptor) { _ = d.run() }

func pull(ctx context.Context) {
	go work(&descriptor{ctx: ctx})
}
"""
    assert _lines(_lint(tmp_path, "context_in_struct", {"types.go": DESCRIPTOR, "g.go": spawn}), "types.go") == [6]


def test_cg303_a_deferred_or_immediately_called_closure_keeps_the_value_in_the_call(tmp_path: Path) -> None:
    closures = """package p

import "context"

func pull(ctx context.Context) (err error) {
	d := &descriptor{ctx: ctx}
	defer func() { _ = d.name }()
	func() { err = d.run() }()
	return err
}
"""
    assert _lint(tmp_path, "context_in_struct", {"types.go": DESCRIPTOR, "c.go": closures}) == []


def test_cg303_a_chain_method_returns_its_receiver_from_its_own_body(tmp_path: Path) -> None:
    """A receiver returned by a function literal inside the method does not make it a chain method."""
    src = """package p

import "context"

type op struct {
	ctx context.Context
}

func (o *op) Later() *op {
	for {
		_ = func() *op { return o }
	}
}

func (o *op) Do() error { return o.ctx.Err() }

func newOp(ctx context.Context) *op { return &op{ctx: ctx} }
"""
    assert _lines(_lint(tmp_path, "context_in_struct", {"op.go": src}), "op.go") == [6]


def test_cg303_a_method_that_swaps_the_context_is_reported_even_when_built_with_one(tmp_path: Path) -> None:
    src = """package p

import "context"

type session struct {
	ctx context.Context
}

func (s *session) rebind(ctx context.Context) { s.ctx = ctx }

func (s *session) run() error { return s.ctx.Err() }

func serve(ctx, next context.Context) error {
	s := &session{ctx: ctx}
	s.rebind(next)
	return s.run()
}
"""
    assert _lines(_lint(tmp_path, "context_in_struct", {"s.go": src}), "s.go") == [6]


def test_cg303_elements_of_a_slice_literal_do_not_set_the_context_by_position(tmp_path: Path) -> None:
    src = """package p

import "context"

type item struct {
	ctx  context.Context
	name string
}

func names() int {
	items := []item{{}, {}}
	return len(items)
}
"""
    assert _lines(_lint(tmp_path, "context_in_struct", {"i.go": src}), "i.go") == [6]


# -- CG203 -----------------------------------------------------------------------------------------


def test_cg203_a_test_handle_leads_anonymous_func_types_too(tmp_path: Path) -> None:
    src = """package p

import "context"

type TestingT interface{ Errorf(string, ...any) }

func each(steps []func(t TestingT, ctx context.Context)) { _ = steps }

func late(steps []func(name string, t TestingT, ctx context.Context)) { _ = steps }
"""
    found = _lint(tmp_path, "context_not_first", {"h.go": src})
    assert [(f.line, f.message) for f in found] == [
        (9, "context parameter ctx should be the first parameter of this func type: move it before name")
    ]


def test_cg203_a_package_local_T_struct_is_no_test_handle(tmp_path: Path) -> None:
    src = """package p

import "context"

type T struct{ id int }

func byT(v T, ctx context.Context) { _, _ = v, ctx }
"""
    assert _lines(_lint(tmp_path, "context_not_first", {"t.go": src}), "t.go") == [7]


# -- CG204 -----------------------------------------------------------------------------------------


def test_cg204_says_why_a_tolerant_callee_is_reported_and_fixes_it(tmp_path: Path) -> None:
    src = """package p

import "context"

func guarded(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	<-ctx.Done()
}

func strict(ctx context.Context) { <-ctx.Done() }

func call() {
	guarded(nil)
	strict(nil)
}
"""
    found = sorted(_lint(tmp_path, "nil_context", {"c.go": src}), key=lambda f: f.line)
    assert [f.line for f in found] == [15, 16]
    assert "guarded tolerates nil today" in found[0].message
    assert "panics or fails as soon as it is used" in found[1].message
    assert all(f.fix is not None and f.fix.edits[0].text == "context.TODO()" for f in found)
