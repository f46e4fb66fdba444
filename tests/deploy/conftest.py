"""Fixtures of the deploy/ tests: promtool, and one live stack (agent, fake fleet, Prometheus) per worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from deploykit import Stack, live_stack, need


@pytest.fixture(scope="session")
def promtool() -> str:
    return need("promtool")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with live_stack(tmp_path_factory.mktemp("deploy-stack")) as s:
        yield s
