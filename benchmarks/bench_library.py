"""Benchmark (b): the library steps on a national-size synthetic dataset (40,000 schools × 5 years).

Each run is one fresh process: generate the region in memory (``shnor.synth.region.generate_region``,
timed but not part of the goal), then the floor — one pandas groupby over all results rows (the
least any per-school computation does) — then each report's ``<name>_tables(dataset, year,
params, computed)`` in the runner's order, timed one by one, with the process peak memory after
each step. ``computed`` holds what the reports before it returned, as in
``runner.build_tables``: their tables and the working frames of :mod:`shnor.analysis.shared` (the
indicators, the yearly decisions) that later reports reuse.
Modules that do not exist yet are reported as missing. Goal (issue 6): all steps < 20 s, peak
memory < 3 GB.

    python benchmarks/bench_library.py [--schools 40000] [--years 5] [--runs 3]
"""

from __future__ import annotations

import argparse

from _measure import machine, median, run_child

CHILD = r"""
import json, resource, sys, time
from pathlib import Path

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

steps = {}
t = time.perf_counter()
from shnor.synth.region import generate_region
tables = generate_region(n_schools=int(sys.argv[1]), n_years=int(sys.argv[2]))
steps["generate (not in the goal)"] = (time.perf_counter() - t, peak_mb())
print(f"  generated in {steps['generate (not in the goal)'][0]:.1f} s", file=sys.stderr,
      flush=True)

from shnor.config import load_config
from shnor.io.dataset import Dataset
from shnor.analysis.run import REPORTS, Run
params = load_config()
ds = Dataset(name="national", path=Path("/tmp"), schools=tables["schools"],
             results=tables["results"], social=tables["social"],
             risk_profiles=tables.get("risk_profiles"), programme=tables.get("programme"),
             lists=tables.get("lists"))
year = ds.years[-1]
t = time.perf_counter()
ds.results.groupby(["year", "school_id"])[["participants", "n_fail"]].sum()
steps["floor: one groupby over results"] = (time.perf_counter() - t, peak_mb())
run = Run(ds, year, params)
for name in REPORTS:  # in report order: each report's time includes the steps it first needs
    t = time.perf_counter()
    getattr(run, name)
    steps[f"{name}_tables"] = (time.perf_counter() - t, peak_mb())
    print(f"  {name}_tables: {steps[f'{name}_tables'][0]:.1f} s", file=sys.stderr, flush=True)
print(json.dumps({"steps": steps, "rows": len(ds.results), "schools": len(ds.schools)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=40_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        r = run_child(CHILD, str(args.schools), str(args.years))
        runs.append(r)
        print(f"run {i + 1}: " + ", ".join(
            f"{k} {v[0]:.2f} s" if v[0] is not None else f"{k} missing"
            for k, v in r["steps"].items()), flush=True)
    names = list(runs[0]["steps"])
    print(f"\nMachine: {machine()}; {runs[0]['schools']:,} schools, "
          f"{runs[0]['rows']:,} results rows")
    print("| step | median time, s | peak memory after the step, MB |")
    print("|---|---|---|")
    total = 0.0
    for name in names:
        vals = [r["steps"][name] for r in runs]
        if vals[0][0] is None:
            print(f"| {name} | not available | |")
            continue
        t = median([{"v": v[0]} for v in vals], "v")
        if name.endswith("_tables"):
            total += t
        print(f"| {name} | {t:.2f} | {median([{'v': v[1]} for v in vals], 'v'):.0f} |")
    print(f"| all report tables | {total:.2f} | {median(runs, 'peak_mb'):.0f} (process) |")


if __name__ == "__main__":
    main()
