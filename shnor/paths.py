"""Project paths in one place (cookiecutter-data-science habit)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
DATA_RAW = REPO_DIR / "data" / "raw"
DATA_PROCESSED = REPO_DIR / "data" / "processed"
REPORTS_DIR = REPO_DIR / "reports"
DEMO_DATA = DATA_RAW / "demo"
METHODOLOGY_FILE = PACKAGE_DIR / "methodology.yaml"
