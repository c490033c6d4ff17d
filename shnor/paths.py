"""Project paths in one place (cookiecutter-data-science habit).

The package runs the same from the checkout (an editable install) and installed from a wheel:

* the report notebooks ship inside the wheel as ``shnor/notebooks/`` (``pyproject.toml`` maps
  the repository's top-level ``notebooks/`` there); in the checkout they are the repository's
  ``notebooks/`` (:data:`NOTEBOOKS_DIR` is whichever exists);
* nothing is ever written under the package: a run writes only under its output folder
  (default ``reports/<набор>/<год>/`` in the current folder, :data:`REPORTS_DIR`), the derived
  tables included (``<отчёт>/processed/``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
# In the checkout: the repository (pyproject.toml and notebooks/ beside the package); installed
# from a wheel: site-packages, which is never written to.
IN_SOURCE_TREE = (REPO_DIR / "pyproject.toml").is_file() and (REPO_DIR / "notebooks").is_dir()
SHIPPED_NOTEBOOKS = PACKAGE_DIR / "notebooks"  # inside the wheel
NOTEBOOKS_DIR = SHIPPED_NOTEBOOKS if SHIPPED_NOTEBOOKS.is_dir() else REPO_DIR / "notebooks"
# The shipped demo region and `shnor demo`'s target: the repository's data/raw in the checkout,
# ./data/raw of the current folder for an installed package.
DATA_RAW = REPO_DIR / "data" / "raw" if IN_SOURCE_TREE else Path("data") / "raw"
DEMO_DATA = DATA_RAW / "demo"
REPORTS_DIR = Path("reports")  # default parent of the report folders, in the current folder
METHODOLOGY_FILE = PACKAGE_DIR / "methodology.yaml"
