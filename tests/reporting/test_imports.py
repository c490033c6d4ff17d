"""A report kernel under `shnor run` only reads tables: the modules a report notebook imports
must not load scikit-learn (≈ 1 s of every kernel; it is only needed to compute the tables)."""

import subprocess
import sys

NOTEBOOK_MODULES = ["shnor.reporting.notebook", "shnor.reporting.figures",
                    "shnor.reporting.views", "shnor.reporting.text"]


def test_report_notebook_imports_do_not_load_scikit_learn():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in NOTEBOOK_MODULES)
            + "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
