"""ctxguard capture + profile on running services under steady load, two ways (70 s at a 5 s
interval; 4 s at a 1 s interval), as an SRE would take them:

- every leaky twin of the leak lab is `leaking` (at least `suspect` in the short regimen),
  its top suspect at the trap's line, its evidence naming survivors or the trend;
- every fixed twin, and every service of the healthy zoo (lab/zoo: idle pools, ticker loops,
  idle keep-alive connections, long polls, a pool that scales up once, condition waiters,
  churning in-flight requests), is `healthy` or `insufficient-data`, with no suspect at or
  above the reporting threshold.

All services of one regimen run, and are captured, at the same time: the long regimen costs
its 70 s once, not once per service.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_lab import TRAPS

from conftest import Service, kill_group
from ctxguard.analysis.report import RuntimeReport, analyse
from ctxguard.analysis.suspects import REPORT_THRESHOLD
from ctxguard.runtime.capture import Capture, run
from ctxguard.runtime.load import load_file

pytestmark = pytest.mark.lab

LAB = Path(__file__).resolve().parents[2] / "lab"
WARMUP = 2.0  # seconds of load before the first capture round


@dataclass(frozen=True)
class Regimen:
    every: float  # seconds between capture rounds
    count: int  # rounds
    rate: str  # requests per second on every leak-lab twin
    batch: int  # services run and captured at once (two cores: more starve each other)


# the short regimen's twins get more load: 4 s must see 100 leaked contexts to judge the heap
REGIMENS = {"70s-every-5s": Regimen(5.0, 15, "20", 13), "4s-every-1s": Regimen(1.0, 5, "50", 8)}


@dataclass(frozen=True)
class Subject:
    label: str
    binary: str
    variant: str
    flags: tuple[str, ...]
    loads: tuple[tuple[str, ...], ...]  # loadgen arguments; {addr} becomes http://127.0.0.1:PORT
    leaky: bool
    leak_file: str = ""  # the leaky twin's file the top suspect must pass through
    leak_line: int | None = None  # ... and the line it must sit at (None: anywhere in that file)
    late: bool = False  # the load starts after the first capture round, not before it


# the line the top suspect must point at: where goroutines park, or where leaked contexts
# are allocated (cancelmw, ctxvalue and ctxloop park none)
LEAK_LINES = {
    "timeoutworker": 38,
    "orphansend": 21,
    "cancelmw": 13,
    "ctxvalue": None,
    "deferctx": None,
    "ctxloop": None,
    "reqcut": None,
    "grpccut": None,
}
# slow downstreams stay slow for the whole window: the leak must not drain while we watch
SLOW = {"reqcut": ("-pricing-delay", "1h", "-db-delay", "300ms"), "grpccut": ("-inventory-delay", "1h")}
# the static rule whose finding sits in the suspect's function (checked through --source)
STATIC_WHY = {"timeoutworker": "CG104", "orphansend": "CG105", "cancelmw": "CG101"}


def _twins(rate: str) -> list[Subject]:
    out = []
    for trap in TRAPS:
        load = ["-url", "{addr}" + trap.path, "-rate", rate, "-timeout", trap.timeout, "-method", trap.method]
        if trap.body:
            load += ["-body", trap.body]
        for variant in ("leaky", "fixed"):
            out.append(
                Subject(
                    f"{trap.name}/{variant}",
                    trap.name,
                    variant,
                    SLOW.get(trap.name, ()),
                    (tuple(load),),
                    variant == "leaky",
                    f"{trap.name}/leaky.go",
                    LEAK_LINES[trap.name],
                )
            )
    return out


def _zoo(step_at: float) -> list[Subject]:
    """The healthy zoo's services with their steady loads (lab/README.md, "The healthy zoo");
    the scaling pool gets a load step in the middle of the capture window."""

    def rate(path: str, r: str, *extra: str) -> tuple[str, ...]:
        return ("-url", "{addr}" + path, "-rate", r, "-timeout", "2s", *extra)

    loads: dict[str, tuple[tuple[str, ...], ...]] = {
        "pool": (rate("/work?n={i}", "50"),),
        "tickers": (rate("/status", "10"),),
        "keepalive": (rate("/ping", "20", "-idle-conns", "40"),),
        "longpoll": (("-url", "{addr}/poll", "-c", "20", "-timeout", "15s"),),
        "scaling": (rate("/work?n={i}", "50", "-step-at", f"{step_at:.0f}s", "-step-rate", "300"),),
        "cond": (rate("/notify", "5", "-method", "POST"),),
        "inflight": (rate("/work", "45"),),
    }
    mixed = tuple(
        tuple(a.replace("{addr}", "{addr}/" + name) if a.startswith("{addr}") else a for a in args)
        for name in ("pool", "tickers", "keepalive", "longpoll", "cond", "inflight")
        for args in loads[name]
    )
    services = [Subject(f"zoo/{name}", "zoo", "fixed", ("-service", name), load, False) for name, load in loads.items()]
    return [
        *services,
        Subject("zoo/mixed", "zoo", "fixed", ("-service", "mixed"), mixed, False),
        # the false alarm: the load arrives after the first snapshot ("grew from 1 to 24")
        Subject("zoo/mixed-late", "zoo", "fixed", ("-service", "mixed"), mixed, False, late=True),
    ]


def subjects(regimen: str) -> list[Subject]:
    r = REGIMENS[regimen]
    return _twins(r.rate) + _zoo(WARMUP + r.every * (r.count - 1) / 2)


@dataclass
class Outcome:
    report: RuntimeReport | None = None
    error: str = ""


def _watch(svc: Service, out: Path, every: float, count: int, source: str | None, into: Outcome) -> None:
    try:
        files = run(Capture(svc.addr, out, every_s=every, count=count, timeout_s=15, retries=1, dumps=3))
        into.report = analyse([load_file(str(p)) for p in files], source=source)
    except Exception as e:  # reported with the subject's name below
        into.error = f"{type(e).__name__}: {e}"


def _regimen(name: str, start_service, lab_bin: Path, tmp_path: Path) -> dict[str, Outcome]:
    r = REGIMENS[name]
    subs = subjects(name)
    outcomes: dict[str, Outcome] = {}
    for i in range(0, len(subs), r.batch):
        outcomes |= _batch(subs[i : i + r.batch], r, start_service, lab_bin, tmp_path)
    return outcomes


def _batch(subs: list[Subject], r: Regimen, start_service, lab_bin: Path, tmp_path: Path) -> dict[str, Outcome]:
    """Start the services, their steady loads, warm up, capture them all at once, analyse."""
    window = r.every * (r.count - 1) + WARMUP + 10
    services = {s.label: start_service(s.binary, s.variant, *s.flags) for s in subs}
    loads: list[subprocess.Popen] = []
    lock = threading.Lock()

    def start_loads(s: Subject) -> None:
        addr = services[s.label].addr
        for args in s.loads:
            argv = [str(lab_bin / "loadgen"), *(a.replace("{addr}", addr) for a in args)]
            proc = subprocess.Popen(
                [*argv, "-duration", f"{window:.0f}s"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            with lock:
                loads.append(proc)

    late = [threading.Timer(WARMUP + r.every * 1.5, start_loads, (s,)) for s in subs if s.late]
    try:
        for s in subs:
            if not s.late:
                start_loads(s)
        for t in late:
            t.start()
        time.sleep(WARMUP)
        outcomes = {s.label: Outcome() for s in subs}
        source = {s.label: str(LAB) if s.leaky else None for s in subs}
        threads = [
            threading.Thread(
                target=_watch,
                args=(services[s.label], tmp_path / s.label, r.every, r.count, source[s.label], outcomes[s.label]),
            )
            for s in subs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=window + 120)
        return outcomes
    finally:
        for t in late:
            t.cancel()
            t.join()
        for p in loads:
            kill_group(p)
        for svc in services.values():
            svc.stop()


def _top(r: RuntimeReport, n: int = 6) -> list[str]:
    return [f"{x.level} {x.score} {x.count}x[{x.state}] {x.location} {x.reasons[1:3]}" for x in r.suspects[:n]]


def _judge(s: Subject, o: Outcome, short: bool) -> str | None:
    """What is wrong with one subject's outcome, or None."""
    if o.report is None:
        return o.error or "no report (capture still running?)"
    r = o.report
    v = r.verdict
    if not s.leaky:
        loud = [x for x in r.suspects if x.score >= REPORT_THRESHOLD]
        if v.verdict not in ("healthy", "insufficient-data") or loud:
            return f"{v.verdict} {list(v.reasons)}; suspects: {[(x.level, x.state, str(x.location)) for x in loud[:3]]}"
        return None
    wanted = ("leaking", "suspect") if short else ("leaking",)
    if v.verdict not in wanted:
        return f"{v.verdict} (wanted {' or '.join(wanted)}): {list(v.reasons)} missing {list(v.missing)}"
    best = r.suspects[0].score if r.suspects else 0
    top = next((x for x in r.suspects if x.score == best and any(f.file.endswith(s.leak_file) for f in x.frames)), None)
    if top is None:
        return f"no top suspect passes through {s.leak_file}: {_top(r)}"
    if s.leak_line is not None and not (
        top.location is not None and top.location.file.endswith(s.leak_file) and top.location.line == s.leak_line
    ):
        return f"top suspect at {top.location}, not {s.leak_file}:{s.leak_line}"
    if top.level not in ("leaking", "suspect"):
        return f"top suspect is a {top.level}"
    evidence = " ".join(top.reasons)
    if not any(word in evidence for word in ("still parked", "arrived", "growing", "Mann-Kendall", "grew")):
        return f"the evidence names neither survivors nor a trend: {top.reasons}"
    trap = s.binary
    if not short and trap in STATIC_WHY:
        link = r.sources.get(top.signature)
        if link is None or STATIC_WHY[trap] not in {f.code for f in link.findings}:
            return f"--source does not show {STATIC_WHY[trap]} beside the suspect: {link}"
    return None


@pytest.mark.serial  # each regimen loads the two cores on its own: run alone, after the rest (Makefile)
@pytest.mark.parametrize("regimen", list(REGIMENS))
def test_verdicts_under_steady_load(regimen: str, start_service, lab_bin: Path, tmp_path: Path, figure) -> None:
    outcomes = _regimen(regimen, start_service, lab_bin, tmp_path)
    short = REGIMENS[regimen].count < 10
    problems = {}
    for s in subjects(regimen):
        o = outcomes[s.label]
        if o.report is not None:
            figure(f"{regimen:<13} {s.label:<22} {o.report.verdict.verdict}")
        why = _judge(s, o, short)
        if why is not None:
            problems[s.label] = why
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
