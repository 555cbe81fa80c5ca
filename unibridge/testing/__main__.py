"""``python -m unibridge.testing NAME [NAME ...]``: run the conformance kit.

Exit status: 0 when every backend passes, 1 when a check fails, 2 when a
backend cannot be loaded (unknown, not installed, or broken).

Example::

    $ python -m unibridge.testing jax --quick
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._core import CHECKS
from ._runner import run_conformance


def main(argv: Sequence[str] | None = None) -> int:
    """Run the kit on the backends named in ``argv``; return the exit status.

    Example:
        >>> from unibridge.testing.__main__ import main
        >>> main(["numpy", "--quick"])  # doctest: +ELLIPSIS
        unibridge conformance: backend 'numpy' (quick)
        ...
        0
    """
    parser = argparse.ArgumentParser(
        prog="python -m unibridge.testing",
        description="Check that a unibridge backend keeps the Backend protocol's contract.",
    )
    parser.add_argument("names", nargs="+", metavar="NAME", help="backend name(s), e.g. numpy jax")
    parser.add_argument("--quick", action="store_true", help="the fast subset; converts only with numpy")
    parser.add_argument("--against", default=None,
                        help="comma-separated backends for the interop check (default: all available)")
    parser.add_argument("--check", action="append", choices=list(CHECKS), help="run only this check (repeatable)")
    args = parser.parse_args(argv)
    against = None if args.against is None else [n for n in args.against.split(",") if n]
    status = 0
    for name in args.names:
        report = run_conformance(name, quick=args.quick, against=against, checks=args.check)
        print(report.summary(), flush=True)
        if report.error:
            status = max(status, 2)
        elif not report.ok:
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
