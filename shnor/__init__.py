"""shnor — identification, differentiation and monitoring of schools with low educational results.

Public API (mirrors the CLI, SPEC «Output contract»)::

    ds = shnor.load_dataset("data/raw/demo")      # validated Dataset, or ValidationFailed
    problems = shnor.validate("data/raw/demo")     # list of Problem, empty when valid
    ident = shnor.identify(ds, 2024)               # identification table, one row per school
    diff = shnor.differentiate(ds, 2024)           # differentiation table, one row per school
    shnor.typology(3, 5)                           # 'неблагополучная'
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "load_dataset": "shnor.io.loading",
    "validate": "shnor.io.loading",
    "identify": "shnor.analysis.run",
    "differentiate": "shnor.analysis.run",
    "typology": "shnor.school_typology",
    "load_config": "shnor.config",
    "Dataset": "shnor.io.dataset",
    "UserError": "shnor.errors",
    "ValidationFailed": "shnor.errors",
    "Problem": "shnor.errors",
}

__all__ = [
    "Dataset", "Problem", "UserError", "ValidationFailed", "differentiate", "identify",
    "load_config", "load_dataset", "typology", "validate",
]


def __getattr__(name: str):
    # Lazy: `shnor --help` must not pay for importing scikit-learn and matplotlib.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'shnor' has no attribute {name!r}")
