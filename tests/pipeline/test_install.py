"""shnor as a real package (issue «Real office files and real installs», item 3): the wheel holds
the report notebooks, and installed (not editable) into a fresh virtual environment it builds the
whole report suite from another folder, with a relative ``--out``, writing nothing into the
installation or the source tree.

The wheel is built from a copy of the checkout's files (so the build writes nothing into the
checkout either); the fresh environment gets the dependencies from the package index as a user's
would (pip's cache makes it quick). About two minutes; marked ``install``
(``pytest -m "not install"`` leaves it out locally; CI runs it).
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shnor.paths import REPO_DIR

NOTEBOOKS = sorted(p.name for p in (REPO_DIR / "notebooks").glob("*.ipynb"))
REPORTS = sorted(Path(n).stem for n in NOTEBOOKS if n[:2].isdigit())
FAST = "clustering:\n  k_max: 4\n  n_bootstrap: 3\n  n_init: 3\n"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_DIR, capture_output=True, text=True,
                          check=True).stdout


# Where a run of shnor could write into the checkout: the derived tables and reports of a run
# inside the project, and anything new in the package or its notebooks. (People working in the
# same checkout edit sources and regenerate data/raw meanwhile: those are left out here; the
# copy the wheel is built from is checked whole.)
WATCHED = ("data/processed/", "reports/", "notebooks/")


def _tree_state() -> set[str]:
    """``git status --porcelain`` of the checkout where a run could write, ignored files
    included (a run's Parquet under data/processed/ is ignored by git, and still a write)."""
    lines = _git("status", "--porcelain", "--ignored", "--untracked-files=all").splitlines()
    return {line for line in lines if "__pycache__" not in line and (
        line[3:].startswith(WATCHED)
        or (line[:2] in ("??", "!!") and line[3:].startswith("shnor/")
            and not line.endswith(".py")))}


def _tree_copy(dst: Path) -> Path:
    """The checkout's files as they are now (tracked and new, not ignored) copied to ``dst``."""
    for name in _git("ls-files", "-co", "--exclude-standard", "-z").split("\0"):
        src = REPO_DIR / name
        if name and src.is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    return dst


def _site_files(venv: Path) -> set[str]:
    site = next(venv.glob("lib/python*/site-packages"), None) or venv / "Lib" / "site-packages"
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if "__pycache__" not in p.parts}


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.install
def test_wheel_installed_in_a_fresh_venv_builds_every_report_from_another_folder(tmp_path):
    status = _tree_state()
    source = _tree_copy(tmp_path / "source")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                    "-w", str(dist)], check=True, capture_output=True)
    wheel = next(dist.glob("shnor-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    assert {f"shnor/notebooks/{n}" for n in NOTEBOOKS} <= inside
    packages = {p.relative_to(source).as_posix() for p in (source / "shnor").rglob("*.py")}
    assert packages <= inside  # every module of every package
    assert "shnor/methodology.yaml" in inside and "shnor/reporting/templates/style.css" in inside

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True)
    installed = _site_files(venv)
    tree = _snapshot(source)

    work = tmp_path / "office"
    work.mkdir()
    (work / "fast.yaml").write_text(FAST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run([str(bin_dir / "shnor"), "run", "--data",
                          str(source / "data" / "raw" / "demo"), "--year", "2024",
                          "--out", "отчёты/2024", "--config", "fast.yaml"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    assert run.returncode == 0, run.stderr
    out = work / "отчёты" / "2024"
    assert f"Готово: отчёты в {out}" in run.stdout
    assert "Отчёты: 4 (" in run.stderr and "Отчёты: 0" not in run.stderr
    for page in ["index", *REPORTS]:
        assert (out / f"{page}.html").stat().st_size > 10_000, page
    assert len(list((out / "schools").glob("*.html"))) > 50
    assert (out / "Приложение_к_приказу_2024.docx").exists()
    assert (out / "processed" / "identification_flags.parquet").exists()
    # nothing written into the installation or the source tree
    assert _site_files(venv) == installed
    assert _snapshot(source) == tree  # the source tree the wheel was built from, data included
    assert _tree_state() == status  # and the checkout
    assert sorted(p.name for p in work.iterdir()) == ["fast.yaml", "отчёты"]

    # the executed notebooks run again from the report folder (kernel of the fresh venv)
    again = subprocess.run(
        [str(bin_dir / "python"), "-c",
         ("import papermill as pm; pm.execute_notebook('01_overview.ipynb', 'again.ipynb', "
          "kernel_name='python3', progress_bar=False)")],
        cwd=out / "notebooks", env=env, capture_output=True, text=True, timeout=300,
        check=False)
    assert again.returncode == 0, again.stderr
