"""Which Go files to lint: files, directories (recursive) and Go-style `./...` patterns."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path


class InputError(Exception):
    """A path or pattern the user gave that cannot be linted; the message is one line."""


@dataclass(frozen=True)
class Discovery:
    include_vendor: bool = False
    include_testdata: bool = False
    include_generated: bool = False
    exclude: tuple[str, ...] = ()  # globs on the path relative to the working directory, or absolute
    include_tests: bool = True  # _test.go files (the CLI leaves them out unless a rule wants them)
    include_examples: bool = False


# Directories of test support code: helpers, fixtures and end-to-end suites that only tests run.
# A leak there ends with the test binary, as in a _test.go file.
TEST_SUPPORT_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "testutil",
        "testutils",
        "testhelper",
        "testhelpers",
        "e2e",
        "integration",
        "integration-test",
    }
)
# ... and any directory named for the test it serves: `networkdb-test`, `e2e_tests`
_TEST_SUFFIXES = ("-test", "-tests", "_test", "_tests")


def is_test_support_dir(name: str) -> bool:
    return name in TEST_SUPPORT_DIRS or name.endswith(_TEST_SUFFIXES)


# Vendored copies under the names golangci-lint also leaves out by default (with vendor/).
VENDORED_DIRS = frozenset({"vendor", "third_party", "Godeps"})


@dataclass(frozen=True)
class PackageUnit:
    """The Go files of one directory: the unit of work for one worker."""

    directory: str
    files: tuple[str, ...]
    # below a test support directory (TEST_SUPPORT_DIRS) of the path the user gave: test code
    test_support: bool = False


_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.MULTILINE)


def is_generated(source: bytes) -> bool:
    """Go's convention: the marker comment appears before the package clause."""
    head_end = source.find(b"\npackage ")
    head = source if head_end < 0 else source[: head_end + 1]
    if source.startswith(b"package "):
        head = b""
    return _GENERATED.search(head) is not None


def _skip_dir(name: str, opts: Discovery) -> bool:
    if name.startswith((".", "_")):
        return True  # the go tool ignores these too
    if name in VENDORED_DIRS and not opts.include_vendor:
        return True
    if name == "examples" and not opts.include_examples:
        return True  # sample programs, as golangci-lint's default exclusions have it
    return name == "testdata" and not opts.include_testdata


def _excluded(path: str, opts: Discovery) -> bool:
    if not opts.exclude:
        return False
    rel = path.removeprefix("./")
    absolute = os.path.abspath(path)
    for pat in opts.exclude:
        target = absolute if os.path.isabs(pat) else rel  # a configuration's patterns are anchored at its directory
        if fnmatch.fnmatch(target, pat) or fnmatch.fnmatch(target, pat.rstrip("/") + "/*"):
            return True
    return False


def discover(args: list[str], opts: Discovery) -> list[PackageUnit]:
    """Expand the command-line paths into packages, in a stable order.

    A path given explicitly is linted even if a default exclusion would skip
    it (as ruff does); exclusions apply to what recursion finds below it.
    """
    by_dir: dict[str, set[str]] = {}
    support: set[str] = set()
    for arg in args or ["."]:
        root = arg
        if arg == "..." or arg.endswith("/..."):
            root = arg[: -len("...")].rstrip("/") or "."
        if not os.path.exists(root):
            raise InputError(f"{arg}: no such file or directory")
        if os.path.isfile(root):
            if not root.endswith(".go"):
                raise InputError(f"{arg}: not a Go source file")
            by_dir.setdefault(os.path.dirname(root) or ".", set()).add(os.path.normpath(root))
            continue
        if not os.access(root, os.R_OK | os.X_OK):
            raise InputError(f"{arg}: permission denied")
        for dirpath, dirnames, filenames in os.walk(root, onerror=_raise_walk_error):
            dirnames[:] = sorted(
                d for d in dirnames if not _skip_dir(d, opts) and not _excluded(os.path.join(dirpath, d), opts)
            )
            gofiles = [
                os.path.normpath(os.path.join(dirpath, f))
                for f in filenames
                if f.endswith(".go")
                and (opts.include_tests or not f.endswith("_test.go"))
                and not _excluded(os.path.join(dirpath, f), opts)
            ]
            if gofiles:
                directory = os.path.normpath(dirpath)
                by_dir.setdefault(directory, set()).update(gofiles)
                if any(is_test_support_dir(part) for part in Path(os.path.relpath(dirpath, root)).parts):
                    support.add(directory)
    return [PackageUnit(d, tuple(sorted(fs)), d in support) for d, fs in sorted(by_dir.items())]


def _raise_walk_error(err: OSError) -> None:
    raise InputError(f"{err.filename}: {err.strerror.lower() if err.strerror else err}")


def display_path(path: str) -> str:
    """Paths relative to the working directory when below it, as linters print them.

    Compared as text against the working directory and its resolved form, without
    resolving every file (a symlink per file would cost a syscall per path component)."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    cwd = os.getcwd()
    for base in (cwd, _resolved(cwd)):
        if path.startswith(base.rstrip(os.sep) + os.sep):
            return Path(os.path.relpath(path, base)).as_posix()
    return path


@functools.lru_cache(maxsize=8)
def _resolved(directory: str) -> str:
    return str(Path(directory).resolve())
