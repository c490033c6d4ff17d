"""Working frames shared between the reports of one run.

:func:`shnor.pipeline.suite.build_tables` passes each report the tables of the reports before it
(``computed``). Besides its tables, a report may return *working frames*: entries whose name
starts with «_» (:data:`PREFIX`) holding something a later report would otherwise compute again
(the indicators of every results row, the yearly decisions of the lists). ``build_tables``
passes them on to the later reports but leaves them out of what it returns, so they are never
written or shown as tables. Every report also works without them (standalone use), computing the
frame itself with the same result.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

PREFIX = "_"


def reuse(computed: dict | None, names: tuple[str, ...],
          make: Callable[[], tuple[pd.DataFrame, ...]]
          ) -> tuple[tuple[pd.DataFrame, ...], dict[str, pd.DataFrame]]:
    """The working frames ``names`` from ``computed``, or ``make()`` (the frames in the same
    order) when no earlier report gave them.

    Returns the frames and the entries to add to the report's tables: ``{name: frame}`` when they
    were made here (so later reports reuse them), else nothing.
    """
    if not all(n.startswith(PREFIX) for n in names):
        raise ValueError(f"working frame names start with {PREFIX!r}: {names}")
    if computed is not None and all(n in computed for n in names):
        return tuple(computed[n] for n in names), {}
    frames = tuple(make())
    return frames, dict(zip(names, frames, strict=True))


def report_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` without the working frames."""
    return {k: v for k, v in tables.items() if not k.startswith(PREFIX)}
