"""The dashboard over a store (`ctxguard serve`'s app): pages, their JSON, headers, bundles, tokens, escaping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ctxguard.web import bundles
from ctxguard.web.auth import COOKIE, CSP

from .conftest import IMG, LEAK_LINE, PAYLOADS, SCRIPT, TOKEN, Filled, serve_app

LEGACY_TARGET_KEYS = {
    "id",
    "target",
    "labels",
    "up",
    "verdict",
    "last_error",
    "failures",
    "error_kind",
    "extra_error",
    "scrape_seconds",
    "lag_seconds",
    "rounds",
    "errors",
    "snapshots",
    "agent",
}


class Markup(HTMLParser):
    """What the browser would run or style from the markup itself: inline scripts, handlers, style."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        self.inline += [f"{tag} {k}=" for k in names if k.startswith("on") or k == "style"]
        href = dict(attrs).get("href") or ""
        if href.lower().startswith("javascript:"):
            self.inline.append(f"{tag} href=javascript:")


def inline_code(html: str) -> list[str]:
    parser = Markup()
    parser.feed(html)
    return parser.inline


def pages(f: Filled) -> list[str]:
    return [
        "/",
        "/?label=env:prod",
        f"/targets/{f.quote}",
        f"/targets/{f.evil}",
        f"/incidents/{f.incident}",
        "/incidents",
    ]


def test_pages_render_without_inline_script_or_style(client: TestClient, filled: Filled) -> None:
    for url in pages(filled):
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert inline_code(r.text) == [], url  # all script and CSS are in static/: the CSP allows no other
    fleet = client.get("/").text
    assert fleet.count('class="target"') == 3 and "http://quote:6060" in fleet
    assert 'class="verdict v-leaking"' in fleet and 'class="verdict v-healthy"' in fleet


def test_target_page_links_the_source_and_lint_findings(client: TestClient, filled: Filled) -> None:
    html = client.get(f"/targets/{filled.quote}").text
    assert "main.orphanedSender" in html and f"main.go:{LEAK_LINE}" in html
    assert "results &lt;- fmt.Sprintf(&#34;result-%d&#34;, id)" in html  # the source line, escaped
    assert "CG105" in html and "CG101" in html  # the lint findings in each suspect's function
    assert 'data-series="/api/targets/' in html and 'id="plot-goroutines"' in html
    bare = next(serve_app(filled, sources={}))
    assert "CG105" not in bare.get(f"/targets/{filled.quote}").text


def test_incident_page(client: TestClient, filled: Filled) -> None:
    html = client.get(f"/incidents/{filled.incident}").text
    assert f"/work/main/testdata/runtime/gen/leaky/main.go:{LEAK_LINE}" in html
    for event in ("opened", "escalated", "action", "updated", "deadline"):
        assert f"<b>{event}</b>" in html, event
    assert f'href="/incidents/{filled.incident}/bundle/incident.json"' in html
    assert "link.txt" not in html  # a symlink out of the bundle is not listed


def test_json_shapes(client: TestClient, filled: Filled) -> None:
    fleet = client.get("/api/fleet").json()
    assert {"mode", "filter", "labels", "targets", "incidents"} <= fleet.keys() and fleet["mode"] == "serve"
    row = next(t for t in fleet["targets"] if t["id"] == filled.quote)
    assert row.keys() >= LEGACY_TARGET_KEYS and {"url", "incidents", "spark", "last_snapshot_at"} <= row.keys()
    assert row["verdict"] == "leaking" and row["incidents"] == {"L2": 1} and row["up"] is None
    assert len(row["spark"]["t"]) == len(row["spark"]["goroutines"]) == 10
    targets = client.get("/api/targets").json()
    assert [set(t) for t in targets] == [LEGACY_TARGET_KEYS] * 3

    target = client.get(f"/api/targets/{filled.quote}").json()
    assert target["verdict"]["verdict"] == "leaking" and target["checkout"] is True
    sus = next(s for s in target["suspects"] if s["location"]["line"] == LEAK_LINE)
    assert {"score", "level", "count", "reasons", "frames", "survivors", "source", "signature"} <= sus.keys()
    assert sus["source"]["code"].startswith("results <-") and sus["source"]["findings"][0]["code"] == "CG105"
    assert target["series_url"] == f"/api/targets/{filled.quote}/series"

    series = client.get(target["series_url"]).json()
    g, h = series["goroutines"], series["heap"]
    assert len(g["t"]) == len(g["total"]) == 10 and g["total"][-1] == 450
    assert g["stacks"][0]["label"] == f"main.orphanedSender (main.go:{LEAK_LINE})"
    assert all(len(s["counts"]) == 10 for s in g["stacks"])
    assert len(h["t"]) == len(h["inuse_bytes"]) == len(h["context_objects"]) == 4
    assert h["context_objects"][-1] > h["context_objects"][0] and h["sites"][0]["objects"][-1] == 2000

    listed = client.get("/api/incidents?state=open").json()
    assert {i["id"] for i in listed} == {filled.incident, filled.evil_incident}
    one = client.get(f"/api/incidents/{filled.incident}").json()
    assert {"id", "level", "state", "suspect", "evidence", "bundle", "actions"} <= one.keys()
    assert [a["outcome"] for a in one["actions"]] == ["sent", "dry-run"]
    assert [e["event"] for e in one["timeline"]][:3] == ["opened", "action", "escalated"]
    assert {f["name"] for f in one["bundle_files"]} == {"goroutine-debug2.txt", "incident.json", "report.html"}
    assert one["source"]["findings"][0]["code"] == "CG105"


def test_label_filter(client: TestClient, filled: Filled) -> None:
    def ids(query: str) -> set[int]:
        return {t["id"] for t in client.get("/api/fleet" + query).json()["targets"]}

    assert ids("?label=env:prod") == {filled.quote}
    assert ids("?label=env=staging") == {filled.calm}
    assert ids("?label=env") == {filled.quote, filled.calm}
    assert ids("?label=env:prod&label=service:calm") == set()
    html = client.get("/?label=env:prod").text
    assert html.count('class="target"') == 1 and 'value="env:prod"' in html


def test_errors(client: TestClient) -> None:
    assert client.get("/targets/999").status_code == 404
    assert client.get("/api/targets/999").json() == {"error": "no target 999"}
    assert client.get("/api/targets/999/series").status_code == 404
    assert client.get("/incidents/999").status_code == 404
    assert client.get("/api/incidents/abc").status_code == 400
    assert client.get("/api/incidents?state=bogus").status_code == 400
    assert client.get("/incidents?state=bogus").status_code == 400


def test_csp_on_every_response(client: TestClient, guarded: TestClient, filled: Filled) -> None:
    urls = [
        *pages(filled),
        "/api/fleet",
        "/api/targets",
        f"/api/targets/{filled.quote}/series",
        f"/api/incidents/{filled.incident}",
        "/static/dashboard.js",
        "/static/uPlot.min.css",
        f"/incidents/{filled.incident}/bundle/incident.json",
        f"/incidents/{filled.incident}/bundle/nothing",
        "/nowhere",
        "/api/incidents/abc",
    ]
    for c, expect_401 in ((client, False), (guarded, True)):
        for url in urls:
            r = c.get(url)
            assert r.headers.get("content-security-policy") == CSP, (url, r.status_code)
            assert r.headers["x-content-type-options"] == "nosniff"
            assert (r.status_code == 401) == expect_401, (url, r.status_code)


def test_bundle_files_and_traversal(client: TestClient, filled: Filled) -> None:
    base = f"/incidents/{filled.incident}/bundle/"
    ok = client.get(base + "incident.json")
    assert ok.status_code == 200 and ok.content == b'{"id": 1}\n'
    assert ok.headers["content-type"] == "application/octet-stream"
    assert ok.headers["content-disposition"].startswith("attachment")
    report = client.get(base + "report.html")
    assert report.headers["content-type"] == "application/octet-stream"  # never rendered on our origin
    # (the client resolves `..` segments itself: test_serve.py sends them raw to a real server)
    for name in ("..%2Fsecret.txt", "..%2F..%2Fsecret.txt", "%2Fetc%2Fpasswd", "link.txt", ".hidden", "secret.txt"):
        r = client.get(base + name)
        assert r.status_code == 404 and b"do not serve" not in r.content, (name, r.status_code)
    assert client.get(f"/incidents/{filled.evil_incident}/bundle/incident.json").status_code == 404  # no bundle
    assert client.get("/incidents/999/bundle/incident.json").status_code == 404


def test_bundle_outside_the_root_is_not_served(filled: Filled, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "incident.json").write_text("{}")
    root = filled.data_dir / "bundles"
    assert bundles.path_of(str(elsewhere), "incident.json", root) is None
    assert bundles.files(str(elsewhere), root) == []
    assert bundles.path_of(str(elsewhere), "incident.json", None) == elsewhere / "incident.json"


def test_token_required(guarded: TestClient, filled: Filled) -> None:
    for url in ("/", "/api/fleet", f"/targets/{filled.quote}", "/static/dashboard.js", "/api/incidents"):
        r = guarded.get(url)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", url
        assert TOKEN not in r.text
    assert guarded.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert guarded.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert guarded.get("/?token=nope").status_code == 401
    assert "set-cookie" not in guarded.get("/?token=nope").headers

    first = guarded.get(f"/targets/{filled.quote}?token={TOKEN}")
    assert first.status_code == 200
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert TOKEN not in cookie  # an HMAC of the token, not the token
    # the client kept the cookie: later pages and the plots' JSON need nothing else
    assert guarded.get("/").status_code == 200
    assert guarded.get(f"/api/targets/{filled.quote}/series").status_code == 200
    guarded.cookies.set(COOKIE, "forged")
    assert guarded.get("/").status_code == 401


@pytest.mark.parametrize("url", ["/", "/incidents"])
def test_injection_is_escaped(client: TestClient, filled: Filled, url: str) -> None:
    for page in (url, f"/targets/{filled.evil}", f"/incidents/{filled.evil_incident}", f"/incidents/{filled.incident}"):
        html = client.get(page).text
        for payload in PAYLOADS:
            assert payload not in html, (page, payload)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&#34;&gt;&lt;img" in html, page
    # JSON keeps the data as it is (application/json, nosniff: nothing renders it)
    raw = client.get(f"/api/targets/{filled.evil}")
    assert raw.headers["content-type"] == "application/json" and raw.json()["labels"] == {
        "service": SCRIPT,
        "team": IMG,
    }
