"""Benchmark (d): the yearly suite from the demo region to national size, each against its floor.

For each region, in its own processes, one after another:
* suite — ``shnor run --data <region> --year 2024 --out <tmp>`` (and, on the demo region, also
  ``--all-cards``);
* floor — the runner's plumbing with nothing to compute: as many *empty* report notebooks and
  school cards as the suite made, executed and exported in the runner's arrangement (the
  floor of ``bench_suite.py``).
Peak memory is the largest total RSS of the run's whole process tree (the runner and its
kernels), sampled every 0.2 s from ``/proc``.

Regions: the shipped demo region and ``shnor synth`` regions of 10,000 schools × 4 years and
40,000 × 5 years, generated into ``/tmp/shnor-bench/`` (never into the repository) if missing.
Goals (issue 15): demo with all cards ≤ 1.25 × the default run; 10,000 × 4 ≤ 3 × the demo
run; 40,000 × 5 with cards for every listed school ≤ 5 minutes and < 4 GB.

    python benchmarks/bench_scale.py [--regions demo 10k 40k] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import REPO, machine, median
from bench_suite import FLOOR

BENCH = Path("/tmp/shnor-bench")
REGIONS = {"demo": None, "10k": (10_000, 4), "40k": (40_000, 5)}
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Total RSS (bytes) of ``root`` and all its descendants."""
    parent, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            pages = int(Path(f"/proc/{entry}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        pid = int(entry)
        parent[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[pid] = pages * PAGE
    total, todo = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def measure(cmd: list[str]) -> dict:
    """Wall time and peak total RSS (MB) of ``cmd`` and its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.2)
    err = proc.stderr.read()
    if proc.returncode:
        raise RuntimeError(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return {"wall_s": time.perf_counter() - start, "peak_mb": peak / 2**20}


def region_path(name: str) -> Path:
    if REGIONS[name] is None:
        return REPO / "data" / "raw" / "demo"
    schools, years = REGIONS[name]
    path = BENCH / f"r{name}"
    if not (path / "schools.csv").exists():
        subprocess.run([sys.executable, "-m", "shnor", "synth", "--out", str(path),
                        "--schools", str(schools), "--years", str(years)], check=True,
                       cwd=REPO)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="+", default=list(REGIONS), choices=list(REGIONS))
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="shnor-bench-scale-", dir="/tmp") as tmp:
        for name in args.regions:
            data = region_path(name)
            variants = [("", [])] + ([("--all-cards", ["--all-cards"])] if name == "demo"
                                     else [])
            for label, extra in variants:
                suite, floor = [], []
                for i in range(args.runs):
                    out = Path(tmp) / f"{name}{label}{i}"
                    suite.append(measure([sys.executable, "-m", "shnor", "run", "--data",
                                          str(data), "--year", "2024", "--out", str(out),
                                          *extra]))
                    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                    n_reports = len(list((out / "notebooks").glob("[0-9][0-9]_*.ipynb")))
                    n_cards = (manifest["cards"] or {}).get("schools", 0)
                    pages = sorted(((p.stat().st_size, p.relative_to(out).as_posix())
                                    for p in out.glob("*.html")), reverse=True)
                    tables_mb = sum(p.stat().st_size for p in (out / "tables").iterdir()) / 2**20
                    shutil.rmtree(out)
                    floor.append(measure([sys.executable, "-c", FLOOR,
                                          str(Path(tmp) / f"floor{name}{label}{i}"),
                                          str(n_reports), str(n_cards)]))
                    shutil.rmtree(Path(tmp) / f"floor{name}{label}{i}")
                    print(f"{name} {label}: suite {suite[-1]['wall_s']:.1f} s, "
                          f"{suite[-1]['peak_mb']:.0f} MB; floor {floor[-1]['wall_s']:.1f} s; "
                          f"{n_cards} cards; largest page {pages[0][1]} "
                          f"{pages[0][0] / 2**20:.2f} MB; tables/ {tables_mb:.0f} MB; "
                          f"steps {manifest['timing_seconds']}", flush=True)
                rows.append((name, label, manifest["dataset"]["schools"],
                             len(manifest["dataset"]["years"]), n_cards,
                             median(suite, "wall_s"), median(floor, "wall_s"),
                             median(suite, "peak_mb"), pages[0], tables_mb))
    print(f"\nMachine: {machine()}")
    print("| region | schools × years | cards | floor, s | suite, s | × floor | peak memory, MB "
          "| largest page | tables/, MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, label, schools, years, cards, s, fl, mb, page, tmb in rows:
        print(f"| {name} {label} | {schools:,} × {years} | {cards:,} | {fl:.1f} | {s:.1f} | "
              f"{s / fl:.2f} | {mb:.0f} | {page[1]} {page[0] / 2**20:.2f} MB | {tmb:.0f} |")


if __name__ == "__main__":
    main()
