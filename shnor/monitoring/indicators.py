"""Each programme's own indicators computed from the results, chosen by the profile
(``monitoring.programme_indicators``): seed 004, показатели 5.1, 5.2, 5.4; seed 002,
приложение 1, пункты 1–3; seed 003, целевые показатели дорожной карты 5, 6, 9.

5.1 counts *students*: a student passed ГИА when he passed all his compulsory exams (ОГЭ:
russian and math; ЕГЭ: russian and math, базовая or профильная). The results are aggregated
by school × subject, so the share of a school's students who passed is approximated by the
minimum over the compulsory subjects of the pass share (an upper bound of the true share:
the students failing different subjects may differ), applied to the number of students
(the largest participants count among the compulsory subjects).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.identification.oip import oip_scores
from shnor.identification.table1 import scope_groups
from shnor.monitoring.dynamics import _groups

COLUMNS = ["year", "code", "indicator", "value", "numerator", "denominator", "source"]
COMPULSORY = {"OGE": {"russian": ["russian"], "math": ["math"]},
              "EGE": {"russian": ["russian"], "math": ["math_base", "math_profile"]}}
TEXTS = {
    "5.1": (("Доля обучающихся школ списка, успешно прошедших ГИА (ОГЭ и ЕГЭ: все обязательные "
             "экзамены), от числа обучающихся этих школ, проходивших ГИА"),
            "seed 004, показатель 5.1"),
    "5.2": ("Доля обучающихся школ списка, достигших базового уровня на ВПР",
            "seed 004, показатель 5.2"),
    "5.4": ("Доля школ списка с положительной динамикой (доля «2» снизилась)",
            "seed 004, показатель 5.4"),
    "002.1": ("Средний балл ОГЭ/ЕГЭ обучающихся школ списка (динамика по годам)",
              "seed 002, приложение 1, п. 1"),
    "002.2": ("Доля школ списка со средним баллом ОГЭ/ЕГЭ выше среднего по своему кластеру",
              "seed 002, приложение 1, п. 2"),
    "002.3": ("Доля школ списка, демонстрирующих прирост ОИП (ОИП выше, чем годом раньше)",
              "seed 002, приложение 1, п. 3"),
    "003.5": ("{measure} обучающихся школ списка, {procedure}",
              "seed 003, целевой показатель 5"),
    "003.6": ("Доля школ с низкими образовательными результатами от общего числа школ",
              "seed 003, целевой показатель 6"),
    "003.9": (("Доля обучающихся школ списка, не достигших базового уровня (отметка «2»), "
               "все процедуры"), "seed 003, целевой показатель 9"),
}
# seed 003, показатель 5: «процент справляемости и успешности» — marks 3–5 and 4–5
MEASURES = {"share_success": "Справляемость (доля отметок «3»–«5»)",
            "share_quality": "Успешность (доля отметок «4» и «5»)"}
PROCEDURES_003 = {"OGE": "ОГЭ", "EGE": "ЕГЭ", "VPR": "ВПР"}


def gia_students(results: pd.DataFrame) -> pd.DataFrame:
    """Students who sat and passed ГИА per year × school (the min-share approximation).

    Columns: year, school_id, students, passed."""
    parts = []
    for proc, subjects in COMPULSORY.items():
        r = results[results["procedure"] == proc]
        per = []
        for name, codes in subjects.items():
            g = (r[r["subject"].isin(codes) & r["n_fail"].notna()]
                 .groupby(["year", "school_id"])[["participants", "n_fail"]].sum())
            per.append(g.add_suffix(f"_{name}"))
        if any(p.empty for p in per):
            continue
        both = pd.concat(per, axis=1, join="inner")
        parts_ = both[[f"participants_{n}" for n in subjects]]
        shares = np.column_stack([
            1 - both[f"n_fail_{n}"] / both[f"participants_{n}"].replace(0, np.nan)
            for n in subjects])
        students = parts_.max(axis=1)
        parts.append(pd.DataFrame({"students": students,
                                   "passed": np.nanmin(shares, axis=1) * students},
                                  index=both.index))
    if not parts:
        return pd.DataFrame(columns=["year", "school_id", "students", "passed"])
    out = pd.concat(parts).groupby(level=[0, 1]).sum().reset_index()
    return out


def _mean_scores(results: pd.DataFrame) -> pd.DataFrame:
    """Participant-weighted ОГЭ/ЕГЭ mean score per year × school: year, school_id, w, n."""
    r = results[results["procedure"].isin(["OGE", "EGE"]) & results["mean_score"].notna()]
    r = r.assign(w=r["mean_score"] * r["participants"])
    return r.groupby(["year", "school_id"])[["w", "participants"]].sum().reset_index()


def oip_growth(ind: pd.DataFrame, params: dict) -> pd.DataFrame:
    """ОИП of each school in consecutive years (seed 002's integral indicator,
    :func:`shnor.identification.oip.oip_scores`): year, school_id, oip, oip_prev, grew."""
    scores = oip_scores(scope_groups(ind, params), params)[["year", "school_id", "oip"]]
    prev = scores.assign(year=scores["year"] + 1).rename(columns={"oip": "oip_prev"})
    both = scores.merge(prev, on=["year", "school_id"])
    return both.assign(grew=both["oip"] > both["oip_prev"])


def programme_indicators(results: pd.DataFrame, lists: pd.DataFrame, tasks: pd.DataFrame,
                         differentiation: pd.DataFrame | None, year: int, flag: str,
                         codes: list[str], ind: pd.DataFrame | None = None,
                         params: dict | None = None) -> pd.DataFrame:
    """The indicators ``codes`` per year for the programme cohort (on the list of the year
    before). ``tasks``: :func:`shnor.monitoring.tasks.task_indicators` (5.2 and 5.4 from it);
    ``differentiation``: the clusters of ``year`` (002.2 only for that year); ``ind`` and
    ``params``: the indicators and parameters ОИП is computed from (002.3)."""
    rows = []
    cohort = _groups(lists, flag)["programme"]

    def add(y, code, num, den, **fill):
        text, source = TEXTS[code]
        text = text.format(**fill)
        rows.append({"year": int(y), "code": code, "indicator": text,
                     "value": num / den if den else np.nan, "numerator": float(num),
                     "denominator": float(den), "source": source})

    if "5.1" in codes:
        gia = gia_students(results).merge(cohort, on=["year", "school_id"])
        for y, g in gia.groupby("year"):
            add(y, "5.1", g["passed"].sum(), g["students"].sum())
    for code in ("5.2", "5.4"):
        if code in codes:
            for r in tasks[tasks["source"].str.contains(f"показатель {code}")].itertuples():
                add(r.year, code, r.numerator, r.denominator)
    scores = _mean_scores(results)
    if "002.1" in codes:
        sub = scores.merge(cohort, on=["year", "school_id"])
        for y, g in sub.groupby("year"):
            add(y, "002.1", g["w"].sum(), g["participants"].sum())
    if "002.2" in codes and differentiation is not None and "cluster" in differentiation:
        now = scores[scores["year"] == year].merge(
            differentiation[["school_id", "cluster"]].dropna(), on="school_id")
        if len(now):
            tot = now.groupby("cluster")[["w", "participants"]].transform("sum")
            now = now.assign(above=now["w"] / now["participants"]
                             > tot["w"] / tot["participants"])
            mine = now[now["school_id"].isin(cohort.loc[cohort["year"] == year, "school_id"])]
            if len(mine):
                add(year, "002.2", int(mine["above"].sum()), len(mine))
    if "002.3" in codes and ind is not None:
        growth = oip_growth(ind, params).merge(cohort, on=["year", "school_id"])
        for y, g in growth.groupby("year"):
            add(y, "002.3", int(g["grew"].sum()), len(g))
    if "003.5" in codes and ind is not None:
        sub = ind[ind["procedure"].isin(list(PROCEDURES_003))].merge(
            cohort, on=["year", "school_id"])
        for (y, proc), g in sub.groupby(["year", "procedure"]):
            for column, measure in MEASURES.items():
                ok = g[column].notna() & g["participants"].notna()
                n = g.loc[ok, "participants"]
                add(y, "003.5", (g.loc[ok, column] * n).sum(), n.sum(), measure=measure,
                    procedure=PROCEDURES_003[proc])
    if "003.6" in codes:
        for y, g in lists.groupby("year"):
            add(y, "003.6", int(g[flag].fillna(False).astype(bool).sum()), len(g))
    if "003.9" in codes:
        r = results[results["n_fail"].notna() & results["participants"].notna()]
        sub = r.merge(cohort, on=["year", "school_id"])
        for y, g in sub.groupby("year"):
            add(y, "003.9", g["n_fail"].sum(), g["participants"].sum())
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["year", "code"], kind="stable").reset_index(drop=True)
