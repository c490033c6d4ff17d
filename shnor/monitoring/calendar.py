"""The calendar of the monitoring the profile's programme prescribes (``monitoring.calendar``:
month, what, source, needs) and whether the data of this run can already answer each entry
(seed 000 table 13; seeds 001, 003, 004)."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["month", "what", "source", "answer"]


def answerability(needs: str | None, available: set[str]) -> str:
    """``answered`` when the table ``needs`` is in the data, ``needs_table:<name>`` when it is
    not, ``not_in_data`` when no table of the data contract can answer the entry."""
    if not needs:
        return "not_in_data"
    return "answered" if needs in available else f"needs_table:{needs}"


def available_tables(dataset) -> set[str]:
    """Names of the contract tables of ``dataset`` that are present and not empty."""
    out = set()
    for name in ("results", "schools", "programme", "risk_profiles", "staff", "roadmap",
                 "social", "lists"):
        frame = getattr(dataset, name, None)
        if isinstance(frame, pd.DataFrame) and not frame.empty:
            out.add(name)
    return out


def monitoring_calendar(entries: list[dict], available: set[str]) -> pd.DataFrame:
    """One row per calendar entry: month, what, source, answer."""
    rows = [{"month": e["month"], "what": e["what"], "source": e["source"],
             "answer": answerability(e.get("needs"), available)} for e in entries or []]
    return pd.DataFrame(rows, columns=COLUMNS).astype("str")
