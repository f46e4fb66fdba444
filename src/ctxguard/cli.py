"""The `ctxguard` command line. Subcommands stay thin: they parse flags and call the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from ctxguard import __version__
from ctxguard.lint.discovery import Discovery, InputError, discover
from ctxguard.lint.engine import lint as run_lint
from ctxguard.report import FORMATS
from ctxguard.rules import ALL_RULES, BY_CODE, select_rules, unknown_selectors

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"ctxguard: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr, only when stderr is a terminal; yields `advance(n)`."""
    if not enabled or total == 0 or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("linting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("files", total=total)
        yield lambda n: bar.advance(task, n)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctxguard")
def main() -> None:
    """Find and govern context and goroutine leaks in Go services."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes, prefixes (CG1) or names to run; comma-separated.")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names to skip; comma-separated.")
@click.option("--exclude", multiple=True, help="Glob (relative path) to skip below the given paths; repeatable.")
@click.option("--include-vendor", is_flag=True, help="Also lint vendor/ directories.")
@click.option("--include-testdata", is_flag=True, help="Also lint testdata/ directories.")
@click.option("--include-generated", is_flag=True, help="Also lint files marked '// Code generated ... DO NOT EDIT.'.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
def lint(
    paths: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    include_vendor: bool,
    include_testdata: bool,
    include_generated: bool,
    jobs: int | None,
    no_progress: bool,
    exit_zero: bool,
) -> None:
    """Lint Go source for context and goroutine leaks.

    PATHS are files, directories (linted recursively) or Go patterns such as
    ./... and ./pkg/... (default: the current directory). Exit status: 0 no
    findings, 1 findings, 2 usage or input error.
    """
    sel, ign = _split(select), _split(ignore)
    bad = unknown_selectors(sel + ign)
    if bad:
        _fail(f"unknown rule selector: {', '.join(bad)} (see `ctxguard rules`)")
    rules = select_rules(sel or None, ign or None)
    opts = Discovery(include_vendor, include_testdata, include_generated, tuple(exclude))
    try:
        units = discover(list(paths), opts)
    except InputError as e:
        _fail(str(e))
    total = sum(len(u.files) for u in units)
    with _progress(total, not no_progress) as advance:
        result = run_lint(units, rules, jobs=jobs, include_generated=include_generated, on_progress=advance)
    color = output_file is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = FORMATS[fmt](result, rules, color)
    if output_file:
        try:
            with open(output_file, "w", encoding="utf-8") as fh:
                fh.write(report)
        except OSError as e:
            _fail(f"{output_file}: cannot write: {e.strerror or e}")
    else:
        click.echo(report, nl=False)
    for err in result.errors:
        click.echo(f"ctxguard: error: {err}", err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.findings and not exit_zero else EXIT_CLEAN)


@main.command("rules")
def rules_cmd() -> None:
    """List the rules."""
    for r in ALL_RULES:
        click.echo(f"{r.code}  {r.name:<26} {r.severity.value:<8} {r.summary}")


@main.command("rule")
@click.argument("code")
def rule_cmd(code: str) -> None:
    """Print a rule's documentation (by code or name)."""
    rule = BY_CODE.get(code.upper()) or next((r for r in ALL_RULES if r.name == code.lower()), None)
    if rule is None:
        _fail(f"unknown rule {code!r} (see `ctxguard rules`)")
        return
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.summary}. Severity: {rule.severity.value}.\n\n{rule.doc}")
