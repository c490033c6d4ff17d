"""The optional tables of a synthetic region: official lists, programme indicators and risk
profiles, drawn from what the schools' results say (:mod:`shnor.synth.region`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# the quick 30 % rule used to build the official lists and risk profiles (seed 000 table 1)
_RULE_CUT, _RULE_MIN_N = 0.30, 5
# seed 000 table 12: indicator, value range (%), 2022 and 2023 points as in the source
_PROGRAMME = (
    ("Доля ШНОР и ШНСУ (по идентификации ИРО) от общего числа ОО", None, 4, 6),
    ("Доля школ в зоне риска снижения образовательных результатов", None, 2, 2),
    ("Доля ШНОР и ШНСУ, за которыми закреплены школы с высоким качеством образования",
     (100.0, 100.0), 6, 6),
    ("Доля ШНОР, ШНСУ и школ зоны риска — сетевых партнёров школ с высокими результатами",
     (90.0, 100.0), 6, 6),
    ("Доля ШНОР с положительной динамикой результатов по математике и русскому языку",
     (10.0, 25.0), 2, 4),
    ("Динамика выявления и устранения ресурсных дефицитов", (25.0, 40.0), 4, 4),
    ("Доля школ с внутришкольной системой профилактики учебной неуспешности", (45.0, 60.0), 4, 4),
    ("Доля руководителей ШНОР, ШНСУ и школ зоны риска, участвующих в оценке эффективности",
     (100.0, 100.0), 6, 6),
    ("Доля педагогов ШНОР, ШНСУ и школ зоны риска, участвующих в оценке компетенций",
     (4.0, 12.0), 2, 4),
    ("Доля ШАНС и ШНОР со сформированной системой профилактики учебной неуспешности",
     (30.0, 60.0), None, None),
    ("Доля школ, в которых выявлены риски снижения образовательных результатов", (10.0, 25.0),
     None, None),
    ("Доля школ с организованной профилактикой рисков снижения результатов", (20.0, 50.0),
     None, None),
    ("Доля обучающихся ШНОР и ШАНС в детских и молодёжных объединениях", (30.0, 60.0),
     None, None),
    ("Доля слабоуспевающих обучающихся с индивидуальным образовательным маршрутом",
     (40.0, 80.0), None, None),
    ("Доля обучающихся ШНОР на дополнительных занятиях по ликвидации отставания", (20.0, 50.0),
     None, None),
    ("Доля школ зоны риска с положительной динамикой качества подготовки", (20.0, 45.0),
     None, None),
)


_PROGRAMME_MAX_POINTS = 7  # seed 000 section 5: criterion 3 gives 2–7 points per indicator


LIST_FIOKO = "ФИОКО ШНОР"


LIST_REGIONAL = "Региональный проект"


def _rule_flags(results: pd.DataFrame) -> pd.DataFrame:
    """The 30 % rule of seed 000 table 1 in its default form, per school and year.

    A school is flagged in year Y when the share of n_fail among participants is ≥ 30 % in
    ≥ 2 different assessments (procedure + grade + subject; ВПР 5–8, ОГЭ, ЕГЭ; groups of 5 or
    more) in Y, or in the same assessment in Y − 1 and Y. Used to build the demo's official
    lists and risk profiles; ``shnor.identification.core`` is the configurable implementation.
    Returns year, school_id, n_hits (assessments at or above the cut in Y), flagged.
    """
    r = results[(results["procedure"] != "VPR") | (results["grade"] >= 5)]
    hit = (r["n_fail"] >= _RULE_CUT * r["participants"]) & (r["participants"] >= _RULE_MIN_N)
    h = r.loc[hit, ["year", "school_id", "procedure", "grade", "subject"]]
    prev = h.assign(year=h["year"] + 1)
    repeat = h.merge(prev, on=list(h.columns))[["year", "school_id"]].drop_duplicates()
    n_hits = h.groupby(["year", "school_id"]).size().rename("n_hits")
    out = results[["year", "school_id"]].drop_duplicates().merge(
        n_hits.reset_index(), on=["year", "school_id"], how="left")
    out["n_hits"] = out["n_hits"].fillna(0).astype(np.int64)
    rep = pd.MultiIndex.from_frame(repeat)
    out["flagged"] = (out["n_hits"] >= 2) | pd.MultiIndex.from_frame(
        out[["year", "school_id"]]).isin(rep)
    return out.sort_values(["year", "school_id"]).reset_index(drop=True)


def _lists(rng: np.random.Generator, sch: pd.DataFrame, flags: pd.DataFrame,
           years: np.ndarray) -> pd.DataFrame:
    status = sch.set_index("school_id")["_status"]
    frames = []
    for y in years[-2:] if len(years) >= 2 else []:
        f = flags[flags["year"] == y]
        on = f.loc[f["flagged"], "school_id"].to_numpy()
        near = f.loc[~f["flagged"] & (f["n_hits"] == 1), "school_id"].to_numpy()
        # official lists differ a little from the rule: some dropped, some added
        fioko = np.concatenate([on[rng.random(len(on)) >= 0.1],
                                rng.choice(near, min(len(near), max(1, len(on) // 20)),
                                           replace=False)])
        s_on = status.reindex(on).to_numpy()
        regional = on[s_on <= np.median(s_on)] if len(on) else on
        low_s = status.reindex(f["school_id"]).sort_values().index.to_numpy()
        extra = np.setdiff1d(low_s[:max(2, len(on) // 10)], regional)[:2]
        regional = np.concatenate([regional, extra])
        frames.append(pd.DataFrame({"year": np.int64(y), "school_id": fioko, "list": LIST_FIOKO}))
        frames.append(pd.DataFrame({"year": np.int64(y), "school_id": regional,
                                    "list": LIST_REGIONAL}))
    if not frames:
        return pd.DataFrame({"year": pd.Series(dtype=np.int64), "school_id": pd.Series(dtype=str),
                             "list": pd.Series(dtype=str)})
    return pd.concat(frames, ignore_index=True)


def _programme(rng: np.random.Generator, flags: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Programme indicators of seed 000 table 12 for the last three years.

    Indicators 1–9 from the first year, 10–16 (tracked «starting from 2024» in the source) in
    the third year only; indicators 1–2 are the real shares of flagged / single-hit schools.
    The first two years carry the source's points (totals 36 and 42, «удовлетворительный»),
    the third year scores each indicator 3–6 (a total in the «средний» level).
    """
    rows = []
    prog_years = years[-3:]
    for k, y in enumerate(prog_years):
        f = flags[flags["year"] == y]
        n_y = max(len(f), 1)
        measured = (100.0 * f["flagged"].sum() / n_y,
                    100.0 * (~f["flagged"] & (f["n_hits"] == 1)).sum() / n_y)
        for i, (indicator, rng_v, p22, p23) in enumerate(_PROGRAMME):
            if rng_v is None:
                value = measured[i]
            else:
                if k < 2 and p22 is None:
                    continue
                value = rng.uniform(*rng_v)
            points = (p22, p23)[k] if k < 2 else int(rng.integers(3, 7))
            target = value * 0.7 if i < 2 else min(100.0, max(value, 50.0) * 1.1)
            rows.append((np.int64(y), f"{i + 1}. {indicator}", round(value, 1), float(points),
                         round(target, 1), float(_PROGRAMME_MAX_POINTS)))
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "points", "target",
                                       "max_points"])


def _risk_profiles(rng: np.random.Generator, sch: pd.DataFrame, flags: pd.DataFrame,
                   social: pd.DataFrame, year: int) -> pd.DataFrame:
    """One level per factor (seed 000 tables 4–6) for every school the rule flags in ``year``."""
    ids = flags.loc[(flags["year"] == year) & flags["flagged"], "school_id"].to_numpy()
    s = sch.set_index("school_id").loc[ids]
    soc = social[social["year"] == year].set_index("school_id").reindex(ids)
    tot = soc["students_total"].to_numpy()
    rural = (s["locality"] == "rural").to_numpy().astype(float)
    status = s["_status"].to_numpy()
    feature = np.zeros((len(ids), 10))
    feature[:, 0] = 0.8 * rural                                  # equipment
    feature[:, 1] = 0.8 * rural                                  # teacher shortage
    feature[:, 5] = -0.6 * s["_effect"].to_numpy()               # failure risk
    feature[:, 6] = np.nan_to_num(soc["ovz"].to_numpy() / tot - 0.06) * 15  # ОВЗ
    feature[:, 7] = np.nan_to_num(soc["non_native_russian"].to_numpy() / tot - 0.05) * 15 - 0.8
    feature[:, 8] = -0.4 * status                                # school climate
    feature[:, 9] = -0.6 * status                                # parental involvement
    z = feature + rng.normal(0, 0.7, feature.shape)
    level = np.select([z > 0.45, z > -0.45], ["high", "medium"], "low")
    return pd.DataFrame({
        "year": np.int64(year), "school_id": np.repeat(ids, 10),
        "factor": np.tile(np.arange(1, 11, dtype=np.int64), len(ids)), "level": level.ravel(),
    })
