"""Is there an NVIDIA GPU here? Answered from the driver alone, importing nothing heavy.

``nvidia-smi`` gives each GPU's name, the driver version and the memory. Where
it is missing but the driver is loaded (``/proc/driver/nvidia``), the names come
from the driver's own files. Neither imports torch or any other framework, so a
machine without a GPU is told so in well under a second.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Gpu", "find_gpus", "parse_nvidia_smi"]

# nvidia-smi is not always on PATH: the GPU machine mounts the driver at /usr/local/nvidia.
_SMI_FALLBACKS = ("/usr/local/nvidia/bin/nvidia-smi", "/usr/bin/nvidia-smi")
_QUERY = ("--query-gpu=index,name,driver_version,memory.total", "--format=csv,noheader,nounits")
_PROC = Path("/proc/driver/nvidia")


@dataclass(frozen=True)
class Gpu:
    """One GPU as the driver reports it."""

    index: int
    name: str
    driver_version: str | None
    memory_mib: int | None


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """The GPUs in ``nvidia-smi --query-gpu=index,name,driver_version,memory.total
    --format=csv,noheader,nounits`` output; lines that do not parse are ignored.

    Example:
        >>> parse_nvidia_smi("0, NVIDIA H200, 580.159.03, 143771\\n")
        [Gpu(index=0, name='NVIDIA H200', driver_version='580.159.03', memory_mib=143771)]
    """
    gpus = []
    for line in text.splitlines():
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 4 or not fields[0].isdigit():
            continue  # an error message, not a row
        # A name may itself hold a comma: the index is first, driver and memory last.
        memory = fields[-1]
        gpus.append(Gpu(int(fields[0]), ", ".join(fields[1:-2]), fields[-2] or None,
                        int(memory) if memory.isdigit() else None))
    return gpus


def _nvidia_smi() -> str | None:
    found = shutil.which("nvidia-smi")
    if found:
        return found
    return next((p for p in _SMI_FALLBACKS if Path(p).is_file()), None)


def _from_proc() -> list[Gpu]:
    """GPUs from ``/proc/driver/nvidia`` (a loaded driver without nvidia-smi)."""
    try:
        version = re.search(r"Kernel Module\s+(?:for \S+\s+)?([\d.]+)", (_PROC / "version").read_text())
        infos = sorted((_PROC / "gpus").glob("*/information"))
        models = [re.search(r"^Model:\s*(.+)$", p.read_text(), re.MULTILINE) for p in infos]
    except OSError:
        return []
    return [Gpu(i, m.group(1).strip() if m else "unknown", version.group(1) if version else None, None)
            for i, m in enumerate(models)]


def find_gpus() -> tuple[list[Gpu], str]:
    """The NVIDIA GPUs here and how they were found, or ``([], why there are none)``.

    Example:
        >>> gpus, how = find_gpus()
        >>> isinstance(gpus, list) and isinstance(how, str)
        True
    """
    smi = _nvidia_smi()
    if smi is not None:
        try:
            proc = subprocess.run([smi, *_QUERY], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            return [], f"{smi} did not run ({type(exc).__name__}: {exc})"
        gpus = parse_nvidia_smi(proc.stdout)
        if gpus:
            return gpus, smi
        said = (proc.stderr or proc.stdout).strip().splitlines()
        return [], f"{smi} lists no GPU ({said[0] if said else f'exit status {proc.returncode}'})"
    gpus = _from_proc()
    if gpus:
        return gpus, str(_PROC)
    return [], "no nvidia-smi and no NVIDIA driver loaded"
