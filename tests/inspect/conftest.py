"""inspect-ai's own warnings, ignored here only (not for the rest of the suite).

inspect-ai 0.3.285 passes tenacity a deprecated parameter, passes pandas a keyword that pandas 3.1
deprecates, and leaves anyio memory streams to the garbage collector. The streams are collected at the end
of each test here, under these filters, so that their warnings never surface in another package's tests,
where a leaked stream of our own must still fail.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

INSPECT_WARNINGS = (
    "ignore:The 'initial' parameter is deprecated, use 'multiplier' instead:DeprecationWarning",
    "ignore:The inplace keyword in DataFrame.drop_duplicates is deprecated:Warning",
    "ignore:Exception ignored in. <function MemoryObjectReceiveStream.__del__:pytest.PytestUnraisableExceptionWarning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/inspect/" in str(item.path).replace("\\", "/"):
            for spec in INSPECT_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


@pytest.fixture(autouse=True)
def _collect_inspect_garbage() -> Iterator[None]:
    yield
    gc.collect()
