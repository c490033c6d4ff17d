"""Shared helpers of the benchmarks: run a child process, time it, read its peak memory."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

PYTHON = sys.executable
REPO = Path(__file__).resolve().parent.parent


def run_child(code: str, *args: str) -> dict:
    """Run ``python -c code args`` and return its JSON line, wall time and peak RSS (MB).

    The child prints one JSON object on its last stdout line (its own timings); the peak memory
    is the child's ``ru_maxrss`` from ``os.wait4``, so each measurement is its own process.
    """
    import time

    start = time.perf_counter()
    proc = subprocess.Popen([PYTHON, "-c", code, *args], stdout=subprocess.PIPE, cwd=REPO,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{out}")
    last = next((ln for ln in reversed(out.splitlines()) if ln.startswith("{")), "{}")
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, **json.loads(last)}


def run_command(cmd: list[str]) -> dict:
    """Wall time and peak RSS of a command (the largest of it and its waited-for children)."""
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"command failed: {' '.join(cmd)}")
    return {"wall_s": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024}


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def machine() -> str:
    """«nproc, CPU model, RAM, Python, date» for the README table."""
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")))
    return (f"{os.cpu_count()} CPU ({model}), RAM {mem_kb / 1024 / 1024:.0f} GB, "
            f"Python {platform.python_version()}, {datetime.date.today().isoformat()}")
