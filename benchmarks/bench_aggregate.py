"""Benchmark (a): aggregation of ~20 million student rows from hive-partitioned Parquet.

Measured side by side in the same run, each in its own process (median of ``--runs``):
* floor — a bare DuckDB GROUP BY over the same files (counts per mark, mean mark and score);
* shnor — :func:`shnor.io.aggregate.aggregate_students` (normalisation, validation, rules);
* pandas — the same aggregation in plain pandas (read the Parquet, groupby).
Goals (issue 6): shnor < 30 s, peak memory < 2 GB, within 2× of the floor.

    python benchmarks/bench_aggregate.py [--data /tmp/shnor-bench/students20m] [--runs 3]

The student files are generated once (vectorised: synthetic region → expand_to_students) into
``--data`` outside the repository; never commit them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _measure import machine, median, run_child

PREPARE = r"""
import json, sys, time
from shnor.synth.region import generate_region
from shnor.synth.students import write_student_files
t = time.perf_counter()
res = generate_region(n_schools=int(sys.argv[2]), n_years=1, optional_tables=False)["results"]
t_gen = time.perf_counter() - t
t = time.perf_counter()
root = write_student_files(res, sys.argv[1], seed=2024)
print(json.dumps({"rows": int(res["participants"].sum()), "groups": len(res),
                  "generate_s": t_gen, "expand_write_s": time.perf_counter() - t}))
"""

FLOOR = r"""
import json, sys, time, duckdb
t = time.perf_counter()
duckdb.execute('SET enable_progress_bar = false')
df = duckdb.sql(f'''SELECT year, school_id, procedure, grade, subject, count(*) AS n,
    count_if(mark = 2) AS n2, count_if(mark = 3) AS n3, count_if(mark = 4) AS n4,
    count_if(mark = 5) AS n5, avg(mark) AS mean_mark, avg(score) AS mean_score
    FROM read_parquet('{sys.argv[1]}/**/*.parquet', hive_partitioning = true)
    GROUP BY ALL''').df()
print(json.dumps({"call_s": time.perf_counter() - t, "groups": len(df)}))
"""

SHNOR = r"""
import json, sys, time
from shnor.io.aggregate import aggregate_students
from shnor.config import load_config
params = load_config()
t = time.perf_counter()
res, invalid = aggregate_students([sys.argv[1]], params)
print(json.dumps({"call_s": time.perf_counter() - t, "groups": len(res),
                  "invalid": invalid.invalid}))
"""

PANDAS = r"""
import json, sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_parquet(sys.argv[1])  # pyarrow dataset: the year comes from the folder names
df["mark"] = df["mark"].astype("float64")
for k in (2, 3, 4, 5):
    df[f"m{k}"] = df["mark"] == k
g = df.groupby(["year", "school_id", "procedure", "grade", "subject"], observed=True)
out = g.agg(n=("mark", "size"), n2=("m2", "sum"), n3=("m3", "sum"), n4=("m4", "sum"),
            n5=("m5", "sum"), mean_mark=("mark", "mean"), mean_score=("score", "mean"))
print(json.dumps({"call_s": time.perf_counter() - t, "groups": len(out)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/shnor-bench/students20m")
    ap.add_argument("--schools", type=int, default=57_000,
                    help="synthetic schools for about 20 M student rows in one year")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-pandas", action="store_true")
    args = ap.parse_args()

    data = Path(args.data)
    students = data / "students"
    if not students.exists():
        prep = run_child(PREPARE, str(data), str(args.schools))
        print(f"generated {prep['rows']:,} student rows ({prep['groups']:,} groups): "
              f"region {prep['generate_s']:.1f} s, expand+write {prep['expand_write_s']:.1f} s, "
              f"peak {prep['peak_mb']:.0f} MB")
    cases = {"floor: bare DuckDB GROUP BY": FLOOR, "shnor aggregate_students": SHNOR}
    if not args.skip_pandas:
        cases["plain pandas groupby"] = PANDAS
    runs: dict[str, list[dict]] = {k: [] for k in cases}
    for i in range(args.runs):  # interleaved so that all cases see the same machine state
        for name, code in cases.items():
            r = run_child(code, str(students))
            runs[name].append(r)
            print(f"run {i + 1} {name}: {r['call_s']:.2f} s, peak {r['peak_mb']:.0f} MB",
                  flush=True)
    floor = median(runs["floor: bare DuckDB GROUP BY"], "call_s")
    print(f"\nMachine: {machine()}; data: {data}")
    print("| step | median time, s | × floor | median process wall, s | peak memory, MB |")
    print("|---|---|---|---|---|")
    for name, rs in runs.items():
        t = median(rs, "call_s")
        print(f"| {name} | {t:.2f} | {t / floor:.2f} | {median(rs, 'wall_s'):.2f} | "
              f"{median(rs, 'peak_mb'):.0f} |")
    (data / "results.json").write_text(json.dumps(runs))


if __name__ == "__main__":
    main()
