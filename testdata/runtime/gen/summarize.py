#!/usr/bin/env python3
"""Count what the runtime fixtures contain and check it against what leaky built.

    python3 gen/summarize.py            # from testdata/runtime: checks every go1.NN/, writes go1.NN/groundtruth.json
    python3 gen/summarize.py --check    # check only, write nothing

A deliberately naive line-based reader (independent of ctxguard's decoders):
for every text goroutine dump it groups goroutines by (status as printed
between the brackets, key function) where the key function is the first frame
in package main (or in the durable test package), else the first frame, and
asserts the user-goroutine counts equal the mix leaky's default flags build
(see README.md). Profiles (.pb.gz) are summarised with `go tool pprof -raw`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = re.compile(
    r"^goroutine (?P<id>\d+)(?P<gpm> gp=0x[0-9a-f]+ m=(?:\d+|nil)(?: mp=0x[0-9a-f]+)?)? "
    r"\[(?P<status>.*)\](?: (?P<labels127>\{.*\}))?:$"
)
CREATED = re.compile(r"^created by (?P<fn>\S+)(?: in goroutine (?P<gid>\d+))?$")
ELIDED = re.compile(r"^\.\.\.(?:(?P<n>\d+) frames|additional frames) elided\.\.\.$")
ORIGIN = re.compile(r"^\[originating from goroutine (\d+)\]:$")
LABELS126 = re.compile(r" labels:(\{.*\})$")


def parse_dump(text: str) -> list[dict]:
    gs: list[dict] = []
    cur: dict | None = None
    in_ancestor = False
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            status = m["status"]
            labels = m["labels127"]
            lm = LABELS126.search(status)
            if lm:
                labels, status = lm.group(1), status[: lm.start()]
            cur = {
                "id": int(m["id"]),
                "gpm": bool(m["gpm"]),
                "status": status,
                "labels": labels,
                "frames": [],
                "created_by": None,
                "creator": None,
                "elided": None,
                "ancestors": 0,
                "unavailable": False,
            }
            gs.append(cur)
            in_ancestor = False
            continue
        if cur is None:
            continue
        if line == "":
            if not in_ancestor:
                cur = None
            continue
        om = ORIGIN.match(line)
        if om:
            in_ancestor = True
            cur["ancestors"] += 1
            continue
        if in_ancestor:
            continue
        if line.startswith("\t"):
            if "goroutine running on other thread; stack unavailable" in line:
                cur["unavailable"] = True
            continue
        cm = CREATED.match(line)
        if cm:
            cur["created_by"], cur["creator"] = cm["fn"], cm["gid"] and int(cm["gid"])
            continue
        em = ELIDED.match(line)
        if em:
            cur["elided"] = line
            continue
        if "(" in line:
            cur["frames"].append(line[: line.rindex("(")] if line.endswith(")") else line.split("(")[0])
        else:  # register dumps and the like end a goroutine
            cur = None
    return gs


def key_function(g: dict) -> str:
    for f in g["frames"]:
        if f.startswith("main.") or f.startswith("ctxguard.test/"):
            return f.replace("ctxguard.test/runtime/gen/durable.", "durable.")
    if g["unavailable"]:
        return "<stack unavailable>"
    return g["frames"][0] if g["frames"] else "<no frames>"


def is_user(g: dict) -> bool:
    return any(f.startswith("main.") or f.startswith("ctxguard.test/") for f in g["frames"]) or (
        g["created_by"] or ""
    ).startswith("main.")


# ---- the mix leaky builds with its default flags ----


def expected_mix(minor: int) -> dict[str, tuple[int, str]]:
    mutex = "semacquire" if minor < 20 else "sync.Mutex.Lock"
    rlock = "semacquire" if minor < 20 else "sync.RWMutex.RLock"
    wg = "semacquire" if minor < 24 else "sync.WaitGroup.Wait"
    return {
        "main.orphanedSender": (20, "chan send"),
        "main.waitForReply": (20, "chan receive"),
        "main.(*Pool).worker": (10, "select"),
        "main.lockedUpdate": (5, mutex),
        "main.readConfig": (2, rlock),
        "main.waitReady": (2, "sync.Cond.Wait"),
        "main.awaitAll": (5, wg),
        "main.pollLoop": (5, "sleep"),
        "main.checkoutWorker": (4, "chan send"),
        "main.auditLog": (4, "chan receive"),
        "main.searchWorker": (2, "select"),
        "main.pinnedWorker": (2, "chan receive, locked to thread"),
        "main.collect[...]": (2, "chan receive"),
        "main.recurse": (1, "chan receive"),
        "main.nilRecv": (1, "chan receive (nil chan)"),
        "main.nilSend": (1, "chan send (nil chan)"),
        "main.blockForever": (1, "select (no cases)"),
        "main.blockingRead": (1, "syscall"),
        "main.startServer.func1": (1, "IO wait"),
    }


LEAKED = {  # what Go's goroutineleak profile (1.26 experiment, 1.27) reports
    "main.orphanedSender": 20,
    "main.waitForReply": 20,
    "main.awaitAll": 5,
    "main.checkoutWorker": 4,
    "main.auditLog": 4,
    "main.pinnedWorker": 2,
    "main.searchWorker": 2,
    "main.collect[...]": 2,
    "main.recurse": 1,
    "main.nilRecv": 1,
    "main.nilSend": 1,
    "main.blockForever": 1,
}
LABELLED = {"main.checkoutWorker": 4, "main.auditLog": 4, "main.searchWorker": 2}
NOT_IN_DEADLOCK = {"main.pollLoop", "main.blockingRead", "main.startServer.func1"}

FULL_DUMPS = {
    "goroutine.debug2.txt",
    "stack_all.txt",
    "ancestors.txt",
    "sigquit.txt",
    "system.txt",
    "crash.txt",
    "panic_all.txt",
    "deadlock.txt",
    "goroutineleak.debug2.txt",
    "goroutine.debug2.tracebacklabels.txt",
    "minutes.txt",
}


def strip_markers(status: str) -> str:
    s = status.replace(" (leaked)", "")
    s = re.sub(r", \d+ minutes", "", s)
    return s


def check_full_dump(path: Path, minor: int, gs: list[dict], problems: list[str]) -> None:
    name = path.name
    mix = expected_mix(minor)
    if name == "deadlock.txt":
        mix = {k: v for k, v in mix.items() if k not in NOT_IN_DEADLOCK}
    got: Counter = Counter()
    states: dict[str, Counter] = {}
    seen: set[int] = set()
    unique = []
    for g in gs:  # crash dumps print a goroutine again in its thread's section
        if g["id"] == 0 or g["id"] not in seen:
            seen.add(g["id"])
            unique.append(g)
    gs = unique
    for g in gs:
        k = key_function(g)
        if k in mix:
            got[k] += 1
            states.setdefault(k, Counter())[strip_markers(g["status"])] += 1
    for fn, (n, state) in mix.items():
        if got[fn] != n:
            problems.append(f"{path}: {fn}: {got[fn]} goroutines, want {n}")
        elif states[fn] != Counter({state: n}):
            problems.append(f"{path}: {fn}: states {dict(states[fn])}, want {state!r}")
    # labels in headers: 1.26 with GODEBUG=tracebacklabels=1, 1.27 (go 1.27 module)
    want_labels = name == "goroutine.debug2.tracebacklabels.txt" or (minor >= 27 and "gomod1.19" not in str(path))
    lab = Counter(key_function(g) for g in gs if g["labels"])
    if want_labels and dict(lab) != LABELLED:
        problems.append(f"{path}: labelled goroutines {dict(lab)}, want {LABELLED}")
    if not want_labels and lab:
        problems.append(f"{path}: unexpected labels {dict(lab)}")
    if name == "goroutineleak.debug2.txt" or (name == "minutes.txt" and minor >= 27):
        leaked = Counter(key_function(g) for g in gs if "(leaked)" in g["status"])
        if dict(leaked) != LEAKED:
            problems.append(f"{path}: leaked {dict(leaked)}, want {LEAKED}")


BUBBLE = {  # durable_test.go: key function -> status (synctest.txt, taken inside the bubble)
    "durable.recvForever": "chan receive (durable), synctest bubble 1",
    "durable.sendForever": "chan send (durable), synctest bubble 1",
    "durable.selectForever": "select (durable), synctest bubble 1",
    "durable.waitGroupForever": "sync.WaitGroup.Wait (durable), synctest bubble 1",
    "durable.sleepForever": "sleep (durable), synctest bubble 1",
    "durable.nilRecvForever": "chan receive (nil chan) (durable), synctest bubble 1",
    "durable.noCasesForever": "select (no cases) (durable), synctest bubble 1",
    "durable.condForever": "sync.Cond.Wait (durable), synctest bubble 1",
    "durable.lockBriefly": "sync.Mutex.Lock, synctest bubble 1",
    "durable.TestBubbleDump.func1": "running, synctest bubble 1",
    "durable.TestBubbleDump": "synctest.Run (durable), synctest bubble 1",
}


def check_synctest(path: Path, gs: list[dict], problems: list[str]) -> None:
    got = {key_function(g): g["status"] for g in gs if "synctest bubble" in g["status"]}
    want = dict(BUBBLE)
    if path.name == "synctest_deadlock.txt":  # after the bubble's main goroutine returned
        for k in ("durable.lockBriefly", "durable.TestBubbleDump.func1", "durable.TestBubbleDump"):
            del want[k]
    # the goroutine inside testing/synctest that runs the test function
    got.pop("testing/synctest.testingSynctestTest", None)
    if got != want:
        problems.append(f"{path}: bubble goroutines {got}, want {want}")


def summarize_dump(path: Path, minor: int, problems: list[str]) -> dict:
    gs = parse_dump(path.read_text())
    groups = Counter((g["status"], key_function(g)) for g in gs)
    user = [g for g in gs if is_user(g)]
    out = {
        "goroutines": len(gs),
        "distinct_ids_excluding_0": len({g["id"] for g in gs if g["id"] != 0}),
        "headers_with_id_0": sum(g["id"] == 0 for g in gs),
        "ids_printed_twice": sorted(i for i, n in Counter(g["id"] for g in gs if g["id"] != 0).items() if n > 1),
        "user_goroutines": len(user),
        "runtime_goroutines": len(gs) - len(user),
        "headers_with_gp_m": sum(g["gpm"] for g in gs),
        "labelled_headers": sum(bool(g["labels"]) for g in gs),
        "elision_lines": sorted({g["elided"] for g in gs if g["elided"]}),
        "created_by_in_goroutine": sum(g["creator"] is not None for g in gs),
        "created_by_without_goroutine": sum(g["created_by"] is not None and g["creator"] is None for g in gs),
        "with_ancestors": sum(g["ancestors"] > 0 for g in gs),
        "ancestor_sections": sum(g["ancestors"] for g in gs),
        "stack_unavailable": sum(g["unavailable"] for g in gs),
        "by_status_and_function": [
            {"status": s, "function": f, "count": n}
            for (s, f), n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
    if path.name in FULL_DUMPS:
        check_full_dump(path, minor, gs, problems)
    if path.name.startswith("synctest"):
        check_synctest(path, gs, problems)
    return out


DEBUG1_REC = re.compile(r"^(\d+) @( 0x[0-9a-f]+)+$")


def summarize_debug1(path: Path) -> dict:
    lines = path.read_text().splitlines()
    total = int(lines[0].rsplit(" ", 1)[1])
    recs = []
    cur = None
    for ln in lines[1:]:
        m = DEBUG1_REC.match(ln)
        if m:
            cur = {"count": int(m.group(1)), "labels": None, "top_main": None, "frames": 0}
            recs.append(cur)
        elif cur and ln.startswith("# labels: "):
            cur["labels"] = ln[len("# labels: ") :]
        elif cur and ln.startswith("#\t"):
            cur["frames"] += 1
            fn = ln.split("\t")[2].rsplit("+", 1)[0]
            if cur["top_main"] is None and fn.startswith("main."):
                cur["top_main"] = fn
    by_fn: Counter = Counter()
    for r in recs:
        by_fn[r["top_main"] or "<runtime/other>"] += r["count"]
    return {
        "header": lines[0],
        "total": total,
        "records": len(recs),
        "sum_of_counts": sum(r["count"] for r in recs),
        "labelled_records": [
            {"labels": r["labels"], "count": r["count"], "function": r["top_main"]} for r in recs if r["labels"]
        ],
        "max_frames_in_a_record": max((r["frames"] for r in recs), default=0),
        "count_by_function": dict(sorted(by_fn.items())),
    }


def pprof_raw(path: Path) -> str:
    return subprocess.run(
        ["go", "tool", "pprof", "-raw", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GOTOOLCHAIN": "local"},
    ).stdout


def parse_locations(raw: str) -> dict[str, list[str]]:
    """location id -> function names, inlined callees first (as pprof -raw prints them)."""
    locs: dict[str, list[str]] = {}
    cur: list[str] | None = None
    for ln in raw.split("\nLocations\n", 1)[1].split("\nMappings\n", 1)[0].splitlines():
        m = re.match(r"^\s+(\d+): 0x[0-9a-f]+ M=\d+ (\S+) ", ln)
        if m:
            cur = locs.setdefault(m.group(1), [])
            cur.append(m.group(2))
            continue
        m = re.match(r"^\s+(\S+) \S+:\d+:\d+ s=\d+$", ln)
        if m and cur is not None:
            cur.append(m.group(1))
    return locs


def summarize_goroutine_pb(path: Path) -> dict:
    raw = pprof_raw(path)
    samples = raw.split("Samples:", 1)[1].split("Locations", 1)[0]
    locs = parse_locations(raw)
    # per sample: "   count: loc loc ..." then optional label lines "      handler:[checkout] ..."
    by_fn: Counter = Counter()
    total = nsamples = labelled = 0
    for m in re.finditer(r"^\s+(\d+): ((?:\d+ ?)+)\n((?:\s+[a-z_]+:\[.*\n)*)", samples, re.M):
        n = int(m.group(1))
        nsamples += 1
        total += n
        if m.group(3).strip():
            labelled += n
        fn = "<runtime/other>"
        names = [f for lid in m.group(2).split() for f in locs.get(lid, []) if f.startswith("main.")]
        if names:
            fn = names[0]
        by_fn[fn] += n
    return {
        "samples": nsamples,
        "goroutines": total,
        "labelled_goroutines": labelled,
        "count_by_function": dict(sorted(by_fn.items())),
    }


def summarize_heap_pb(path: Path) -> dict:
    """inuse/alloc objects per allocating frame for stacks through main.leakCancelCtx / main.leakTimerCtx."""
    raw = pprof_raw(path)
    rest = raw.split("Samples:", 1)[1]
    types = rest.lstrip("\n").splitlines()[0].split()
    samples = rest.split("Locations", 1)[0]
    locs = parse_locations(raw)
    out: dict = {"sample_types": types, "leak_sites": {}}
    for m in re.finditer(r"^\s+((?:\d+ +){3}\d+): ((?:\d+ ?)+)\n", samples, re.M):
        vals = [int(v) for v in m.group(1).split()]
        fns = [f for lid in m.group(2).split() for f in locs.get(lid, [])]
        for leak in ("main.leakCancelCtx", "main.leakTimerCtx"):
            if leak in fns:
                key = f"{leak} <- {fns[0]}"
                agg = out["leak_sites"].setdefault(key, [0, 0, 0, 0])
                for i, v in enumerate(vals):
                    agg[i] += v
    out["leak_sites"] = {k: dict(zip(types, v, strict=True)) for k, v in sorted(out["leak_sites"].items())}
    return out


def summarize_schedtrace(path: Path) -> dict:
    lines = path.read_text().splitlines()
    sched = [ln for ln in lines if ln.startswith("SCHED ")]
    return {
        "sched_lines": len(sched),
        "p_lines": sum(bool(re.match(r"^  P\d+: ", ln)) for ln in lines),
        "m_lines": sum(bool(re.match(r"^  M\d+: ", ln)) for ln in lines),
        "g_lines": sum(bool(re.match(r"^  G\d+: ", ln)) for ln in lines),
        "other_lines": [ln for ln in lines if not (ln.startswith("SCHED ") or re.match(r"^  [PMG]\d+: ", ln))][:5],
        "first": sched[0] if sched else None,
    }


def check_profile_counts(path: Path, minor: int, by_fn: dict, problems: list[str]) -> None:
    """goroutine / goroutineleak profiles (debug=1 text or proto) against the mix."""
    got: Counter = Counter()
    for fn, n in by_fn.items():
        got["main.collect[...]" if fn.startswith("main.collect[") else fn] += n
    if path.name.startswith("goroutineleak"):
        want = dict(LEAKED)
    else:
        want = {fn: n for fn, (n, _) in expected_mix(minor).items()}
    extra = {fn: n for fn, n in got.items() if fn not in want}
    missing = {fn: (got.get(fn, 0), n) for fn, n in want.items() if got.get(fn, 0) != n}
    # the goroutine profile also holds the goroutine that writes it (main.dumpAll...)
    if (
        not path.name.startswith("goroutineleak")
        and sum(extra.values()) == 1
        and all(fn.startswith("main.dumpAll") for fn in extra)
    ):
        extra = {}
    if missing or extra:
        problems.append(f"{path}: profile counts differ: missing/wrong {missing}, unexpected {extra}")


def compact_json(v, indent: int = 0) -> str:
    """JSON with one line per object/list of scalars: short and diffable."""
    pad = " " * (indent + 1)
    if isinstance(v, dict):
        if all(not isinstance(x, (dict, list)) for x in v.values()):
            return json.dumps(v)
        items = [f"{pad}{json.dumps(k)}: {compact_json(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            return json.dumps(v)
        return "[\n" + ",\n".join(pad + compact_json(x, indent + 1) for x in v) + "\n" + " " * indent + "]"
    return json.dumps(v)


def main() -> int:
    check_only = "--check" in sys.argv
    problems: list[str] = []
    for vdir in sorted(ROOT.glob("go1.*"), key=lambda p: int(p.name.split(".")[1])):
        minor = int(vdir.name.split(".")[1])
        summary: dict = {}
        for path in sorted(vdir.rglob("*")):
            rel = str(path.relative_to(vdir))
            if path.is_dir() or path.name in ("RUN.txt", "groundtruth.json"):
                continue
            if path.name in ("goroutine.debug1.txt", "goroutineleak.debug1.txt"):
                summary[rel] = summarize_debug1(path)
                check_profile_counts(path, minor, summary[rel]["count_by_function"], problems)
            elif path.name in ("goroutine.pb.gz", "goroutine.pb", "goroutineleak.pb.gz"):
                summary[rel] = summarize_goroutine_pb(path)
                check_profile_counts(path, minor, summary[rel]["count_by_function"], problems)
            elif path.name.startswith(("heap", "allocs")) and path.name.endswith(".pb.gz"):
                summary[rel] = summarize_heap_pb(path)
            elif path.name in ("schedtrace.txt", "scheddetail.txt"):
                summary[rel] = summarize_schedtrace(path)
            elif path.name.startswith("heap") and path.name.endswith(".debug1.txt"):
                summary[rel] = {"header": path.read_text().splitlines()[0]}
            else:
                summary[rel] = summarize_dump(path, minor, problems)
        if not check_only:
            text = compact_json(summary)
            assert json.loads(text) == summary
            (vdir / "groundtruth.json").write_text(text + "\n")
    for p in problems:
        print("MISMATCH", p)
    print(f"{len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
