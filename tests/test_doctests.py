"""Every docstring example in the package runs and prints what it shows.

Run in a child process: some examples register backends, which must not leak
into the other tests' registry.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docstring_examples_run() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--doctest-modules", "unibridge", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(ROOT), "-o", "addopts=", "-o", "testpaths=unibridge"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert " passed" in proc.stdout
