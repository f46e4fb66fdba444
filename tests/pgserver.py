"""A throwaway PostgreSQL server for tests, from Debian's `postgresql` package.

`pg_url` (session) starts one server per pytest process (each xdist worker its own, on
its own free port) and yields a URL of a database in it; `pg_fresh_url()` gives each
test a new empty database. Import both fixtures into a conftest.py.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

INSTALL_HINT = "PostgreSQL not found: install Debian's `postgresql` package (apt-get install postgresql)"


def find_bin() -> Path:
    """The directory of the newest installed server's binaries (initdb, pg_ctl)."""

    def version(d: str) -> tuple[int, ...]:
        tail = Path(d).parent.name
        return tuple(int(x) for x in tail.split(".") if x.isdigit())

    dirs = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))]
    if dirs:
        return Path(max(dirs, key=version))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and shutil.which("initdb"):
        return Path(pg_ctl).resolve().parent
    pytest.fail(INSTALL_HINT, pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One PostgreSQL cluster in a temporary directory, trusting loopback connections."""

    def __init__(self) -> None:
        self.bin = find_bin()
        self.as_postgres = os.geteuid() == 0  # the server refuses to run as root
        # Not under pytest's tmp_path: its parents are private to root, the postgres user must get in.
        self.root = Path(tempfile.mkdtemp(prefix="ctxguard-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        if self.as_postgres:
            try:
                shutil.chown(self.root, "postgres", "postgres")
            except LookupError:
                pytest.fail("running as root, and there is no `postgres` user to run the server as", pytrace=False)
        os.chmod(self.root, 0o700)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)

    def start(self) -> None:
        done = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        if done.returncode:
            pytest.fail(f"initdb failed: {done.stderr.strip()[-500:]}", pytrace=False)
        for _ in range(5):  # another process may grab the free port before the server binds it
            self.port = _free_port()
            opts = (
                f"-h 127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
            )
            done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", opts, "start")
            if done.returncode == 0:
                return
            time.sleep(0.2)
        log = self.log.read_text(errors="replace")[-500:] if self.log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {done.stderr.strip()} {log}", pytrace=False)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    server = Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: Server) -> str:
    """postgresql://postgres@127.0.0.1:PORT/ctxguard_test, shared by the whole session."""
    return pg_server.create_database("ctxguard_test")


@pytest.fixture
def pg_fresh_url(pg_server: Server) -> Iterator[Callable[[], str]]:
    """A function giving a new empty database on each call; dropped after the test."""
    made: list[str] = []

    def fresh() -> str:
        name = f"ctxguard_{uuid.uuid4().hex[:12]}"
        made.append(name)
        return pg_server.create_database(name)

    yield fresh
    for name in made:
        pg_server.drop_database(name)
