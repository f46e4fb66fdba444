"""The context census of ctxguard's Go module: decoded as the contract says, bad input a one-line
error, and judged over a series: contexts over the max age piling up at a site are a leak, those of
work in flight are not, lost cancels are a suspect, one census only a lead."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ctxguard.analysis.report import analyse, to_json
from ctxguard.runtime.load import InputError, load_file

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def site(line: int, live: int, old: int = 0, lost: int = 0, kind: str = "WithCancel", **kw: Any) -> dict[str, Any]:
    return {
        "function": kw.get("function", "main.handler"),
        "file": kw.get("file", "/src/svc/main.go"),
        "line": line,
        "kind": kind,
        "created": kw.get("created", live + 1000),
        "cancelled": kw.get("cancelled", 1000 - lost),
        "collected_uncancelled": lost,
        "live": live,
        "over_max_age": old,
        "oldest_age_s": kw.get("oldest", 90.5 if old else 0.2),
    }


def census(at: datetime, sites: list[dict[str, Any]], rate: float = 1.0) -> dict[str, Any]:
    return {
        "ctxguard_contexts": 1,
        "time": at.strftime("%Y-%m-%dT%H:%M:%S.123456789Z"),
        "go_version": "go1.26.0",
        "sample_rate": rate,
        "max_age_s": 60,
        "sites": sites,
    }


def write(tmp_path: Path, docs: list[dict[str, Any]]) -> list[Path]:
    out = []
    for i, d in enumerate(docs):
        p = tmp_path / f"{i:03d}-contexts.json"
        p.write_text(json.dumps(d))
        out.append(p)
    return out


def test_decoded_as_the_contract_says(tmp_path: Path) -> None:
    (p,) = write(tmp_path, [census(T0, [site(10, 3), site(42, 50, old=40, lost=2)], rate=0.5)])
    snap = load_file(str(p))
    assert snap.format == "contexts" and snap.time == T0.replace(microsecond=123456)
    c = snap.contexts
    assert c is not None and c.sample_rate == 0.5 and c.max_age_s == 60 and c.go_version == "go1.26.0"
    assert [s.line for s in c.sites] == [42, 10]  # most live first
    assert c.sites[0].over_max_age == 40 and c.sites[0].collected_uncancelled == 2 and c.scaled(50) == 100


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"ctxguard_contexts": 2, "sites": []}', "not a version 1 context census"),
        ('{"ctxguard_contexts": 1, "sample_rate": 0, "max_age_s": 60, "sites": []}', "sample_rate must be in"),
        ('{"ctxguard_contexts": 1, "sample_rate": 1, "max_age_s": 60, "sites": {}}', "sites: expected a list"),
        (
            '{"ctxguard_contexts": 1, "sample_rate": 1, "max_age_s": 60, "sites": [{"function": "f"}]}',
            "sites[0].file: expected a string",
        ),
        ('{"ctxguard_contexts": 1, "sample_rate": 1, "max_age_s": 60, "time": "noon", "sites": []}', "time: not"),
        ('{"ctxguard_contexts": 1, "sample_rate": 1, ', "not valid JSON"),
    ],
)
def test_bad_census_is_a_one_line_error(tmp_path: Path, doc: str, message: str) -> None:
    p = tmp_path / "c.json"
    p.write_text(doc)
    with pytest.raises(InputError) as e:
        load_file(str(p))
    assert message in str(e.value) and str(e.value).startswith(str(p)) and "\n" not in str(e.value)


def _series(tmp_path: Path, per_census: list[list[dict[str, Any]]]) -> dict[str, Any]:
    docs = [census(T0 + timedelta(seconds=30 * i), s) for i, s in enumerate(per_census)]
    report = analyse([load_file(str(p)) for p in write(tmp_path, docs)])
    return json.loads(to_json(report))  # type: ignore[no-any-return]


def test_contexts_over_max_age_piling_up_are_a_leak_at_their_line(tmp_path: Path) -> None:
    doc = _series(tmp_path, [[site(13, 20 + 30 * i, old=30 * i), site(20, 15)] for i in range(8)])
    top = doc["suspects"][0]
    assert top["level"] == "leaking" and top["location"]["line"] == 13, top
    assert any("older than 60 s" in r for r in top["reasons"])
    assert doc["contexts"]["sites"][0]["line"] == 13 and doc["contexts"]["max_age_s"] == 60
    assert all(s["location"]["line"] != 20 for s in doc["suspects"])  # in flight: younger than the max age


def test_work_in_flight_is_never_evidence(tmp_path: Path) -> None:
    # load rising: many live contexts, all younger than the max age, all cancelled in the end
    doc = _series(tmp_path, [[site(13, 50 + 100 * i)] for i in range(8)])
    assert doc["suspects"] == [] and doc["contexts"]["sites"][0]["live"] == 750


def test_lost_cancels_are_a_suspect(tmp_path: Path) -> None:
    doc = _series(tmp_path, [[site(7, 4, lost=10 * i, kind="WithTimeout")] for i in range(5)])
    top = doc["suspects"][0]
    assert top["level"] == "suspect" and top["location"]["line"] == 7
    assert any("40 garbage-collected with their cancel never called" in r for r in top["reasons"]), top


def test_one_census_is_a_lead(tmp_path: Path) -> None:
    doc = _series(tmp_path, [[site(13, 500, old=450)]])
    assert doc["suspects"][0]["level"] == "lead" and doc["verdict"]["verdict"] != "leaking"


def test_html_report_plots_and_escapes_the_census(tmp_path: Path) -> None:
    from ctxguard.analysis.html_report import render

    sites = [[site(13, 20 + 30 * i, old=30 * i, function="main.<script>alert(1)</script>")] for i in range(5)]
    docs = [census(T0 + timedelta(seconds=30 * i), s) for i, s in enumerate(sites)]
    page = render(analyse([load_file(str(p)) for p in write(tmp_path, docs)]))
    assert "Contexts older than 60 s per creation site" in page and "<polyline" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_few_slow_requests_are_not_a_suspect(tmp_path: Path) -> None:
    # a request or two crossing the max age between censuses (a long poll, a slow client)
    assert _series(tmp_path, [[site(13, 3, old=o)] for o in (0, 1, 2)])["suspects"] == []


def test_sampled_counts_are_judged_where_the_sampling_noise_is(tmp_path: Path) -> None:
    # 1% sampled: tracked 0,0,1,1,1,2 is about 200 contexts, but two tracked ones prove nothing
    docs = [
        census(T0 + timedelta(seconds=30 * i), [site(13, o, old=o)], rate=0.01)
        for i, o in enumerate([0, 0, 1, 1, 1, 2])
    ]
    report = json.loads(to_json(analyse([load_file(str(p)) for p in write(tmp_path, docs)])))
    assert all(s["level"] not in ("leaking", "suspect") for s in report["suspects"]), report["suspects"]


def test_one_line_with_several_sites_is_one_site(tmp_path: Path) -> None:
    # the Go side keys sites by program counter: a line inlined into two callers comes twice
    doc = _series(tmp_path, [[site(13, 30 * i + 5, old=30 * i), site(13, 1)] for i in range(6)])
    assert [s["line"] for s in doc["contexts"]["sites"]] == [13] and doc["suspects"][0]["level"] == "leaking"


def test_a_restart_is_not_lost_cancels(tmp_path: Path) -> None:
    # the process restarted between the censuses: its cumulative counts start again from zero
    before = site(7, 4, lost=50, created=5000)
    after = site(7, 4, lost=0, created=20)
    assert _series(tmp_path, [[before], [before], [after], [after]])["suspects"] == []
