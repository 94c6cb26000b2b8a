"""Suite-wide fixtures: inspect-ai's own warnings (ignored in the tests that run inspect-ai only) and secrets.

inspect-ai 0.3.285 passes tenacity a deprecated parameter, passes pandas a keyword that pandas 3.1
deprecates, and leaves anyio memory streams to the garbage collector. The streams are collected at the end
of each such test, under these filters, so that their warnings never surface in another package's tests,
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


def _runs_inspect(item: pytest.Item) -> bool:
    """The Inspect tests, and the docs page that runs Inspect."""
    return "tests/inspect/" in str(item.path).replace("\\", "/") or "inspect-logs.md" in item.nodeid


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _runs_inspect(item):
            for spec in INSPECT_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


@pytest.fixture(autouse=True)
def _collect_inspect_garbage(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _runs_inspect(request.node):
        gc.collect()


@pytest.fixture(autouse=True)
def _forget_secrets_made_by_the_test() -> Iterator[None]:
    """Forget, after each test, the secrets it made.

    Every :class:`~scenariokit.providers.Secret` made in a process is a configured secret of that process
    from then on (it is redacted from everything derived from a response). A test that makes secrets of
    arbitrary words (a Hypothesis test may draw "leverage" from the library's own string constants) would
    otherwise mask that word in the output of every later test.
    """
    from scenariokit.providers import _secret

    with _secret._REGISTERED_LOCK:
        before = set(_secret._REGISTERED)
    yield
    with _secret._REGISTERED_LOCK:
        if before != _secret._REGISTERED:
            _secret._REGISTERED.intersection_update(before)
            _secret._GENERATION[0] += 1
