"""The tier policy: default rules (findings a maintainer would fix) and opt-in ones (style, test
hygiene) that run only when selected; CG201's test findings moved to CG205 test-context; CG202's
report-everywhere option."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.engine import load_package
from ctxguard.lint.expect import compare, expectations
from ctxguard.lint.run import lint
from ctxguard.rules import ALL_RULES, BY_CODE, default_rules, select_rules, unknown_selectors
from test_cli import run
from test_lint_adoption import codes

from lintkit import FIXTURES, assert_builds

OPT_IN = {r.code for r in ALL_RULES if not r.default}

IN_A_TEST = """package m

import (
	"context"
	"testing"
)

func query(ctx context.Context) error { return ctx.Err() }

func TestQuery(t *testing.T) {
	if err := query(context.Background()); err != nil {
		t.Fatal(err)
	}
}
"""

IN_A_HANDLER = """package m

import (
	"context"
	"net/http"
)

func handle(w http.ResponseWriter, r *http.Request) {
	_, _ = http.Get("http://example.com/" + query(context.Background()).Error())
	w.WriteHeader(http.StatusOK)
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.24\n")
    (tmp_path / "a_test.go").write_text(IN_A_TEST)
    (tmp_path / "h.go").write_text(IN_A_HANDLER)
    return tmp_path


# -- selection -------------------------------------------------------------------------------------


def test_test_context_is_the_opt_in_rule() -> None:
    assert "CG205" in OPT_IN
    assert BY_CODE["CG205"].name == "test-context"
    assert {r.code for r in default_rules()} == {r.code for r in ALL_RULES} - OPT_IN


@pytest.mark.parametrize(
    ("select", "extend", "ignore", "has_cg205", "has_cg201", "has_cg202"),
    [
        (None, None, None, False, False, True),  # the default rules
        (["CG2"], None, None, False, False, True),  # a prefix picks default rules only
        (["CG"], None, None, False, False, True),
        (["CG205"], None, None, True, False, False),  # an opt-in rule by its code
        (["test-context"], None, None, True, False, False),  # ... or its name
        (["ALL"], None, None, True, True, True),
        (["all"], None, None, True, True, True),
        (None, ["CG205"], None, True, False, True),  # extend-select adds to the default rules
        (None, ["background-in-scope"], None, False, True, True),
        (["CG1"], ["test-context"], None, True, False, False),
        (["ALL"], None, ["CG2"], False, False, False),  # an ignore prefix covers opt-in rules too
        (["ALL"], None, ["ALL"], False, False, False),
    ],
)
def test_select_rules(
    select: list[str] | None,
    extend: list[str] | None,
    ignore: list[str] | None,
    has_cg205: bool,
    has_cg201: bool,
    has_cg202: bool,
) -> None:
    chosen = {r.code for r in select_rules(select, ignore, extend)}
    assert ("CG205" in chosen) is has_cg205
    assert ("CG201" in chosen) is has_cg201
    assert ("CG202" in chosen) is has_cg202


def test_all_is_a_known_selector() -> None:
    assert unknown_selectors(["ALL", "all", "CG205", "test-context", "CG2"]) == []
    assert unknown_selectors(["CG999"]) == ["CG999"]


def test_rules_command_shows_the_tier() -> None:
    r = run("rules")
    assert r.returncode == 0
    tiers = {line.split()[0]: line.split()[3] for line in r.stdout.splitlines()}
    assert tiers["CG205"] == tiers["CG201"] == "opt-in"
    assert tiers["CG202"] == tiers["CG101"] == "default"
    assert set(tiers.values()) == {"default", "opt-in"}
    assert {code for code, tier in tiers.items() if tier == "opt-in"} == OPT_IN


# -- the command line and the configuration ----------------------------------------------------------


def test_test_findings_are_opt_in(module: Path) -> None:
    handler = ("h.go", 9, "CG202")
    in_test = ("a_test.go", 11, "CG205")
    assert codes(module) == [handler]
    assert codes(module, "--select", "CG202") == [handler]
    assert codes(module, "--select", "CG201") == [("h.go", 9, "CG201")]
    assert codes(module, "--select", "CG2") == [handler]
    assert codes(module, "--select", "CG205") == [in_test]
    assert codes(module, "--select", "test-context") == [in_test]
    assert sorted(codes(module, "--extend-select", "CG205")) == sorted([handler, in_test])
    assert sorted(codes(module, "--select", "ALL", "--ignore", "CG201")) == sorted([handler, in_test])
    assert codes(module, "--select", "ALL", "--ignore", "CG205,CG201") == [handler]


def test_test_context_follows_the_go_mod(module: Path) -> None:
    """t.Context() exists from Go 1.24: CG205 says nothing before, and a go.mod edit is not
    answered from the cache (test_lint_adoption's CG201 version of this predates CG205)."""
    (module / "go.mod").write_text("module m\n\ngo 1.23\n")
    assert codes(module, "--select", "CG205") == []
    (module / "go.mod").write_text("module m\n\ngo 1.24\n")
    assert codes(module, "--select", "CG205") == [("a_test.go", 11, "CG205")]


def test_extend_select_in_the_configuration(module: Path) -> None:
    (module / ".ctxguard.toml").write_text('[lint]\nextend-select = ["CG205"]\n')
    assert sorted(codes(module)) == [("a_test.go", 11, "CG205"), ("h.go", 9, "CG202")]
    (module / ".ctxguard.toml").write_text('[lint]\nselect = ["CG1"]\nextend-select = ["test-context"]\n')
    assert codes(module) == [("a_test.go", 11, "CG205")]
    (module / ".ctxguard.toml").write_text('[lint]\nselect = ["ALL"]\n[lint.per-file-ignores]\n"*_test.go" = ["CG2"]\n')
    assert sorted(codes(module)) == [("h.go", 9, "CG201"), ("h.go", 9, "CG202")]


def test_report_everywhere_option_is_checked(module: Path) -> None:
    (module / ".ctxguard.toml").write_text('[lint.options.CG202]\nreport-everywhere = ["example.com/nope"]\n')
    r = run("lint", ".", cwd=module)
    assert r.returncode == 2
    assert "report-everywhere: 'example.com/nope' is not a package this rule knows" in r.stderr
    (module / ".ctxguard.toml").write_text(
        '[lint.options.non-context-call]\nreport-everywhere = ["net/http", "example.com/store"]\n'
        'extra-apis = ["example.com/store.Fetch=FetchContext"]\n'
    )
    assert run("lint", ".", cwd=module).returncode in (0, 1)


def test_report_everywhere_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "c.go").write_text(
        'package c\n\nimport (\n\t"database/sql"\n\t"net/http"\n)\n\n'
        "func f(db *sql.DB) {\n"
        '\t_, _ = http.Get("http://a")\n'
        '\t_, _ = db.Query("SELECT 1")\n}\n'
    )
    assert codes(tmp_path, "--select", "CG202") == []
    (tmp_path / ".ctxguard.toml").write_text('[lint.options.CG202]\nreport-everywhere = ["net/http"]\n')
    assert codes(tmp_path, "--select", "CG202") == [("c.go", 9, "CG202")]
    (tmp_path / ".ctxguard.toml").write_text('[lint.options.CG202]\nreport-everywhere = ["*"]\n')
    assert codes(tmp_path, "--select", "CG202") == [("c.go", 9, "CG202"), ("c.go", 10, "CG202")]


def test_relay_packages_option() -> None:
    """A helper running a query without a context is reported at its call only under relay-packages."""
    folder = FIXTURES / "non_context_call"
    units = [u for u in discover([str(folder)], Discovery()) if Path(u.directory).name in ("api", "fetch")]
    rule = BY_CODE["CG202"]

    def rows_call(options: dict[str, dict[str, tuple[str, ...]]]) -> list[str]:
        found = lint(units, (rule,), jobs=1, options=options).findings
        return [f.message for f in found if f.path.endswith("api.go") and f.line == 26]

    assert rows_call({}) == []
    for chosen in (("database/sql",), ("*",)):
        (message,) = rows_call({"CG202": {"relay-packages": chosen}})
        assert message.startswith("fetch.Rows calls (*sql.DB).Query without a context (fetch.go:19)")
    only_sql = {
        (f.path, f.line)
        for f in lint(units, (rule,), jobs=1, options={"CG202": {"relay-packages": ("database/sql",)}}).findings
    }
    assert not any(p.endswith("store.go") for p, _ in only_sql)  # net/http is then no longer followed


# -- fixtures beyond the per-rule folders -------------------------------------------------------------


def test_report_everywhere_fixture() -> None:
    """testdata/lint/non_context_call/_everywhere: clean without the option, its wants with it."""
    folder = FIXTURES / "non_context_call" / "_everywhere"
    units = discover([str(folder)], Discovery(include_testdata=True))
    rule = BY_CODE["CG202"]
    assert lint(units, (rule,), jobs=1).findings == ()
    result = lint(units, (rule,), jobs=1, options={"CG202": {"report-everywhere": ("*",)}})
    wants = [w for u in units for pkg in load_package(u)[0] for f in pkg.files for w in expectations(f)]
    assert len(wants) >= 10
    assert compare(result.findings, wants, [rule.code]) == []


def test_report_everywhere_fixture_builds(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the fixtures")
    shutil.copytree(FIXTURES / "non_context_call" / "_everywhere", tmp_path, dirs_exist_ok=True)
    assert_builds(tmp_path)


def test_test_context_fixture_tests_compile(tmp_path: Path) -> None:
    """`go build` skips _test.go files: vet the test-context fixtures, which compiles the tests."""
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the fixtures")
    shutil.copytree(FIXTURES / "test_context", tmp_path, dirs_exist_ok=True)
    env = {"GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
    for module in (tmp_path, tmp_path / "old"):
        vet = subprocess.run(["go", "vet", "./..."], cwd=module, capture_output=True, text=True, env=_env(env))
        assert vet.returncode == 0, vet.stderr


def test_cg201_fixtures_with_test_files_compile(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.fail("the Go toolchain is needed to build the fixtures")
    shutil.copytree(FIXTURES / "background_in_scope", tmp_path, dirs_exist_ok=True)
    env = {"GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
    vet = subprocess.run(["go", "vet", "./..."], cwd=tmp_path, capture_output=True, text=True, env=_env(env))
    assert vet.returncode == 0, vet.stderr


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
