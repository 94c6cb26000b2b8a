from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


sys.path.insert(0, str(Path(__file__).parents[1] / "providers"))  # the fake vendor server
