"""TensorFlow's start-up log lines, kept off the terminal of the command line.

TensorFlow 2.21 writes lines such as "oneDNN custom operations are on" and
"This TensorFlow binary is optimized to use available CPU instructions" from C++
to file descriptor 2 while it is imported, before its logging is set up, so
``TF_CPP_MIN_LOG_LEVEL`` alone does not silence them (measured: the oneDNN line
and absl's "All log messages before absl::InitializeLog()" line print at every
level). The command line therefore sends descriptor 2 to a temporary file while
it runs and writes back every line except those start-up lines. A user who set
``TF_CPP_MIN_LOG_LEVEL`` themselves chose what to see: nothing is filtered then.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_framework_startup", "STARTUP_LINES"]

# Lines TensorFlow prints once per process while it starts; nothing a user can act on.
STARTUP_LINES = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:. ]+\d+ (port|cpu_feature_guard)\.cc:\d+\] .*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.)$"
)


def startup_line(line: str) -> bool:
    """True for one of TensorFlow's start-up log lines.

    Example:
        >>> startup_line("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR")
        True
        >>> startup_line("unibridge: error: no backend named 'tourch'")
        False
    """
    return STARTUP_LINES.match(line.rstrip("\n")) is not None


@contextmanager
def quiet_framework_startup() -> Iterator[None]:
    """Drop TensorFlow's start-up lines from what the block writes to stderr (see the module docstring).

    Example:
        >>> with quiet_framework_startup():
        ...     pass
    """
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        yield  # the user chose their level: show everything
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "1"  # drops the INFO lines TensorFlow logs after start-up
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real descriptor (captured in a test): nothing to do
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as spool:
        os.dup2(spool.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            spool.seek(0)
            kept = [line for line in spool.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not startup_line(line)]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()
