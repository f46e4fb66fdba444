"""A real browser for the dashboard's tests: Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from watchkit import wait_for

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PIXELS = """(sel) => {
  const c = document.querySelector(sel);
  if (!c) return null;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) painted++;
  return {width: c.width, height: c.height, painted: painted};
}"""


def need_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'", pytrace=False)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)


@contextmanager
def browser_page(on_dialog: list[str], console: list[str]) -> Iterator[Any]:
    """A fresh headless page; dialogs are dismissed and noted, console messages noted."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            p = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            p.set_default_timeout(15_000)
            p.on("dialog", lambda d: (on_dialog.append(d.message), d.dismiss()))
            p.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            p.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            yield p
        finally:
            browser.close()


def painted(page: Any, selector: str) -> dict[str, int]:
    page.wait_for_selector(selector, state="attached")
    got = wait_for(
        f"{selector} drawn", lambda: (px := page.evaluate(PIXELS, selector)) and px["painted"] and px, 10, 0.2
    )
    assert got["width"] > 0 and got["height"] > 0, got
    return got  # type: ignore[no-any-return]
