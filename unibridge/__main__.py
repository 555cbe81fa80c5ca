"""``python -m unibridge``: the same command line as the ``unibridge`` script.

Example:
    $ python -m unibridge info
"""

from __future__ import annotations

import sys

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
