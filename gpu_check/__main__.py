"""``python -m gpu_check`` (what ``make gpu-check`` runs)."""

import sys

from .run import main

sys.exit(main())
