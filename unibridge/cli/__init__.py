"""The ``unibridge`` command line (also ``python -m unibridge``).

Commands: ``info``, ``check``, ``bench``; each takes ``--json``.
Exit codes: 0 ok, 1 a check (or benchmark) failed, 2 a usage or configuration
error. Errors are one line on stderr, never a traceback (``--traceback`` shows it).

Example:
    >>> from unibridge.cli import main
    >>> main(["info", "--json"])  # doctest: +SKIP
    0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import UnibridgeError
from ._quiet import quiet_framework_startup
from ._render import emit_json, one_line

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``unibridge``.

    Example:
        >>> build_parser().parse_args(["check", "--backend", "numpy"]).backend
        ['numpy']
    """
    parser = argparse.ArgumentParser(
        prog="unibridge",
        description="Inspect and check unibridge's backends. "
        "Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.",
    )
    parser.add_argument("--version", action="version", version=f"unibridge {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="{info,check,bench}")

    info = sub.add_parser("info", help="version, backends, devices and the active configuration")
    check = sub.add_parser("check", help="quick self-test of the installed backends")
    check.add_argument(
        "--backend", "-b", action="append", metavar="NAME", help="check only this backend (repeatable)"
    )
    bench = sub.add_parser(
        "bench", help="run the benchmark suite (source checkout only); other arguments go to it"
    )
    for p in (info, check, bench):
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    return parser


def _info(args: argparse.Namespace) -> int:
    from .info import collect_info, render_info

    data = collect_info()
    if args.json:
        emit_json(data)  # with "ok": false and "error" when the configuration is bad
    else:
        print(render_info(data))
    problem = data.get("error")
    if problem is not None:  # the tables are out; the configuration error still fails the command
        print(f"unibridge: error: {problem['message']}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _configuration_is_usable() -> None:
    """Raise the one error a bad ``UNIBRIDGE_*`` variable causes, before any work starts.

    Without this, every backend checked or benchmarked would fail on the same bad
    variable, and the same error would be printed once per check.
    """
    from ..config import current
    from ..engine import target

    target(current(), None, None)  # the backend loads, the device resolves, the default float parses


def _check(args: argparse.Namespace) -> int:
    from .check import render_checks, run_checks

    _configuration_is_usable()
    report = run_checks(args.backend)
    if args.json:
        emit_json(report)
    else:
        print(render_checks(report))
    return EXIT_OK if report["ok"] else EXIT_FAILED


def _bench(args: argparse.Namespace, extra: list[str]) -> int:
    from .bench import NOT_FOUND, run_bench

    _configuration_is_usable()
    code = run_bench((["--json"] if args.json else []) + extra)
    if code is None:
        _error(NOT_FOUND, "BenchmarksNotFound", args.json)
        return EXIT_USAGE
    return code


def _error(message: str, kind: str, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": False, "error": {"type": kind, "message": message}})
    print(f"unibridge: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    Example:
        >>> from unibridge.cli import main
        >>> main(["check", "--backend", "numpy", "--json"])  # doctest: +SKIP
        0
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if extra and args.command != "bench":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")  # exits 2
    as_json = bool(getattr(args, "json", False))
    if args.command == "bench":  # its progress must stream; the suite's own children are quiet
        return _run(args, extra, as_json)
    with quiet_framework_startup():
        return _run(args, extra, as_json)


def _run(args: argparse.Namespace, extra: list[str], as_json: bool) -> int:
    try:
        if args.command == "info":
            return _info(args)
        if args.command == "check":
            return _check(args)
        return _bench(args, extra)
    except UnibridgeError as exc:
        if args.traceback:
            raise
        _error(one_line(exc), type(exc).__name__, as_json)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # output piped into e.g. `head`: not an error
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback, unless asked
        if args.traceback:
            raise
        _error(f"internal error: {type(exc).__name__}: {one_line(exc)} (rerun with --traceback)",
               type(exc).__name__, as_json)
        return EXIT_FAILED
