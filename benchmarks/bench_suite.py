"""Benchmark (c): the yearly suite on the demo region against the floor of empty notebooks.

Side by side in the same run, interleaved, each in its own process (median of ``--runs``):
* suite — ``shnor run --data data/raw/demo --year 2024 --out <tmp>`` (everything: loading,
  tables, Excel, notebooks, HTML, cards, manifest);
* floor — the same number of *empty* notebooks (a parameters cell and one ``pass`` cell) pushed
  through the runner's own plumbing and in its arrangement (``suite._lanes``): in
  ``runner.KERNELS`` lanes, the report notebooks executed with papermill, each in its own
  kernel, and exported to HTML, then the school cards rendered in batches, one kernel request
  per batch of cards.
Goal (issue 6): suite within 1.5× of the floor and about a minute at most.

    python benchmarks/bench_suite.py [--runs 3] [--data data/raw/demo] [--year 2024]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _measure import REPO, machine, median, run_child, run_command

FLOOR = r"""
import json, sys, time
from pathlib import Path
import nbformat
from shnor.pipeline import notebooks as runner
from shnor.reporting.html import export_html, html_exporter

out, n_reports, n_cards = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
nb = nbformat.v4.new_notebook(metadata={"shnor": {"title": "Пусто"},
                                        "kernelspec": {"name": "python3", "language": "python",
                                                       "display_name": "Python 3"}})
params = nbformat.v4.new_code_cell("data = None\nyear = 2024")
params.metadata["tags"] = ["parameters"]
nb.cells = [params, nbformat.v4.new_code_cell("pass")]
src = out / "src"
src.mkdir(parents=True)
nbformat.write(nb, src / "empty.ipynb")
from shnor.pipeline import suite as runner_suite

def report(i):
    done = runner.execute_report(src / "empty.ipynb", out / f"{i:02d}.ipynb",
                                 {"year": 2024}, src)
    export_html(html_exporter(), done, out / f"{i:02d}.html", "Пусто", "",
                       "index.html")

names = {f"card{i}": "Пусто" for i in range(n_cards)}
(out / "cards").mkdir()
batches = runner.card_batches(src / "empty.ipynb", {"year": 2024}, names, out / "cards", "",
                              "index.html", out / "card.ipynb")
runner_suite._lanes(report, list(range(n_reports)), batches, src, lambda n: None)
print(json.dumps({"call_s": time.perf_counter() - t}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO / "data" / "raw" / "demo"))
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    shnor = [sys.executable, "-m", "shnor", "run", "--data", args.data, "--year",
             str(args.year)]
    suite, floor = [], []
    with tempfile.TemporaryDirectory(prefix="shnor-bench-suite-") as tmp:
        for i in range(args.runs):
            out = Path(tmp) / f"suite{i}"
            suite.append(run_command([*shnor, "--out", str(out)]))
            n_reports = len(list((out / "notebooks").glob("[0-9][0-9]_*.ipynb")))
            n_cards = len(list((out / "schools").glob("*.html")))
            f = run_child(FLOOR, str(Path(tmp) / f"floor{i}"), str(n_reports), str(n_cards))
            floor.append(f)
            print(f"run {i + 1}: suite {suite[-1]['wall_s']:.1f} s "
                  f"({n_reports} reports, {n_cards} cards), floor {f['wall_s']:.1f} s",
                  flush=True)
            shutil.rmtree(out)
    s, fl = median(suite, "wall_s"), median(floor, "wall_s")
    print(f"\nMachine: {machine()}; data: {args.data}, year {args.year}; "
          f"{n_reports} report notebooks, {n_cards} school cards")
    print("| step | median wall, s | × floor | peak memory, MB |")
    print("|---|---|---|---|")
    print(f"| floor: {n_reports} + {n_cards} empty notebooks executed and exported | {fl:.1f} "
          f"| 1.00 | {median(floor, 'peak_mb'):.0f} |")
    print(f"| shnor run (yearly suite) | {s:.1f} | {s / fl:.2f} | "
          f"{median(suite, 'peak_mb'):.0f} |")


if __name__ == "__main__":
    main()
