"""Code whose leaks do not last or will not be fixed: tests and command-line tools (their process
ends), and schema migrations (each runs once, and a shipped one is never edited)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ctxguard.gosrc import GoFile, Package
from ctxguard.lint.modules import module_relative

TESTING = frozenset({"testing"})

# Command-line frameworks: a package importing one declares the commands of a tool.
CLI_FRAMEWORKS = frozenset(
    {
        "github.com/spf13/cobra",
        "github.com/urfave/cli",
        "github.com/urfave/cli/v2",
        "github.com/urfave/cli/v3",
        "github.com/minio/cli",
        "github.com/mitchellh/cli",
        "github.com/hashicorp/cli",
        "gopkg.in/alecthomas/kingpin.v2",
        "github.com/alecthomas/kingpin/v2",
        "github.com/alecthomas/kong",
        "github.com/peterbourgon/ff/v3/ffcli",
    }
)

# Schema migration frameworks: a package importing one registers migrations.
MIGRATION_FRAMEWORKS = frozenset(
    {
        "github.com/pressly/goose",
        "github.com/pressly/goose/v3",
        "github.com/golang-migrate/migrate/v4",
        "github.com/go-gormigrate/gormigrate/v2",
        "github.com/rubenv/sql-migrate",
        "github.com/uptrace/bun/migrate",
    }
)

# Where Go's convention puts a program's commands.
COMMAND_DIRS = frozenset({"cmd", "command", "commands", "tool", "tools"})

# A package that handles or serves requests runs as long as its process, whatever parses its
# flags (minio's whole server lives in a package that imports its CLI library). A match in a
# comment only keeps findings.
_SERVES = re.compile(rb"http\.ResponseWriter|\bListenAndServe(?:TLS)?\(|\.Serve(?:TLS)?\(|grpc\.NewServer\(")


@dataclass(frozen=True)
class CodeScope:
    """Which short-lived code the rules report on; rules about test code always read tests."""

    tests: bool = True  # _test.go files, files importing "testing", test support directories
    commands: bool = True  # packages of command-line tools (is_command_package)
    migrations: bool = True  # packages of schema migrations (is_migration_package)


EVERYTHING = CodeScope()  # what a library caller gets: no code left out


def is_test_file(f: GoFile, test_support: bool) -> bool:
    # a file that imports "testing" outside _test.go is a test helper (production code that
    # imported it would link the test flags into the binary)
    return test_support or f.path.endswith("_test.go") or f.imports_any(TESTING)


def is_command_package(pkg: Package) -> bool:
    """A library of a tool's commands: below cmd/ (or command/, tools/...), it imports a
    command-line framework and serves nothing.

    Each command runs once and the process exits after it, so a goroutine or timer it strands
    ends with the process. Each condition alone misleads: libraries import cobra to register
    their flags, and minio's whole server lives below cmd/. `main` packages are never taken for
    one: a daemon's main parses its flags with the same frameworks and runs as long as it does.
    """
    if pkg.name == "main" or pkg.name.endswith("_test"):
        return False
    own = [f for f in pkg.files if not f.path.endswith("_test.go")]
    if not any(f.imports_any(CLI_FRAMEWORKS) for f in own):
        return False  # checked first: the cheapest and the rarest
    below = module_relative(pkg.directory)  # not the module's own path: `example.com/tool/pkg`
    where = Path(pkg.directory).parts if below is None else below
    return bool(COMMAND_DIRS.intersection(where)) and not any(_SERVES.search(f.source) for f in own)


def is_migration_package(pkg: Package) -> bool:
    """A package of schema migrations: its directory is named for them (`migrations`,
    `migrate`, `dbmigration`...), it imports a migration framework (goose, golang-migrate,
    gormigrate, sql-migrate, bun's migrate) and serves nothing.

    Each migration runs once, at start-up or from a tool, inside the framework's transaction;
    and a migration that has shipped is history, never edited (a database that already applied
    it would not run the change), so a finding there is one nobody will fix."""
    if pkg.name == "main" or pkg.name.endswith("_test") or "migrat" not in Path(pkg.directory).name.lower():
        return False
    own = [f for f in pkg.files if not f.path.endswith("_test.go")]
    return any(f.imports_any(MIGRATION_FRAMEWORKS) for f in own) and not any(_SERVES.search(f.source) for f in own)
