"""``python -m benchmarks`` (what ``make bench`` runs)."""

import sys

from .cli import run

sys.exit(run())
