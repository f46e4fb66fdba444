"""`ctxguard serve` as a process: the store read-only on loopback, a token off it, raw traversal attempts."""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from ctxguard.web.auth import CSP

from .conftest import CHECKOUT, TOKEN, Filled
from procs import kill_group, read_address


@contextmanager
def serving(*args: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ctxguard", "serve", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield read_address(proc, 30)
    finally:
        kill_group(proc)


def raw_get(addr: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """The path exactly as given: no client-side `..` resolution or re-encoding."""
    u = urlparse(addr)
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        assert r.getheader("Content-Security-Policy") == CSP, (path, r.status)
        return r.status, r.read()
    finally:
        conn.close()


def ctxguard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctxguard", *args], capture_output=True, text=True, timeout=60)


def test_serve_reads_the_store_and_refuses_traversal(filled: Filled) -> None:
    with serving(
        "--data-dir", str(filled.data_dir), "--listen", "127.0.0.1:0", "--source", f"leaky={CHECKOUT}"
    ) as addr:
        status, body = raw_get(addr, f"/targets/{filled.quote}")
        assert status == 200 and b"CG105" in body and b"leaking" in body
        status, body = raw_get(addr, f"/incidents/{filled.incident}/bundle/incident.json")
        assert (status, body) == (200, b'{"id": 1}\n')
        bundle = f"/incidents/{filled.incident}/bundle/"
        for path in (
            bundle + "..",
            bundle + "../../../secret.txt",
            bundle + "%2e%2e/%2e%2e/%2e%2e/secret.txt",
            bundle + "..%2f..%2f..%2fsecret.txt",
            bundle + "..%5c..%5c..%5csecret.txt",
            bundle + "link.txt",
            bundle + "incident.json%00.txt",
            "/static/../../../../../../etc/passwd",
            "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/static/..%2f..%2fapp.py",
        ):
            status, body = raw_get(addr, path)
            assert status in (400, 404), (path, status)
            assert b"do not serve" not in body and b"root:" not in body and b"import" not in body, path


def test_serve_off_loopback_needs_a_token(filled: Filled, tmp_path: Path) -> None:
    out = ctxguard("serve", "--data-dir", str(filled.data_dir), "--listen", "0.0.0.0:0")
    assert out.returncode == 2 and "not a loopback address" in out.stderr and "--token-file" in out.stderr, out.stderr
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    with serving("--data-dir", str(filled.data_dir), "--listen", "127.0.0.1:0", "--token-file", str(token)) as addr:
        assert raw_get(addr, "/")[0] == 401
        assert raw_get(addr, "/api/fleet", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
        assert raw_get(addr, f"/?token={TOKEN}")[0] == 200


def test_serve_bad_arguments(filled: Filled, tmp_path: Path) -> None:
    out = ctxguard("serve", "--data-dir", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and "no store here" in out.stderr
    out = ctxguard("serve", "--data-dir", str(filled.data_dir), "--source", "leaky")
    assert out.returncode == 2 and "SERVICE=DIR" in out.stderr


def test_serve_on_ipv6_loopback_announces_a_url_that_works(filled: Filled) -> None:
    """An IPv6 host goes in brackets (RFC 3986): `http://::1:9465` is no URL a client can open."""
    with serving("--data-dir", str(filled.data_dir), "--listen", "[::1]:0") as addr:
        assert addr.startswith("http://[::1]:"), addr
        status, body = raw_get(addr, f"/targets/{filled.quote}")
        assert status == 200 and b"leaking" in body
