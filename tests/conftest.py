import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True, scope="session")
def _private_lint_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every `ctxguard lint` the tests start caches into a throw-away directory, not ~/.cache."""
    os.environ["CTXGUARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("ctxguard-cache"))
    yield
