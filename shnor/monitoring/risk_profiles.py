"""Risk profiles: 10 risk factors × significance per school (seed 000, tables 4–6).

The optional ``risk_profiles`` table has one row per year × school × factor with ``level``
high / medium / low. From it we build the coloured school × factor matrix, the grouped lists of
high-significance factors that the programmes act on (seed 000, text after table 6), and a
data-quality check that every listed school has exactly one level for every factor.
"""

from __future__ import annotations

import pandas as pd

from shnor.frames import id_sort_column, id_sort_key
from shnor.io.contract import RISK_LEVEL_LABELS, RISK_LEVELS

FACTORS = tuple(range(1, 11))

FACTOR_SHORT = {
    1: "1 Оснащение", 2: "2 Дефицит кадров", 3: "3 Компетентность педагогов",
    4: "4 Адаптивность обучения", 5: "5 Повышение квалификации", 6: "6 Учебная неуспешность",
    7: "7 ОВЗ", 8: "8 Языковые барьеры", 9: "9 Школьная среда", 10: "10 Вовлечённость родителей",
}
GROUP_LABELS = {
    "staff": "Низкий кадровый потенциал",
    "equipment": "Низкий уровень оснащения школы",
    "climate": "Неблагоприятная учебная атмосфера",
    "failure_risk": "Высокая доля обучающихся с рисками учебной неуспешности",
    "ovz": "Высокая доля обучающихся с ОВЗ",
    "parents": "Низкий уровень партнёрства с родителями",
}
CONFLICT = "conflict"  # more than one level given for one school × factor
FACTOR_COLUMNS = [f"factor_{f}" for f in FACTORS]


def profile_year(profiles: pd.DataFrame | None, year: int) -> int | None:
    """The profile year used for a report year: the latest one not after it, else the earliest."""
    if profiles is None or profiles.empty:
        return None
    years = sorted(int(y) for y in profiles["year"].unique())
    earlier = [y for y in years if y <= year]
    return earlier[-1] if earlier else years[0]


def _valid(profiles: pd.DataFrame) -> pd.Series:
    return profiles["factor"].isin(FACTORS) & profiles["level"].isin(RISK_LEVELS)


def check_profiles(profiles: pd.DataFrame, expected_ids, listed_ids=None) -> pd.DataFrame:
    """Every expected school must have exactly one known level for each factor 1–10.

    ``profiles`` holds one year; ``listed_ids`` are the schools allowed to have a profile
    (default: the expected ones). Returns one row per problem: school_id, factor (Int64, <NA>
    for a school-level problem), problem (Russian). Empty frame when the profiles are complete.
    """
    expected = pd.Index(pd.unique(pd.Series(list(expected_ids), dtype="str")))
    listed = set(expected) if listed_ids is None else set(map(str, listed_ids))
    rows: list[dict] = []
    bad = profiles[~_valid(profiles)]
    for r in bad.itertuples(index=False):
        if r.factor not in FACTORS:
            rows.append({"school_id": r.school_id, "factor": pd.NA,
                         "problem": f"код фактора «{r.factor}» вне диапазона 1–10"})
        else:
            rows.append({"school_id": r.school_id, "factor": r.factor,
                         "problem": f"неизвестный уровень значимости «{r.level}»"})
    good = profiles[_valid(profiles)]
    counts = good.groupby(["school_id", "factor"]).size()
    # the levels listed only where there are several (a Python list per group is slow)
    pairs = pd.MultiIndex.from_frame(good[["school_id", "factor"]])
    several = good[pairs.isin(counts.index[counts > 1])].groupby(["school_id", "factor"])
    for (school, factor), levels in several["level"].agg(list).items():
        labels = ", ".join(RISK_LEVEL_LABELS[lv] for lv in levels)
        rows.append({"school_id": school, "factor": factor,
                     "problem": f"уровень указан {len(levels)} раза: {labels}"})
    grid = pd.MultiIndex.from_product([expected, list(FACTORS)])
    rows += [{"school_id": school, "factor": factor, "problem": "нет уровня значимости"}
             for school, factor in grid[~grid.isin(counts.index)]]
    extra = sorted(set(good["school_id"]) - listed - set(expected), key=id_sort_key)
    for school in extra:
        rows.append({"school_id": school, "factor": pd.NA,
                     "problem": "школа указана в профилях, но не входит в списки этого года"})
    out = pd.DataFrame(rows, columns=["school_id", "factor", "problem"])
    out["school_id"] = out["school_id"].astype("str")
    out["factor"] = out["factor"].astype("Int64")
    out["problem"] = out["problem"].astype("str")
    return out.sort_values(["school_id", "factor"], key=id_sort_column).reset_index(drop=True)


def risk_matrix(profiles: pd.DataFrame, schools: pd.DataFrame, expected_ids=()) -> pd.DataFrame:
    """School × factor matrix of levels for one profile year.

    Rows: every school with a profile plus every expected school (all-empty row when it has
    none). Columns: school_id, name, factor_1 … factor_10 (high / medium / low, ``conflict`` when
    several levels were given, empty when none), n_high.
    """
    levels = profiles[_valid(profiles)].groupby(["school_id", "factor"])["level"]
    agg = levels.first().where(levels.nunique() == 1, CONFLICT)
    wide = agg.unstack("factor").reindex(columns=list(FACTORS))
    ids = pd.Index(pd.unique(pd.concat([pd.Series(wide.index, dtype="str"),
                                        pd.Series(list(expected_ids), dtype="str")])))
    wide = wide.reindex(ids).astype("object").fillna("").astype("str")
    wide.columns = FACTOR_COLUMNS
    names = schools.set_index("school_id")["name"]
    out = wide.reset_index(names="school_id")
    out.insert(1, "name", out["school_id"].map(names).astype("object").fillna("").astype("str"))
    out["n_high"] = (out[FACTOR_COLUMNS] == "high").sum(axis=1).astype("int64")
    return out.sort_values("school_id", key=id_sort_column).reset_index(drop=True)


def factor_groups(profiles: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Grouped lists of schools with high-significance factors (seed 000, after table 6).

    One row per group of ``monitoring.risk_profiles.factor_groups``: group, label, factors,
    schools (comma-separated ids, union over the group's factors), n_schools and detail
    («фактор 2: 3, 26; фактор 3: …»).
    """
    cfg = params["monitoring"]["risk_profiles"]
    sel = profiles[_valid(profiles) & profiles["level"].isin(cfg["group_levels"])]
    rows = []
    for group, factors in cfg["factor_groups"].items():
        per_factor = {f: sorted(set(sel.loc[sel["factor"] == f, "school_id"]), key=id_sort_key)
                      for f in factors}
        union = sorted(set().union(*per_factor.values()), key=id_sort_key)
        rows.append({
            "group": group,
            "label": GROUP_LABELS.get(group, group),
            "factors": ", ".join(str(f) for f in factors),
            "schools": ", ".join(union),
            "n_schools": len(union),
            "detail": "; ".join(f"фактор {f}: {', '.join(ids) or '—'}"
                                for f, ids in per_factor.items()),
        })
    return pd.DataFrame(rows, columns=["group", "label", "factors", "schools", "n_schools",
                                       "detail"])


