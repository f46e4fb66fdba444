"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, over a real `ctxguard watch`
watching a fake fleet (target 0 leaks, target 1 is healthy, target 2 has script in its labels and frames).

The agent requires a token: the browser brings it once as `?token=` and the cookie does the rest.
Screenshots of each page go to $CTXGUARD_SCREENSHOTS, or to a temporary directory; their paths are printed.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import IMG, SCRIPT, TOKEN
from browserkit import browser_page, need_browser, painted
from fakefleet import LEAK_FILE, LEAK_LINE, FakeFleet
from watchkit import Watch, start_watch, toml_config, wait_for

# One test drives all pages: one agent and one browser.

EVIL = f"""{{n}} @ 0x43a2d6 0x4063ec 0x6a1e25 0x46f3a1
#\t0x43a2d5\truntime.gopark+0xd5\t/usr/local/go/src/runtime/proc.go:435
#\t0x4063eb\truntime.chansend1+0x12\t/usr/local/go/src/runtime/chan.go:161
#\t0x6a1e24\tmain.{SCRIPT}+0x44\t/src/{IMG}.go:7

"""
# the fake fleet's leak as source: fetch's goroutine sends on line 27, the receiver may leave on ctx.Done()
FETCH_GO = "\n".join(
    [
        "package main",
        "",
        'import "context"',
        "",
        "type handler struct{}",
        "",
        'func lookup() string { return "x" }',
        *["// (fakefleet's stacks wait on line 27 of this file)"] * 15,
        "func (h *handler) fetch(ctx context.Context) (string, error) {",
        "\tch := make(chan string)",
        "\tgo func() {",
        "\t\tv := lookup()",
        "\t\tch <- v",
        "\t}()",
        "\tselect {",
        "\tcase v := <-ch:",
        "\t\treturn v, nil",
        "\tcase <-ctx.Done():",
        '\t\treturn "", ctx.Err()',
        "\t}",
        "}",
        "",
    ]
)


class EvilFleet(FakeFleet):
    """Target 2 leaks on a stack whose function and file are markup."""

    def body(self, target: int) -> bytes:
        if target != 2:
            return super().body(target)
        n = 1 + int((time.monotonic() - self.started) * 10)
        return f"goroutine profile: total {n + 5}\n{EVIL.format(n=n)}".encode()


@dataclass
class Live:
    watch: Watch
    shots: Path
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def api(self, path: str) -> Any:
        req = urllib.request.Request(self.watch.addr + path, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def shot(self, page: Any, name: str) -> None:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    need_browser()  # before the agent's 20 s: a missing browser fails at once, and loudly
    where = tmp_path
    checkout = where / "checkout" / "svc"
    checkout.mkdir(parents=True)
    (checkout / "fetch.go").write_text(FETCH_GO)
    (where / "token").write_text(TOKEN + "\n")
    fleet = EvilFleet(leaky=frozenset({0})).start()
    extra = f'token-file = "{where / "token"}"\n[sources]\nsvc0 = "{checkout.parent}"\n'
    cfg = toml_config(where / "data", [], extra=extra, interval="300ms", window="6s")
    cfg += f'[[targets]]\nurl = "{fleet.base}/t/0"\nlabels = {{ service = "svc0", env = "prod" }}\n'
    cfg += f'[[targets]]\nurl = "{fleet.base}/t/1"\nlabels = {{ service = "svc1", env = "prod" }}\n'
    # TOML literal strings: the labels carry the markup verbatim
    cfg += f"[[targets]]\nurl = \"{fleet.base}/t/2\"\nlabels = {{ service = '{SCRIPT}', team = '{IMG}' }}\n"
    watch = start_watch(cfg, where)
    shots = Path(os.environ.get("CTXGUARD_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    state = Live(watch, shots)
    try:
        wait_for(
            "an incident on the leaking target",
            lambda: [i for i in state.api("/api/incidents?state=open") if i["labels"].get("service") == "svc0"],
            timeout=40,
        )
        wait_for(
            "the healthy target judged healthy",
            lambda: {t["labels"]["service"]: t["verdict"] for t in state.api("/api/targets")}.get("svc1") == "healthy",
            timeout=20,
        )
        yield state
    finally:
        watch.stop()
        fleet.shutdown()


@pytest.fixture
def page(live: Live) -> Iterator[Any]:
    with browser_page(live.dialogs, live.console) as p:
        p.goto(f"{live.watch.addr}/?token={TOKEN}")  # once: the answer sets the session cookie
        yield p


def check_fleet_page(live: Live, page: Any) -> None:
    page.goto(live.watch.addr + "/")
    assert "token" not in page.url
    verdicts = {t["labels"]["service"]: t["verdict"] for t in live.api("/api/targets")}
    assert verdicts["svc0"] == "leaking" and verdicts["svc1"] == "healthy"
    rows = page.locator("tr.target")
    assert rows.count() == 3
    shown = {}
    for i in range(3):
        row = rows.nth(i)
        service = next(s for s in ("svc0", "svc1", SCRIPT) if f"service={s}" in row.inner_text())
        shown[service] = row.locator(".verdict").inner_text()
    assert shown["svc0"] == "leaking" and shown["svc1"] == "healthy", shown
    sid = rows.nth(0).get_attribute("data-id")
    painted(page, f'canvas.spark[data-id="{sid}"]')
    live.shot(page, "fleet")
    assert not [c for c in live.console if "error" in c.lower()], live.console


def check_navigation_target_plots_and_incident(live: Live, page: Any) -> None:
    page.goto(live.watch.addr + "/")
    page.locator("tr.target", has_text="service=svc0").locator("a.target-link").click()
    page.wait_for_url("**/targets/*")
    assert "/t/0" in page.locator("h1").inner_text()
    for plot in ("#plot-goroutines", "#plot-contexts"):
        page.wait_for_selector(f"{plot} canvas, {plot} p.muted")
    painted(page, "#plot-goroutines canvas")
    assert page.locator("#plot-goroutines .u-legend").inner_text().count("fetch.func1") == 1
    assert "CG105" in page.locator("details.suspect").first.inner_text()  # the checkout's lint finding
    live.shot(page, "target")

    page.locator("table.incidents a", has_text="#").first.click()
    page.wait_for_url("**/incidents/*")
    assert f"{LEAK_FILE}:{LEAK_LINE}" == page.locator("#trap").inner_text()
    assert "ch <- v" in page.locator("pre.code").inner_text()
    assert "opened" in page.locator("ol.timeline").inner_text()
    live.shot(page, "incident")
    page.locator("a.target-link").click()
    page.wait_for_url("**/targets/*")
    assert not [c for c in live.console if "error" in c.lower()], live.console


def check_injected_markup_stays_text(live: Live, page: Any) -> None:
    evil = next(t for t in live.api("/api/targets") if t["labels"].get("team") == IMG)
    page.goto(live.watch.addr + "/")
    assert f"service={SCRIPT}" in page.locator("tr.target", has_text="team=").inner_text()
    page.goto(f"{live.watch.addr}/targets/{evil['id']}")
    wait_for("the markup stack as a suspect", lambda: page.reload() or SCRIPT in page.inner_text("main"), 20, 0.5)
    assert f"/src/{IMG}.go:7" in page.inner_text("main")
    page.wait_for_selector("#plot-goroutines canvas")
    assert page.evaluate("document.querySelectorAll('main script, main img').length") == 0
    live.shot(page, "injection")
    assert live.dialogs == [], live.dialogs
    assert not [c for c in live.console if "error" in c.lower()], live.console


def test_dashboard_in_a_browser(live: Live, page: Any) -> None:
    """The fleet page's verdicts and sparklines; clicking through to a target's plots and to its
    incident's leak line; markup from a target's labels and frames shown as text, no dialog."""
    check_fleet_page(live, page)
    check_navigation_target_plots_and_incident(live, page)
    check_injected_markup_stays_text(live, page)
