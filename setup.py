"""Packaging beyond pyproject.toml (which holds everything else): the report notebooks stay in
the repository's top-level ``notebooks/`` and ship inside the wheel as ``shnor/notebooks/``
(the package data of ``shnor.notebooks``), where :data:`shnor.paths.NOTEBOOKS_DIR` finds them;
every other package is found under ``shnor/``."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["shnor", "shnor.*"]), "shnor.notebooks"],
      package_dir={"shnor.notebooks": "notebooks"})
