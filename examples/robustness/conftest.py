"""Enable the scenariokit pytest plugin for these examples (copy this into your own suite's conftest.py).

Once scenariokit is installed the plugin is registered by its ``pytest11`` entry point and this line is not
needed; it is kept (guarded) so that the examples also run from a source checkout.
"""

from importlib.metadata import entry_points

_INSTALLED = any(ep.value == "scenariokit.testing._plugin" for ep in entry_points(group="pytest11"))
pytest_plugins = [] if _INSTALLED else ["scenariokit.testing._plugin"]
