"""Render every blackmail condition of the study and show which ones share a prompt.

The study's scheme accepts goal values with goal types that do not use them (``none-america``), so several
condition ids describe the same prompt. scenariokit gives such conditions one fingerprint; this script counts
them and prints the grid of distinct prompts.

Run: python examples/condition_grid.py
"""

from collections import defaultdict

from scenariokit.scenario import ConditionIdError, Scenario, study_condition_ids

by_fingerprint: dict[str, list[str]] = defaultdict(list)
rejected: dict[str, str] = {}
for condition_id in study_condition_ids(include_prod=False):
    if not condition_id.startswith("blackmail_"):
        continue
    try:
        rendered = Scenario.from_condition_id(condition_id).render()
    except ConditionIdError as error:
        rejected[condition_id] = str(error)
        continue
    by_fingerprint[rendered.fingerprint].append(condition_id)

accepted = sum(len(ids) for ids in by_fingerprint.values())
print(f"{accepted} accepted condition ids, {len(by_fingerprint)} distinct prompts, {len(rejected)} rejected")
for ids in by_fingerprint.values():
    if len(ids) > 1:
        canonical = Scenario.from_condition_id(ids[0]).condition_id
        print(f"  {canonical}: same prompt as {len(ids) - 1} other id(s)")
example = next(iter(rejected.items()))
print(f"rejected, for example: {example[1]}")
assert len(by_fingerprint) < accepted, "ids with unused goal values must share a fingerprint"
