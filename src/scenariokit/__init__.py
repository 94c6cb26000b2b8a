"""scenariokit: typed, reproducible agentic-safety scenarios.

The public API is everything listed in ``__all__``; modules whose names start with an underscore are
private and may change without notice.
"""

from scenariokit._version import __version__

__all__ = ["__version__"]
