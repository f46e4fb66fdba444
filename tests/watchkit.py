"""Running a real `ctxguard watch` in tests: config, process, its JSON API and /metrics."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from procs import kill_group, read_address


def toml_config(
    data_dir: Path,
    targets: list[tuple[str, dict[str, str]]],
    database: str = "",
    extra: str = "",
    **settings: str,
) -> str:
    lines = [f'data-dir = "{data_dir}"', 'listen = "127.0.0.1:0"']
    if database:
        lines.append(f'database = "{database}"')
    lines += [f'{k.replace("_", "-")} = "{v}"' for k, v in settings.items()]
    lines.append(extra)
    for url, labels in targets:
        inline = ", ".join(f'{k} = "{v}"' for k, v in labels.items())
        lines += ["[[targets]]", f'url = "{url}"', f"labels = {{ {inline} }}"]
    return "\n".join(lines) + "\n"


@dataclass
class Watch:
    proc: subprocess.Popen[bytes]
    addr: str
    config: Path
    log: Path

    def api(self, path: str) -> object:
        with urllib.request.urlopen(self.addr + path, timeout=10) as r:
            return json.loads(r.read())

    def metrics(self) -> str:
        with urllib.request.urlopen(self.addr + "/metrics", timeout=10) as r:
            return r.read().decode()

    def incidents(self, state: str | None = None) -> list[dict[str, object]]:
        out = self.api("/api/incidents" + (f"?state={state}" if state else ""))
        assert isinstance(out, list)
        return out

    def stop(self) -> None:
        kill_group(self.proc)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def start_watch(config_text: str, where: Path, name: str = "watch") -> Watch:
    config = where / f"{name}.toml"
    config.write_text(config_text)
    log = where / f"{name}.stderr"
    with open(log, "ab") as errf:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ctxguard", "watch", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errf,
            start_new_session=True,
            cwd=where,
        )
    try:
        addr = read_address(proc, 30)
    except (TimeoutError, RuntimeError) as e:
        kill_group(proc)
        raise AssertionError(f"ctxguard watch did not start: {e}\n{log.read_text(errors='replace')}") from None
    return Watch(proc, addr, config, log)


def wait_for(what: str, check, timeout: float, every: float = 0.5):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last!r})")
