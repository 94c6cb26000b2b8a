import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "simulation: Monte-Carlo calibration checks of scenariokit.stats (moderate size; full size in benchmarks)",
    )
