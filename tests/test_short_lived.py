"""Commands of command-line tools and schema migrations are left out of the default findings, like test code."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ctxguard.gosrc import Package
from ctxguard.lint.discovery import Discovery, discover
from ctxguard.lint.engine import load_package
from ctxguard.lint.shortlived import is_command_package, is_migration_package
from ctxguard.rules import default_rules
from test_lint_adoption import codes

from lintkit import REPO, run_and_compare

MODULE = REPO / "testdata" / "commands"
MIGRATIONS = REPO / "testdata" / "migrations"
COMMANDS = "cmd/tool/commands/"
DEFAULT = tuple(default_rules())


def _packages(root: Path) -> dict[str, Package]:
    out: dict[str, Package] = {}
    for u in discover([str(root)], Discovery()):
        for pkg in load_package(u)[0]:
            out[os.path.relpath(pkg.directory, root)] = pkg
    return out


def test_which_packages_are_commands() -> None:
    kinds = {d: is_command_package(p) for d, p in _packages(MODULE).items()}
    assert kinds == {
        "cmd/tool/commands": True,  # below cmd/, imports cobra, serves nothing
        "cmd/tool": False,  # a main package: maybe a daemon's
        "cmd/server/commands": False,  # it serves
        "pkg/flags": False,  # imports cobra, outside cmd/ (the module is named example.com/tool)
    }


def test_every_want_is_met_with_the_commands_included() -> None:
    # the library's lint() reads every package unless told otherwise
    result, wants, problems = run_and_compare([MODULE], DEFAULT)
    assert len(wants) == len(result.findings) == 4 and not problems, problems


def test_the_default_run_leaves_the_commands_out(tmp_path: Path) -> None:
    _, wants, _ = run_and_compare([MODULE], DEFAULT)
    every = {(w.path.replace(os.sep, "/").split("testdata/commands/")[-1], w.line) for w in wants}
    root = tmp_path / "m"
    shutil.copytree(MODULE, root)
    found = {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--isolated", "--no-cache")}
    assert found == {w for w in every if not w[0].startswith(COMMANDS)}
    found = {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--isolated", "--include-commands")}
    assert found == every
    (root / ".ctxguard.toml").write_text("[lint]\ninclude-commands = true\n")
    assert {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--no-cache")} == every


def test_a_directory_named_like_a_command_above_the_module_does_not_count(tmp_path: Path) -> None:
    root = tmp_path / "tools" / "m"
    shutil.copytree(MODULE, root)
    assert not is_command_package(_packages(root)["pkg/flags"])


def test_which_packages_are_migrations() -> None:
    kinds = {d: is_migration_package(p) for d, p in _packages(MIGRATIONS).items()}
    assert kinds == {
        "db/migrations": True,  # named for migrations, registers them with goose
        "db/migrate": False,  # named like them, registers none: it runs with the service
        "db/store": False,
    }


def test_the_default_run_leaves_the_migrations_out(tmp_path: Path) -> None:
    _, wants, problems = run_and_compare([MIGRATIONS], DEFAULT)
    assert len(wants) == 4 and not problems, problems
    every = {(w.path.replace(os.sep, "/").split("testdata/migrations/")[-1], w.line) for w in wants}
    root = tmp_path / "m"
    shutil.copytree(MIGRATIONS, root)
    found = {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--isolated", "--no-cache")}
    assert found == {w for w in every if not w[0].startswith("db/migrations/")} and len(found) == 2
    found = {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--isolated", "--include-migrations")}
    assert found == every
    (root / ".ctxguard.toml").write_text("[lint]\ninclude-migrations = true\n")
    assert {(p.replace(os.sep, "/"), line) for p, line, _ in codes(root, "--no-cache")} == every


@pytest.mark.skipif(shutil.which("go") is None, reason="needs the Go toolchain")
@pytest.mark.parametrize("module", [MODULE, MIGRATIONS], ids=["commands", "migrations"])
def test_the_module_builds(tmp_path: Path, module: Path) -> None:
    shutil.copytree(module, tmp_path / "m")
    env = {**os.environ, "GOTOOLCHAIN": "local"}
    r = subprocess.run(["go", "vet", "./..."], cwd=tmp_path / "m", capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
