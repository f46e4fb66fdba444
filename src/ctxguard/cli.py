"""The `ctxguard` command line. Subcommands stay thin: they parse flags and call the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from ctxguard import __version__
from ctxguard.cli_watch import COMMANDS as WATCH_COMMANDS
from ctxguard.lint.baseline import BaselineError
from ctxguard.lint.baseline import filter_new as filter_baseline
from ctxguard.lint.baseline import write as write_baseline_file
from ctxguard.lint.cache import Cache
from ctxguard.lint.cache import default_dir as default_cache_dir
from ctxguard.lint.changed import RevisionError, changed_since, keep_changed
from ctxguard.lint.config import ConfigError, LintConfig
from ctxguard.lint.config import load as load_config
from ctxguard.lint.discovery import Discovery, InputError, discover
from ctxguard.lint.engine import LintResult
from ctxguard.lint.fixes import plan_fixes
from ctxguard.lint.run import lint as run_lint
from ctxguard.lint.shortlived import CodeScope
from ctxguard.report import FORMATS
from ctxguard.report.statistics import render as render_statistics
from ctxguard.rules import ALL_RULES, BY_CODE, select_rules, unknown_selectors
from ctxguard.rules.docs import rule_page, write_rule_docs

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"ctxguard: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _color(output_file: str | None) -> bool:
    return output_file is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output_file: str | None) -> None:
    """The report to stdout, or to a file (a write error is a one-line error)."""
    if not output_file:
        click.echo(text, nl=False)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        _fail(f"{output_file}: cannot write: {e.strerror or e}")


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
        TextColumn("working"),
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
@click.option(
    "-f", "--format", "--output-format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True
)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option(
    "--select",
    multiple=True,
    help="Rule codes, prefixes (CG1), names or ALL to run, instead of the default rules; comma-separated. "
    "An opt-in rule is selected by its code, its name or ALL, never by a prefix.",
)
@click.option("--extend-select", multiple=True, help="Rules to run on top of the selected (or default) ones.")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names to skip; comma-separated.")
@click.option("--exclude", multiple=True, help="Glob (relative path) to skip below the given paths; repeatable.")
@click.option("--include-vendor", is_flag=True, help="Also lint vendor/, third_party/ and Godeps/ directories.")
@click.option("--include-testdata", is_flag=True, help="Also lint testdata/ directories.")
@click.option("--include-examples", is_flag=True, help="Also lint examples/ directories.")
@click.option(
    "--include-tests",
    is_flag=True,
    help="Also report the default rules' findings in test code: _test.go files, other files importing "
    "testing, and test support directories such as testutil/ and e2e/ (test-only rules such as CG205 "
    "always read them).",
)
@click.option(
    "--include-commands",
    is_flag=True,
    help="Also report the default rules' findings in the commands of command-line tools: packages below "
    "cmd/, command(s)/ or tool(s)/ that import a CLI framework (cobra, urfave/cli, kingpin...) and serve "
    "nothing; a leak there ends with the command.",
)
@click.option(
    "--include-migrations",
    is_flag=True,
    help="Also report the default rules' findings in schema migrations: packages in a directory named "
    "for them that import a migration framework (goose, golang-migrate, gormigrate...); each runs once, "
    "and a shipped migration is never edited.",
)
@click.option("--include-generated", is_flag=True, help="Also lint files marked '// Code generated ... DO NOT EDIT.'.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (each verified by re-parsing and re-linting).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the safe fixes as a unified diff; change nothing.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not recorded in this file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record every current finding here and exit.")
@click.option("--new-from-rev", metavar="REV", help="Report only findings on lines changed since this git revision.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Result cache (default: ~/.cache/ctxguard).")
@click.option("--no-cache", is_flag=True, help="Analyse every file, neither reading nor writing the cache.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
def lint(
    paths: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    config_file: str | None,
    isolated: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    include_vendor: bool,
    include_testdata: bool,
    include_examples: bool,
    include_tests: bool,
    include_commands: bool,
    include_migrations: bool,
    include_generated: bool,
    fix: bool,
    show_diff: bool,
    baseline: str | None,
    write_baseline: str | None,
    new_from_rev: str | None,
    statistics: bool,
    cache_dir: str | None,
    no_cache: bool,
    jobs: int | None,
    no_progress: bool,
    exit_zero: bool,
) -> None:
    """Lint Go source for context and goroutine leaks.

    PATHS are files, directories (linted recursively) or Go patterns such as
    ./... and ./pkg/... (default: the current directory). Settings come from
    the nearest .ctxguard.toml or [tool.ctxguard.lint] in pyproject.toml;
    flags override them. Without --select, the default rules run; opt-in
    rules (see `ctxguard rules`) run when selected by code, name or ALL.
    Exit status: 0 no findings, 1 findings, 2 usage or input error.
    """
    try:
        cfg = LintConfig() if isolated else load_config(config_file)
    except ConfigError as e:
        _fail(str(e))
    sel, ext, ign = _split(select), _split(extend_select), _split(ignore)
    bad = unknown_selectors(sel + ext + ign)
    if bad:
        _fail(f"unknown rule selector: {', '.join(bad)} (see `ctxguard rules`)")
    if fix and show_diff:
        _fail("--fix and --diff cannot be combined: --diff only shows what --fix would write")
    # no select anywhere: the default rules; extend-select adds to either (opt-in rules included)
    chosen = sel or (list(cfg.select) if cfg.select is not None else None)
    rules = select_rules(chosen, [*cfg.ignore, *ign], extend=[*cfg.extend_select, *ext])
    include_generated = include_generated or cfg.include_generated
    # test code is left out by default (a leak in a test ends with the test binary), except for
    # rules about test code itself; so are the commands of command-line tools (lint.shortlived)
    include_tests = include_tests or cfg.include_tests
    opts = Discovery(
        include_vendor or cfg.include_vendor,
        include_testdata or cfg.include_testdata,
        include_generated,
        (*exclude, *cfg.exclude_patterns()),
        include_tests=include_tests or any(r.tests for r in rules),
        include_examples=include_examples or cfg.include_examples,
    )
    try:
        units = discover(list(paths), opts)
        if not opts.include_tests:  # nothing would run on test support directories: not read at all
            units = [u for u in units if not u.test_support]
        changed = changed_since(new_from_rev) if new_from_rev else None
    except (InputError, RevisionError) as e:
        _fail(str(e))
    cache = None if no_cache else Cache(Path(cache_dir) if cache_dir else default_cache_dir())

    def run() -> LintResult:
        total = sum(len(u.files) for u in units)
        with _progress(total, not no_progress) as advance:
            result = run_lint(
                units,
                rules,
                jobs=jobs,
                include_generated=include_generated,
                on_progress=advance,
                options=cfg.options,
                cache=cache,
                scope=CodeScope(
                    tests=include_tests,
                    commands=include_commands or cfg.include_commands,
                    migrations=include_migrations or cfg.include_migrations,
                ),
            )
        if cfg.per_file_ignores:
            kept = tuple(f for f in result.findings if f.code not in cfg.ignored_for(f.path))
            result = replace(result, findings=kept)
        return result

    result = run()
    if write_baseline:
        if result.errors:  # a baseline missing an unreadable file's findings would hide them later
            for err in result.errors:
                click.echo(f"ctxguard: error: {err}", err=True)
            _fail(f"{write_baseline}: not written: some files could not be analysed")
        try:
            n = write_baseline_file(Path(write_baseline), result.findings)
        except BaselineError as e:
            _fail(str(e))
        click.echo(f"Wrote {n} finding{'s' if n != 1 else ''} to the baseline {write_baseline}.", err=True)
        sys.exit(EXIT_CLEAN)

    def narrow(result: LintResult) -> tuple[LintResult, int]:
        """Findings not in the baseline, then only those on changed lines; and the stale entries."""
        stale = 0
        if baseline:
            try:
                linted = [p for u in units for p in u.files]
                filtered = filter_baseline(Path(baseline), result.findings, [r.code for r in rules], linted)
            except BaselineError as e:
                _fail(str(e))
            result, stale = replace(result, findings=filtered.new), filtered.stale
        if changed is not None:
            result = replace(result, findings=keep_changed(result.findings, changed))
        return result, stale

    result, stale = narrow(result)
    if fix or show_diff:  # only what would be reported is fixed: not baselined or unchanged lines
        plans = plan_fixes(result.findings, units, include_generated, cfg.options)
        applied = sum(len(p.applied) for p in plans)
        if show_diff:
            _emit("".join(p.diff() for p in plans if p.applied), output_file)
            click.echo(f"{applied} fix{'es' if applied != 1 else ''} would be applied.", err=True)
            sys.exit(EXIT_FINDINGS if applied and not exit_zero else EXIT_CLEAN)
        for p in plans:
            if p.applied:
                try:
                    p.write()
                except OSError as e:
                    _fail(f"{p.path}: cannot write the fix: {e.strerror or e}")
        rejected = sum(len(p.rejected) for p in plans)
        note = f"Fixed {applied} finding{'s' if applied != 1 else ''}"
        click.echo(note + (f"; {rejected} fix(es) did not verify and were not applied." if rejected else "."), err=True)
        if applied:
            if new_from_rev:
                changed = changed_since(new_from_rev)  # the fixes changed lines too
            result, stale = narrow(run())  # what is left, at its new positions
    if stale:
        click.echo(
            f"ctxguard: {stale} baseline entr{'ies' if stale != 1 else 'y'} no longer found (fixed?); "
            f"refresh it with --write-baseline {baseline}",
            err=True,
        )
    if statistics:
        _emit(render_statistics(result, fmt == "json"), output_file)
    else:
        _emit(FORMATS[fmt](result, rules, _color(output_file)), output_file)
    for err in result.errors:
        click.echo(f"ctxguard: error: {err}", err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.findings and not exit_zero else EXIT_CLEAN)


@main.command("rules")
@click.option("--write-docs", type=click.Path(file_okay=False), help="Write one Markdown page per rule here.")
def rules_cmd(write_docs: str | None) -> None:
    """List the rules (or render their documentation pages).

    The fourth column is the rule's tier: `default` rules run unless ignored; `opt-in` rules (style,
    test hygiene) run only when selected by their code or name (--select, --extend-select,
    extend-select in the configuration) or by ALL.
    """
    if write_docs:
        try:
            written = write_rule_docs(Path(write_docs))
        except OSError as e:
            _fail(f"{write_docs}: cannot write: {e.strerror or e}")
        click.echo(f"Wrote {len(written)} pages to {write_docs}.", err=True)
        return
    for r in ALL_RULES:
        tier = "default" if r.default else "opt-in"
        click.echo(f"{r.code}  {r.name:<26} {r.severity.value:<8} {tier:<8} {r.summary}")


@main.command("rule")
@click.argument("code")
def rule_cmd(code: str) -> None:
    """Print a rule's documentation (by code or name)."""
    rule = BY_CODE.get(code.upper()) or next((r for r in ALL_RULES if r.name == code.lower()), None)
    if rule is None:
        _fail(f"unknown rule {code!r} (see `ctxguard rules`)")
        return
    click.echo(rule_page(rule), nl=False)


def _profile_inputs(paths: tuple[str, ...]) -> list[str]:
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            inside = sorted(
                os.path.join(p, f) for f in os.listdir(p) if not f.startswith(".") and not f.endswith(".part")
            )
            if not inside:
                _fail(f"{p}: empty directory")
            files.extend(f for f in inside if os.path.isfile(f))
        elif not os.path.exists(p):
            _fail(f"{p}: no such file or directory")
        else:
            files.append(p)
    return files


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--threshold", type=float, default=None, help="Report suspects scoring at least this (default 40).")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False),
    help="Go checkout to map suspects to, with the lint findings in each suspect's function.",
)
@click.option(
    "--similarity",
    type=click.Choice(["exact", "function", "location"]),
    default="exact",
    show_default=True,
    help="Group stacks by functions and lines, by functions only, or by the program frame they wait in.",
)
def profile(
    inputs: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    threshold: float | None,
    source: str | None,
    similarity: str,
) -> None:
    """Analyse goroutine dumps, pprof profiles and schedtrace output.

    INPUTS are files or directories (a directory written by `ctxguard capture`
    is a series). Formats are detected from the content: debug=2 dumps, panic and
    SIGQUIT output, debug=1 profiles, pprof protobuf (gzip or raw), schedtrace.
    """
    from ctxguard.analysis.report import analyse, to_json, to_text
    from ctxguard.analysis.suspects import REPORT_THRESHOLD
    from ctxguard.runtime.load import InputError, load_file

    snaps = []
    for path in _profile_inputs(inputs):
        try:
            snaps.append(load_file(path))
        except InputError as e:
            _fail(str(e))
    report = analyse(snaps, REPORT_THRESHOLD if threshold is None else threshold, source=source, similarity=similarity)
    if fmt == "html":
        from ctxguard.analysis.html_report import render

        _emit(render(report), output_file)
    else:
        _emit(to_json(report) if fmt == "json" else to_text(report, _color(output_file)), output_file)


@main.command()
@click.argument("url")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the captures.")
@click.option("--every", default="30s", show_default=True, help="Time between rounds (500ms, 30s, 2m).")
@click.option("--count", default=10, show_default=True, type=click.IntRange(min=1), help="Number of rounds.")
@click.option("--timeout", default="30s", show_default=True, help="Per-request timeout.")
@click.option("--retries", default=2, show_default=True, type=click.IntRange(min=0))
@click.option(
    "--dumps",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Rounds that also take goroutine?debug=2 (IDs, states, waits), spread from first to last.",
)
@click.option(
    "--trace",
    "trace",
    default=None,
    help="Also record an execution trace this long (e.g. 2s) on the last round: goroutines created and "
    "never ended, lifetimes. Costly on a busy service (a few percent CPU, MB/s of output): keep it short.",
)
def capture(
    url: str, out_dir: str, every: str, count: int, timeout: str, retries: int, dumps: int, trace: str | None
) -> None:
    """Capture a series from a running service's net/http/pprof (URL: http://host:port).

    Every round pulls goroutine?debug=1 and heap (after a forced GC). --dumps rounds,
    the first and the last among them, also pull goroutine?debug=2, whose goroutine
    IDs show which goroutines stay parked: it stops the world while it writes (capped
    at 64 MB by Go), so it is taken sparingly. A verdict needs at least 4 rounds and 2
    dumps. Analyse the directory with `ctxguard profile DIR`.
    """
    from pathlib import Path

    from ctxguard.runtime.capture import Capture, CaptureError, parse_duration, run

    try:
        c = Capture(
            url,
            Path(out_dir),
            parse_duration(every),
            count,
            parse_duration(timeout),
            retries,
            dumps,
            parse_duration(trace) if trace else 0.0,
        )
    except ValueError as e:
        _fail(str(e))
        return
    with _progress(count, True) as advance:
        try:
            written = run(c, on_round=lambda _: advance(1))
        except CaptureError as e:
            _fail(str(e))
            return
        except OSError as e:
            _fail(f"{out_dir}: {e.strerror or e}")
            return
    click.echo(f"captured {len(written)} files in {out_dir}")


for _command in WATCH_COMMANDS:
    main.add_command(_command)
