"""Adopting ctxguard on a real codebase: configuration, suppressions, baselines, changed lines,
the cache and the CI formats, all through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_cli import LEAKY, run

TWO_LEAKS = """package svc

import (
	"context"
	"time"
)

func a(ctx context.Context) error {
	ctx, _ = context.WithTimeout(ctx, time.Second)
	return ctx.Err()
}

func b(ctx context.Context) error {
	ctx, _ = context.WithTimeout(ctx, time.Second)
	return ctx.Err()
}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "leaky.go").write_text(LEAKY)
    (tmp_path / "svc" / "two.go").write_text(TWO_LEAKS)
    return tmp_path


def codes(cwd: Path, *args: str) -> list[tuple[str, int, str]]:
    r = run("lint", "-f", "json", *args, cwd=cwd)
    assert r.returncode in (0, 1), r.stderr
    return [(f["path"], f["line"], f["code"]) for f in json.loads(r.stdout)["findings"]]


# -- configuration -------------------------------------------------------------------------------


def test_config_select_ignore_and_per_file_ignores(repo: Path) -> None:
    assert {c for _, _, c in codes(repo)} == {"CG101"}
    (repo / ".ctxguard.toml").write_text('[lint]\nignore = ["CG1"]\n')
    assert codes(repo) == []
    (repo / ".ctxguard.toml").write_text(
        '[lint]\nselect = ["lost-cancel"]\n[lint.per-file-ignores]\n"two.go" = ["CG101"]\n'
    )
    assert {p for p, _, _ in codes(repo)} == {"svc/leaky.go"}
    # flags override the file
    assert {p for p, _, _ in codes(repo, "--isolated")} == {"svc/leaky.go", "svc/two.go"}


def test_config_in_pyproject_and_from_a_subdirectory(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ctxguard.lint]\nexclude = ["svc/two.go"]\n')
    assert {p for p, _, _ in codes(repo)} == {"svc/leaky.go"}
    # patterns are relative to the configuration's directory wherever ctxguard runs
    assert {p for p, _, _ in codes(repo / "svc", ".")} == {"leaky.go"}


def test_rule_options_reach_the_rules(tmp_path: Path) -> None:
    (tmp_path / "h.go").write_text(
        'package h\n\nimport (\n\t"context"\n\t"net/http"\n)\n\n'
        "func Handle(r *http.Request, ctx context.Context) error { return ctx.Err() }\n"
    )
    assert codes(tmp_path, "--select", "CG203") == [("h.go", 8, "CG203")]
    (tmp_path / ".ctxguard.toml").write_text(
        '[lint.options.context-not-first]\nallow-types-before = ["*net/http.Request"]\n'
    )
    assert codes(tmp_path, "--select", "CG203") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[lint\n", "invalid TOML"),
        ("[lint]\nselec = []\n", "unknown key 'selec'"),
        ('[lint]\nselect = "CG101"\n', "select must be a list of strings"),
        ('[lint]\nselect = ["CG999"]\n', "unknown rule selector 'CG999'"),
        ('[lint.options.CG101]\nfoo = ["x"]\n', "CG101 has no option 'foo'"),
        ('[lint.options.nope]\nfoo = ["x"]\n', "no such rule"),
        ("[watch]\n", "unknown section 'watch'"),
        ('[lint.options.CG202]\nextra-apis = ["nonsense"]\n', "extra-apis: cannot read 'nonsense'"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_file(repo: Path, content: str, message: str) -> None:
    (repo / ".ctxguard.toml").write_text(content)
    r = run("lint", cwd=repo)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and ".ctxguard.toml" in r.stderr and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


# -- inline suppressions ---------------------------------------------------------------------------


def test_inline_suppressions_and_nolint_mapping(repo: Path) -> None:
    src = TWO_LEAKS.replace(
        "\tctx, _ = context.WithTimeout(ctx, time.Second)\n\treturn ctx.Err()\n}\n\nfunc b",
        "\t//ctxguard:ignore CG101 handed to the pool\n\tctx, _ = context.WithTimeout(ctx, time.Second)\n"
        "\treturn ctx.Err()\n}\n\nfunc b",
    ).replace(
        "func b(ctx context.Context) error {\n\tctx, _ = context.WithTimeout(ctx, time.Second)",
        "func b(ctx context.Context) error {\n\tctx, _ = context.WithTimeout(ctx, time.Second) //nolint:lostcancel",
    )
    (repo / "svc" / "two.go").write_text(src)
    assert [p for p, _, _ in codes(repo)] == ["svc/leaky.go"]


def test_nolint_for_other_linters_suppresses_nothing(repo: Path) -> None:
    (repo / "svc" / "two.go").write_text(TWO_LEAKS.replace("time.Second)\n", "time.Second) //nolint:errcheck\n", 1))
    assert len([1 for p, _, _ in codes(repo) if p == "svc/two.go"]) == 2


def test_unused_suppressions_are_reported_only_when_judged(repo: Path) -> None:
    (repo / "svc" / "clean.go").write_text(
        'package svc\n\nimport "context"\n\nfunc c(ctx context.Context) error {\n'
        "\treturn ctx.Err() //ctxguard:ignore CG101 nothing here\n}\n"
    )
    assert ("svc/clean.go", 6, "CG001") in codes(repo)
    assert not [c for c in codes(repo, "--select", "CG102,CG001") if c[0] == "svc/clean.go"]
    assert not [c for c in codes(repo, "--ignore", "CG001") if c[2] == "CG001"]


# -- baseline -------------------------------------------------------------------------------------


def test_baseline_survives_moved_lines_and_reports_new_and_stale(repo: Path) -> None:
    r = run("lint", "--write-baseline", "ctxguard-baseline.json", cwd=repo)
    assert r.returncode == 0 and "Wrote 3 findings" in r.stderr, r.stderr
    assert codes(repo, "--baseline", "ctxguard-baseline.json") == []
    # code moves down: still baselined
    two = repo / "svc" / "two.go"
    two.write_text(two.read_text().replace("package svc\n", "package svc\n\n// moved\n"))
    assert codes(repo, "--baseline", "ctxguard-baseline.json") == []
    # a third equal finding needs a third entry: it is new
    two.write_text(two.read_text() + TWO_LEAKS.split("func b")[1].replace("(ctx context", "func c(ctx context", 1))
    assert len(codes(repo, "--baseline", "ctxguard-baseline.json")) == 1
    # fixing one leaves a stale entry, reported on stderr; from another directory too
    (repo / "svc" / "leaky.go").unlink()
    r = run("lint", "--baseline", "../ctxguard-baseline.json", ".", cwd=repo / "svc")
    assert "1 baseline entry no longer found" in r.stderr, r.stderr


@pytest.mark.parametrize(("content", "message"), [(None, "no such baseline"), ("{", "invalid JSON"), ("[]", "not a")])
def test_bad_baseline_is_one_line(repo: Path, content: str | None, message: str) -> None:
    if content is not None:
        (repo / "b.json").write_text(content)
    r = run("lint", "--baseline", "b.json", cwd=repo)
    assert r.returncode == 2 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr


# -- changed lines --------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True
    )


def test_new_from_rev_keeps_only_changed_lines(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    two = repo / "svc" / "two.go"
    two.write_text(
        two.read_text().replace(
            "func b(ctx context.Context) error {\n\tctx, _ =", "func b(ctx context.Context) error {\n\tctx, _  =", 1
        )
    )
    (repo / "svc" / "new.go").write_text(TWO_LEAKS.replace("func a(", "func na(").replace("func b(", "func nb("))
    found = codes(repo, "--new-from-rev", "HEAD")
    assert sorted(found) == [("svc/new.go", 9, "CG101"), ("svc/new.go", 14, "CG101"), ("svc/two.go", 14, "CG101")]
    r = run("lint", "--new-from-rev", "no-such-rev", cwd=repo)
    assert r.returncode == 2 and "unknown revision 'no-such-rev'" in r.stderr


def test_new_from_rev_outside_git_is_one_line(repo: Path) -> None:
    r = run("lint", "--new-from-rev", "HEAD", cwd=repo)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "git" in r.stderr


# -- cache ----------------------------------------------------------------------------------------


def test_cache_hits_on_unchanged_tree_and_invalidates_on_edit_and_config(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = str(tmp_path_factory.mktemp("c"))

    def summary(*args: str) -> dict[str, object]:
        r = run("lint", "-f", "json", "--cache-dir", cache, *args, cwd=repo)
        return dict(json.loads(r.stdout)["summary"]) | {"n": len(json.loads(r.stdout)["findings"])}

    first = summary()
    assert first["cached_packages"] == 0 and first["n"] == 3
    again = summary()
    assert again["cached_packages"] == 1 and again["n"] == 3
    (repo / "svc" / "two.go").write_text(TWO_LEAKS.split("func b")[0])
    edited = summary()
    assert edited["cached_packages"] == 0 and edited["n"] == 2
    (repo / ".ctxguard.toml").write_text('[lint]\nignore = ["CG103"]\n')
    assert summary()["cached_packages"] == 0
    assert summary()["cached_packages"] == 1
    assert summary("--no-cache")["cached_packages"] == 0
    # a damaged entry is a miss, not a crash
    for entry in Path(cache).rglob("*.json"):
        entry.write_text("{not json")
    damaged = summary()
    assert damaged["cached_packages"] == 0 and damaged["n"] == 2


# -- formats --------------------------------------------------------------------------------------


def test_github_annotations_escape_and_summarise(repo: Path) -> None:
    (repo / "svc" / "we,ird:name.go").write_text(LEAKY)
    out = run("lint", "-f", "github", cwd=repo).stdout.splitlines()
    assert any(line.startswith("::error file=svc/we%2Cird%3Aname.go,line=") for line in out)
    assert all("title=CG101 lost-cancel::" in line for line in out[:-1])
    assert out[-1].startswith("Found 4 findings")


def test_junit_and_checkstyle_are_well_formed_xml(repo: Path) -> None:
    junit = ET.fromstring(run("lint", "-f", "junit", cwd=repo).stdout)
    assert junit.get("failures") == "3" and len(junit.findall(".//failure")) == 3
    cs = ET.fromstring(run("lint", "-f", "checkstyle", cwd=repo).stdout)
    assert [e.get("source") for e in cs.iter("error")] == ["ctxguard.CG101.lost-cancel"] * 3


def test_json_lines_and_statistics(repo: Path) -> None:
    lines = run("lint", "-f", "json-lines", cwd=repo).stdout.splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["CG101"] * 3
    stats = run("lint", "--statistics", cwd=repo)
    assert stats.returncode == 1 and stats.stdout.split("\t")[:2] == ["3", "CG101"]
    as_json = json.loads(run("lint", "--statistics", "-f", "json", cwd=repo).stdout)
    assert as_json == [{"code": "CG101", "name": "lost-cancel", "count": 3, "fixable": 0}]


# -- fixes ----------------------------------------------------------------------------------------


def test_diff_changes_nothing_and_fix_writes_verified_code(tmp_path: Path) -> None:
    src = (
        'package svc\n\nimport "context"\n\nfunc f(ctx context.Context) error {\n'
        "\tctx, _ := context.WithCancel(ctx)\n\treturn ctx.Err()\n}\n"
    )
    (tmp_path / "f.go").write_text(src)
    d = run("lint", "--diff", cwd=tmp_path)
    assert d.returncode == 1 and "+\tdefer cancel()" in d.stdout and (tmp_path / "f.go").read_text() == src
    f = run("lint", "--fix", cwd=tmp_path)
    assert f.returncode == 0, f.stdout + f.stderr
    assert "Fixed 1 finding" in f.stderr
    assert "ctx, cancel := context.WithCancel(ctx)\n\tdefer cancel()\n" in (tmp_path / "f.go").read_text()
    assert run("lint", "--fix", "--diff", cwd=tmp_path).returncode == 2


def test_extra_apis_and_extra_types_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "s.go").write_text(
        'package s\n\nimport (\n\t"context"\n\n\t"example.com/pool"\n\t"example.com/store"\n)\n\n'
        "func F(ctx context.Context, c *store.Client, p *pool.Pool) error {\n"
        "\t_ = context.WithValue(ctx, key{}, p)\n"
        '\treturn c.Fetch("k")\n}\n\ntype key struct{}\n'
    )
    assert codes(tmp_path, "--select", "CG202,CG302") == []
    (tmp_path / ".ctxguard.toml").write_text(
        '[lint.options.CG202]\nextra-apis = ["example.com/store.*Client.Fetch=FetchContext"]\n'
        '[lint.options.resource-in-context]\nextra-types = ["*example.com/pool.Pool"]\n'
    )
    assert codes(tmp_path, "--select", "CG202,CG302") == [("s.go", 11, "CG302"), ("s.go", 12, "CG202")]


def test_a_directive_above_a_function_covers_all_of_it(repo: Path) -> None:
    """As golangci-lint does for `//nolint` above a declaration; a trailing one covers its line only."""
    two = repo / "svc" / "two.go"
    two.write_text(TWO_LEAKS.replace("func a(", "//nolint:lostcancel // legacy\nfunc a("))
    assert [line for p, line, _ in codes(repo) if p == "svc/two.go"] == [15]
    two.write_text(
        TWO_LEAKS.replace("func a(ctx context.Context) error {", "func a(ctx context.Context) error { //nolint")
    )
    assert [line for p, line, _ in codes(repo) if p == "svc/two.go"] == [9, 14]


# -- edge cases found in review ---------------------------------------------------------------------


def test_cache_key_includes_the_go_mod(tmp_path: Path) -> None:
    """CG205 suggests t.Context() only from Go 1.24: a go.mod edit must not replay the old answer."""
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.23\n")
    (tmp_path / "a_test.go").write_text(
        'package m\n\nimport (\n\t"context"\n\t"testing"\n)\n\nfunc TestA(t *testing.T) { _ = context.Background() }\n'
    )
    assert codes(tmp_path, "--select", "CG205") == []
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.24\n")
    assert codes(tmp_path, "--select", "CG205") == [("a_test.go", 8, "CG205")]


def test_new_from_rev_with_unusual_file_names(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "-c", "diff.mnemonicPrefix=true", "commit", "-q", "--allow-empty", "-m", "base")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "svc")
    for name in ("sp ace.go", "café.go"):
        (repo / "svc" / name).write_text(TWO_LEAKS.replace("func a(", "func a" + str(len(name)) + "(", 1))
        _git(repo, "add", f"svc/{name}")
    _git(repo, "commit", "-qm", "names")
    found = {p for p, _, _ in codes(repo, "--new-from-rev", "HEAD~1")}
    assert found == {"svc/sp ace.go", "svc/café.go"}


def test_non_utf8_file_name_is_linted(tmp_path: Path) -> None:
    name = os.fsdecode(b"x\xff.go")
    (tmp_path / name).write_text(LEAKY)
    r = subprocess.run([sys.executable, "-m", "ctxguard", "lint", "."], cwd=tmp_path, capture_output=True, timeout=60)
    assert r.returncode == 1 and b"Traceback" not in r.stderr, r.stderr
    assert b"x\xff.go:" in r.stdout  # printed as the file system spells it, as go vet does


@pytest.mark.parametrize("count", ["1e400", "-1", "true", "100000000000"])
def test_baseline_counts_are_checked(repo: Path, count: str) -> None:
    entry = '{"path": "svc/x.go", "code": "CG101", "hash": "ab", "count": ' + count + "}"
    (repo / "b.json").write_text('{"tool": "ctxguard", "findings": [' + entry + "]}")
    r = subprocess.run(
        [sys.executable, "-m", "ctxguard", "lint", "--baseline", "b.json"], cwd=repo, capture_output=True, timeout=60
    )
    if count == "100000000000":
        assert r.returncode == 1  # valid, huge: counted, not expanded
    else:
        assert r.returncode == 2 and b"entry 1 is malformed" in r.stderr, r.stderr


def test_config_that_is_not_utf8(repo: Path) -> None:
    (repo / ".ctxguard.toml").write_bytes(b"[lint]\n# \xff\n")
    r = run("lint", cwd=repo)
    assert r.returncode == 2 and "not UTF-8" in r.stderr and "Traceback" not in r.stderr


def test_write_baseline_refuses_when_files_cannot_be_read(repo: Path) -> None:
    (repo / "svc" / "dangling.go").symlink_to(repo / "nowhere.go")
    r = run("lint", "--write-baseline", "b.json", cwd=repo)
    assert r.returncode == 2 and not (repo / "b.json").exists()


def test_directive_parsing_edge_cases(tmp_path: Path) -> None:
    body = "\tctx, _ = context.WithTimeout(ctx, time.Second)"
    src = TWO_LEAKS.replace(body, body + " //ctxguard:ignore cg101 false-positive in tests", 1)
    src = src.replace(body + "\n\treturn ctx.Err()\n}\n", body + '\n\tprintln("//nolint")\n\treturn ctx.Err()\n}\n')
    src = src.replace("\treturn ctx.Err()\n}\n", "\treturn ctx.Err() /* //nolint */\n}\n")
    (tmp_path / "t.go").write_text(src.replace("package svc", "package t"))
    found = codes(tmp_path)
    assert ("t.go", 9, "CG101") not in found  # lower-case code, hyphenated reason
    assert ("t.go", 14, "CG101") in found  # a string or block comment is not a directive


def test_xml_formats_survive_control_characters(tmp_path: Path) -> None:
    (tmp_path / "k.go").write_text(
        'package k\n\nimport "context"\n\nfunc F(ctx context.Context) context.Context {\n'
        '\treturn context.WithValue(ctx, "a\x01b", 1)\n}\n'
    )
    for fmt in ("junit", "checkstyle"):
        out = run("lint", "-f", fmt, cwd=tmp_path).stdout
        ET.fromstring(out)


def test_fix_keeps_crlf_writes_through_symlinks_and_diff_applies(tmp_path: Path) -> None:
    src = (
        'package svc\r\n\r\nimport "context"\r\n\r\nfunc f(ctx context.Context) error {\r\n'
        "\tctx, _ := context.WithCancel(ctx)\r\n\treturn ctx.Err()\r\n}"
    )
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.go").write_bytes(src.encode())
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "f.go").symlink_to(tmp_path / "real" / "f.go")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    # git apply treats a symlink as a link; -o keeps the CRLFs that text-mode capture would fold
    diff = run("lint", "--diff", "-o", "p.diff", "real", cwd=tmp_path).stdout
    check = subprocess.run(["git", "apply", "--check", "p.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + diff
    run("lint", "--fix", "pkg", cwd=tmp_path)
    assert (tmp_path / "pkg" / "f.go").is_symlink()
    fixed = (tmp_path / "real" / "f.go").read_bytes()
    assert b"defer cancel()\r\n" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")


def test_github_paths_are_relative_to_the_workspace(repo: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "ctxguard", "lint", "-f", "github", "."],
        cwd=repo / "svc",
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_WORKSPACE": str(repo)},
        timeout=60,
    )
    assert r.stdout.startswith("::error file=svc/leaky.go,"), r.stdout


def test_a_bare_directive_that_silences_nothing_is_reported_by_default(tmp_path: Path) -> None:
    """Opt-in rules (CG205) are off by default: a bare ignore is judged against the default rules."""
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.24\n")
    (tmp_path / "a.go").write_text("package m\n\nfunc f() int {\n\treturn 1 //ctxguard:ignore nothing here\n}\n")
    assert codes(tmp_path, "--isolated") == [("a.go", 4, "CG001")]


def test_test_code_is_reported_only_on_request(tmp_path: Path) -> None:
    """A leak in a test ends with the test binary: the default rules skip _test.go files unless
    --include-tests (or include-tests = true); test-only rules (CG205) always read them."""
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.24\n")
    body = (
        'package m\n\nimport (\n\t"context"\n\t"testing"\n)\n\n'
        "func TestA(t *testing.T) {\n\tctx, _ := context.WithCancel(context.Background())\n\t_ = ctx\n}\n"
    )
    (tmp_path / "a_test.go").write_text(body)
    (tmp_path / "a.go").write_text(body.replace("func TestA(t *testing.T)", "func A()").replace('\t"testing"\n', ""))
    assert codes(tmp_path, "--isolated") == [("a.go", 8, "CG101")]
    assert codes(tmp_path, "--isolated", "--include-tests") == [("a.go", 8, "CG101"), ("a_test.go", 9, "CG101")]
    assert codes(tmp_path, "--isolated", "--extend-select", "CG205") == [
        ("a.go", 8, "CG101"),
        ("a_test.go", 9, "CG205"),
    ]
    (tmp_path / ".ctxguard.toml").write_text("[lint]\ninclude-tests = true\n")
    assert ("a_test.go", 9, "CG101") in codes(tmp_path)


# a package {name} whose F leaks a cancel on line 6
LEAK = (
    'package {}\n\nimport "context"\n\n'
    "func F() {{\n\tctx, _ := context.WithCancel(context.Background())\n\t_ = ctx\n}}\n"
)


def test_test_support_directories_are_test_code(tmp_path: Path) -> None:
    """Helpers under testutil/, e2e/, tests/... run only in tests: left out like _test.go files,
    by directory name below the path given (a checkout that itself lives in a `tests` directory
    is not all test code)."""
    root = tmp_path / "tests" / "repo"
    for pkg in ("internal/testutil/fixtures", "e2e", "integration/cluster", "cmd/load-test", "svc"):
        (root / pkg).mkdir(parents=True)
        (root / pkg / "f.go").write_text(LEAK.format(pkg.rsplit("/", 1)[-1].replace("-", "")))
    # a helper file that imports "testing" outside _test.go is test code too
    helper = LEAK.format("svc").replace('import "context"', 'import (\n\t"context"\n\t"testing"\n)\n\nvar _ testing.TB')
    (root / "svc" / "testing.go").write_text(helper)
    assert codes(root, "--isolated") == [("svc/f.go", 6, "CG101")]
    assert codes(root, "--isolated", "--include-tests") == [
        ("cmd/load-test/f.go", 6, "CG101"),
        ("e2e/f.go", 6, "CG101"),
        ("integration/cluster/f.go", 6, "CG101"),
        ("internal/testutil/fixtures/f.go", 6, "CG101"),
        ("svc/f.go", 6, "CG101"),
        ("svc/testing.go", 11, "CG101"),
    ]
    # named explicitly, a test support directory is still test code below the path given
    assert codes(root, "--isolated", "internal") == []


def test_vendored_and_example_directories_are_skipped(tmp_path: Path) -> None:
    """golangci-lint's default exclusions: third_party/, Godeps/ and examples/ beside vendor/."""
    for pkg in ("third_party/x", "Godeps/y", "examples/hello", "svc"):
        (tmp_path / pkg).mkdir(parents=True)
        (tmp_path / pkg / "f.go").write_text(LEAK.format(pkg.rsplit("/", 1)[-1]))
    assert codes(tmp_path, "--isolated") == [("svc/f.go", 6, "CG101")]
    assert ("examples/hello/f.go", 6, "CG101") in codes(tmp_path, "--isolated", "--include-examples")
    assert ("third_party/x/f.go", 6, "CG101") in codes(tmp_path, "--isolated", "--include-vendor")
    assert codes(tmp_path, "--isolated", "examples/hello") == [("examples/hello/f.go", 6, "CG101")]
