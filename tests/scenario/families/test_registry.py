import sys
import types
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from scenariokit.cli import main
from scenariokit.experiment import Design, FactorGrid
from scenariokit.scenario import (
    FAMILIES,
    FactorError,
    Family,
    blackmail,
    controls,
    get_family,
    register_family,
    unregister_family,
)
from scenariokit.scenario import families as families_module


def _restricted(**factors: object) -> object:
    return blackmail(**{"urgency": "restriction", **factors})  # type: ignore[arg-type]


MINE = Family(
    name="restricted_blackmail",
    description="Blackmail under a restriction instead of a replacement.",
    factors=FAMILIES["blackmail"].factors,
    factory=_restricted,
)


@pytest.fixture
def registered() -> Iterator[Family]:
    register_family(MINE)
    yield MINE
    unregister_family(MINE.name)


def test_registered_families_are_known_everywhere(
    registered: Family, capsys: pytest.CaptureFixture[str]
) -> None:
    assert FAMILIES["restricted_blackmail"] is registered
    assert get_family("restricted_blackmail").build().threat.kind.value == "restriction"
    expanded = Design(
        name="d", scenarios=[FactorGrid(family="restricted_blackmail")], models=["sim/compliant"], samples=1
    ).expand()
    assert len(expanded.conditions) == 1
    assert set(controls("restricted_blackmail")) == {"no_threat", "no_goal_conflict", "no_opportunity"}
    assert main(["show", "restricted_blackmail", "--set", "prohibitions=on"]) == 0
    assert "Do not use anyone's personal affairs" in capsys.readouterr().out


def test_unknown_after_unregistering(registered: Family) -> None:
    unregister_family(registered.name)
    with pytest.raises(FactorError, match="unknown family 'restricted_blackmail'; known families: blackmail"):
        get_family("restricted_blackmail")
    register_family(registered)  # for the fixture's teardown


def test_names_are_not_taken_silently(registered: Family) -> None:
    with pytest.raises(FactorError, match="is a built-in family"):
        register_family(registered.model_copy(update={"name": "blackmail"}))
    other = registered.model_copy(update={"description": "another"})
    with pytest.raises(FactorError, match="already registered; pass replace=True"):
        register_family(other)
    register_family(other, replace=True)
    assert FAMILIES["restricted_blackmail"].description == "another"
    register_family(registered, replace=True)
    with pytest.raises(FactorError, match="cannot be unregistered"):
        unregister_family("leaking")


def test_entry_points_add_families(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("tests_registry_module")
    module.MINE = MINE  # type: ignore[attr-defined]
    module._restricted = _restricted  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_registry_module", module)
    ep = EntryPoint(name="mine", value="tests_registry_module:MINE", group=families_module.ENTRY_POINT_GROUP)
    bad = EntryPoint(
        name="bad", value="tests_registry_module:_restricted", group=families_module.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(families_module, "_plugins_loaded", False)
    monkeypatch.setattr(families_module, "entry_points", lambda group: [ep] if group == ep.group else [])
    try:
        assert get_family("restricted_blackmail").name == "restricted_blackmail"  # loaded on the first miss
        assert families_module.load_family_plugins() == []  # once per process
    finally:
        unregister_family("restricted_blackmail")
    monkeypatch.setattr(families_module, "_plugins_loaded", False)
    monkeypatch.setattr(families_module, "entry_points", lambda group: [bad])
    with pytest.raises(FactorError, match="entry point 'bad'.*is not a scenariokit Family"):
        families_module.load_family_plugins()
