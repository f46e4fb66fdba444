"""Facts across packages: the import graph, analysis in import order, and the cache that carries facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxguard.lint.cache import Cache
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.modules import import_graph, scan_imports
from ctxguard.lint.run import lint
from ctxguard.rules import BY_CODE

RULES = (BY_CODE["CG101"], BY_CODE["CG105"], BY_CODE["CG201"], BY_CODE["CG202"], BY_CODE["CG204"])

STORE = """package store

import "context"

func Fetch() error { return use(context.Background()) }

func use(ctx context.Context) error { return ctx.Err() }
"""

API = """package api

import (
	"context"

	"example.com/m/store"
)

func Handle(ctx context.Context) error { return store.Fetch() }
"""

OTHER = """package other

func Name() string { return "other" }
"""


def write_module(root: Path, files: dict[str, str]) -> None:
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run(root: Path, cache: Cache | None = None, jobs: int = 1):  # type: ignore[no-untyped-def]
    units = discover([str(root)], Discovery())
    return lint(units, RULES, jobs=jobs, cache=cache)


def test_scan_imports_reads_only_the_import_declarations() -> None:
    src = b"""// Package p: "not/an/import"
package p

import "fmt"
import (
	// a comment "with/quotes"
	ctx "context"
	_ "embed" /* "block/comment" */
	`raw/path`
)

var s = "not/imported"
import "too/late"
"""
    assert scan_imports(src) == ["fmt", "context", "embed", "raw/path"]
    assert scan_imports(b"package p\n\nfunc f() {}\n") == []


def test_import_paths_come_from_go_mod_and_directories(tmp_path: Path) -> None:
    write_module(tmp_path, {"store/store.go": STORE, "api/api.go": API, "api/api_test.go": "package api_test\n"})
    units = discover([str(tmp_path)], Discovery())
    graph = import_graph(units, {})
    paths = dict(zip([Path(u.directory).name for u in units], graph.import_paths, strict=True))
    assert paths == {"api": "example.com/m/api", "store": "example.com/m/store"}
    api = next(i for i, u in enumerate(units) if u.directory.endswith("api"))
    store = next(i for i, u in enumerate(units) if u.directory.endswith("store"))
    assert graph.deps[api] == {store}
    assert graph.deps[store] == frozenset()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_fact_crosses_packages_in_import_order(tmp_path: Path, jobs: int) -> None:
    # many packages, so that the pool runs (64 files or more) and must wait for store
    files = {"store/store.go": STORE, "api/api.go": API}
    files |= {f"other{i}/other.go": OTHER.replace("package other", f"package other{i}") for i in range(70)}
    write_module(tmp_path, files)
    found = run(tmp_path, jobs=jobs).findings
    assert [(f.code, Path(f.path).name, f.line) for f in found] == [("CG201", "api.go", 9)]
    assert "store.Fetch makes its own context (context.Background() at store.go:5)" in found[0].message


def test_outside_a_module_facts_stay_within_the_package(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "store.go").write_text(
        STORE + "\nfunc Handle(ctx context.Context) error { return Fetch() }\n"
    )
    found = run(tmp_path).findings
    assert [(f.code, f.line) for f in found] == [("CG201", 9)]


def test_import_cycles_and_missing_packages_are_tolerated(tmp_path: Path) -> None:
    a = 'package a\n\nimport (\n\t"context"\n\n\t"example.com/m/b"\n\t"example.com/m/missing"\n)\n\n'
    a += (
        "func Make() error { return use(context.TODO()) }\n\nfunc use(ctx context.Context) error { return ctx.Err() }\n"
    )
    a += "\nvar _ = b.X\nvar _ = missing.Y\n"
    b = 'package b\n\nimport (\n\t"context"\n\n\t"example.com/m/a"\n)\n\nvar X = 1\n\n'
    b += "func Handle(ctx context.Context) error { return a.Make() }\n"
    write_module(tmp_path, {"a/a.go": a, "b/b.go": b})
    result = run(tmp_path)
    assert not result.errors
    # b is analysed after a (the cycle is broken at the unit with fewer unfinished imports, a
    # first by order): a's fact reaches b; in the other direction the fact is unknown
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("b.go", "CG201")]


def test_cache_reanalyses_importers_only_when_facts_change(tmp_path: Path) -> None:
    write_module(tmp_path, {"store/store.go": STORE, "api/api.go": API, "other/other.go": OTHER})
    cache = Cache(tmp_path / ".cache")
    first = run(tmp_path, cache)
    assert first.cached_packages == 0
    again = run(tmp_path, cache)
    assert (again.cached_packages, again.findings) == (3, first.findings)
    # a comment: the store package is analysed again, its facts are the same, api is not
    store = tmp_path / "store" / "store.go"
    store.write_text(STORE + "\n// a comment\n")
    assert run(tmp_path, cache).cached_packages == 2
    # Fetch now takes a context: the fact is gone, api is analysed again and its finding goes
    store.write_text(
        STORE.replace("func Fetch() error { return use(context.Background()) }", "func Fetch() error { return nil }")
    )
    changed = run(tmp_path, cache)
    assert changed.cached_packages == 1
    assert changed.findings == ()


def test_a_damaged_facts_entry_is_a_cache_miss(tmp_path: Path) -> None:
    write_module(tmp_path, {"store/store.go": STORE, "api/api.go": API})
    cache = Cache(tmp_path / ".cache")
    first = run(tmp_path, cache)
    entries = list((tmp_path / ".cache").rglob("*.json"))
    assert len(entries) == 2
    for entry in entries:
        doc = json.loads(entry.read_text())
        doc["facts"] = ["not", "a", "table"]
        entry.write_text(json.dumps(doc))
    again = run(tmp_path, cache)
    assert (again.cached_packages, again.findings) == (0, first.findings)
    assert not again.errors
