"""Groups given by the ИРО (optional input table ``reference_groups``, seed 000 section 2: the
municipality sorts its schools by the groups of the regional ИРО study).

A given ИСБШ group, quality group or cluster is used as given — the ИРО's own cluster numbering
included (in seed 000 cluster 2 is the lowest) — and replaces the computed one; computed values
fill only the gaps. The status of every school whose value is the ИРО's says so.
"""

from __future__ import annotations

import pandas as pd

from shnor.frames import join_texts
from shnor.social.isbsh import group_level

SOURCE_TEXT = {"isbsh_group": "группа ИСБШ", "quality_group": "группа качества",
               "cluster": "кластер"}
SUFFIX = " — по данным ИРО (таблица «Группы ИРО»)"


def given_groups(reference_groups: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The given groups of ``year`` by school_id (empty when none are given)."""
    if reference_groups is None:
        return pd.DataFrame(columns=list(SOURCE_TEXT), index=pd.Index([], name="school_id"))
    g = reference_groups[reference_groups["year"] == year].set_index("school_id")
    return g.reindex(columns=list(SOURCE_TEXT))


def with_given(table: pd.DataFrame, given: pd.DataFrame, column: str, level_column: str,
               status_column: str, upper_groups: list[int]) -> pd.DataFrame:
    """``table`` (one row per school_id: the ИСБШ or quality table of a year) with the given
    ``column`` put in, its level recomputed and the status saying so; schools with a given
    group but no computed row are added."""
    values = given[column].dropna() if column in given else pd.Series(dtype="Int64")
    if values.empty:
        return table
    t = table.set_index("school_id")
    t = t.reindex(t.index.append(values.index.difference(t.index, sort=False)))
    t.loc[values.index, column] = values.astype("Int64")
    t[column] = t[column].astype("Int64")
    t[level_column] = group_level(t[column], upper_groups).to_numpy()
    status = t[status_column].astype(object).fillna("").astype(str)
    note = pd.Series(SOURCE_TEXT[column] + SUFFIX, index=values.index)
    status.loc[values.index] = join_texts([status.loc[values.index], note])
    t[status_column] = pd.array(status.to_numpy(), dtype="str")
    return t.rename_axis("school_id").reset_index()


def cluster_note(given: pd.DataFrame) -> pd.Series:
    """Per school with a given cluster: the sentence for its status."""
    ids = given.index[given["cluster"].notna()] if "cluster" in given else given.index[:0]
    return pd.Series(SOURCE_TEXT["cluster"] + SUFFIX, index=ids, dtype=object)
