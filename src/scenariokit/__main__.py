"""``python -m scenariokit``: the command-line interface."""

import sys

from scenariokit.cli import main

sys.exit(main())
