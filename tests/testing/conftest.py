from __future__ import annotations

from importlib.metadata import entry_points

import pytest

_INSTALLED = any(ep.value == "scenariokit.testing._plugin" for ep in entry_points(group="pytest11"))
pytest_plugins = ["pytester"] + ([] if _INSTALLED else ["scenariokit.testing._plugin"])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
