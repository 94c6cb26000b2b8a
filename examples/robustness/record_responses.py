"""Record the responses that ``test_recorded.py`` replays (run from the repository root).

    python examples/robustness/record_responses.py

It runs the offline simulator through ``scenariokit.providers.RecordingProvider`` (the same wrapper you
would put around a real model), so every response lands in ``recordings/sim/brittle/`` keyed by the request
fingerprint (rendered prompt, config and seed) and the sample index. Replaying needs no network and no key.
"""

from pathlib import Path

from test_recorded import SCENARIOS, N

from scenariokit.providers import RecordingProvider
from scenariokit.scenario import CANARY
from scenariokit.simulator import create_simulator
from scenariokit.testing import sample_rate

RECORDINGS = Path(__file__).parent / "recordings"

if __name__ == "__main__":
    provider = RecordingProvider(create_simulator("brittle"), RECORDINGS, canary=CANARY, mode="all")
    for name, scenario in SCENARIOS.items():
        print(name, sample_rate(provider, scenario, n=N).rate)
