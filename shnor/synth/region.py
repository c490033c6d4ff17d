"""Synthetic regions: the embedded demo region and a national-size generator.

The generator draws a region that looks like a real Russian one (SPEC §3) from a small latent
model; everything is vectorised over schools × years × assessments (no Python loops over schools)
and driven by one ``numpy.random.Generator`` seeded with ``seed``. ``docs/data.md`` (section
«Демонстрационный регион») describes the model in Russian.

Model
-----
*Municipalities*: ``round(n_schools / 32)`` (25 for 800 schools); the first is the regional
centre (weight 6), 40 % of the others are city districts («Городской округ …»), the rest rural
districts («… муниципальный район»); sizes log-normal (σ = 0.5). A school is urban with
probability 0.97 in the centre, 0.9 in a city district, 0.2 in a rural district.
``school_id`` = municipality code (2 digits, 01–09 give leading zeros) + school code (4 digits).

*School types*: urban — СОШ 66 %, гимназия 8 %, лицей 6 %, СОШ с УИОП 6 %, ООШ 4 %, вечерняя
4 %, коррекционная 6 %; rural — СОШ 48 %, ООШ 36 %, НОШ 12 %, вечерняя 2 %, коррекционная 2 %.
Assessments: НОШ — ВПР 4; ООШ and коррекционная — ВПР 4–8, ОГЭ; вечерняя — ОГЭ, ЕГЭ; the others —
ВПР 4–8, ОГЭ, ЕГЭ (Russian, math_base, math_profile). 1.5 % of rural ООШ/НОШ are tiny (1–4
students per grade: every group below 5).

*Participants*: a grade size per school, log-uniform in 25–120 (urban; гимназия/лицей 50–120,
urban ООШ 15–30, вечерняя 8–25, коррекционная 5–15) or 4–15 (rural; НОШ 3–10), a yearly
log-normal wobble (σ = 0.12), participation 92 % (ВПР) / 97 % (ГИА), rural ВПР/ОГЭ groups
clipped to 3–15 and 3 % of rural grade-years without a class. Grade 11 is 45 % (rural), 50 %
(urban), 70 % (гимназия/лицей) of the grade size; ЕГЭ math_profile takes 30–70 % of the
grade-11 group (more in stronger schools), math_base the rest.

*Marks*: an ordered logit per group with latent ability
``a = 0.35·s + u + w + e + v (+ 1.6 on ВПР for objectivity cases)``: social status
``s ~ N(0, 1)`` (+0.3 urban, −0.35 rural, −0.1 ООШ/НОШ, +0.7 гимназия/лицей/УИОП, −1.0
вечерняя, −0.8 коррекционная), persistent school effect ``u ~ N(0, 0.75)`` (+0.5 гимназия,
+0.6 лицей, +0.4 УИОП, −0.05 ООШ, −0.5 вечерняя, −0.3 коррекционная), persistent school ×
subject effect ``w ~ N(0, 0.2)``, school × year ``e ~ N(0, 0.08)``, group ``v ~ N(0, 0.12)``.
The cut points are the logits of the regional mark distribution of each assessment at
``a = 0`` (:data:`_ASSESSMENTS`). n_fail, n_mark3, n_mark4, n_mark5 and the ЕГЭ 81+ count
(n_high, Russian and math_profile only; NaN elsewhere) are one multinomial draw per group, so
marks sum to the participants. ``mean_score``
is the mean mark (ВПР, ОГЭ, ЕГЭ math_base; 2 decimals) or the 0–100 test score (ЕГЭ Russian and
math_profile: midpoints of the score bands of the drawn categories + N(0, 1.5), 1 decimal).

*Objectivity cases*: 2.5 % of СОШ/ООШ get +1.6 on ВПР only (and −0.3 on ``u``): ВПР results far
above the region, not confirmed by ОГЭ.

*Social passport* per school and year: ``students_total`` = grade size × grades taught, each
count a binomial draw with share ``logistic(logit(p0) + b·s + N(0, 0.3) + N(0, 0.08))``:
single_parent (p0 0.20, b −0.25), parents_higher_edu (0.20, +0.7), deviant_registered
(0.015, −0.6), unemployed_parents (0.07, −0.55), low_income (0.15, −0.5), non_native_russian
(0.03, −0.2; 8 % of schools +2 on the logit), ovz (0.05, −0.2; коррекционная 97 %),
large_families (0.13, −0.1).

*Gaps*: 1.5 % of schools close and 1 % open during the period, 1 % of school-years without
results, 2 % of school-years without a social passport, 0.5 % of social cells and 2 % of
``mean_score`` values missing.

*Optional tables*: ``lists`` — «ФИОКО ШНОР» (the rule's list minus 10 %, plus single-hit
schools amounting to 5 % of it) and «Региональный проект» (the listed half with the lowest
``s`` plus up to two unlisted schools of very low ``s``) for the last two years;
``programme`` — seed 000 table 12 for the last three years; ``risk_profiles`` — the 10 factors
of seed 000 tables 4–6, one level each, for the schools the rule flags in the last year.

Calibration (the rule of seed 000 table 1: ≥ 30 % «2» in ≥ 2 assessments of ВПР 5–8/ОГЭ/ЕГЭ in
a year or in one assessment two years running; groups ≥ 5). Demo, seed 2024: 10.5 / 11.9 /
12.3 / 11.8 % of the schools with results in 2021–2024 (82 / 93 / 97 / 92 schools), 61–71 % of
the flagged schools flagged again the next year, 93 % of the flagged schools with two or more
assessments at or above 30 %. Seeds 1–4: 10–15 % per year, 54–72 % again the next year.
Regional share of «2»: ВПР 4 4–5 %, ВПР 5–8 6–9 %, ОГЭ 3–6 %, ЕГЭ 1–4 %.
National size (40,000 schools × 5 years, 2.5 M results rows): about 4–8 s to generate and
7 s to write the CSV on the 2-core development machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.io.contract import (
    SOCIAL_COUNTS,
    TABLES,
)
from shnor.synth.programme import (
    _lists,
    _programme,
    _risk_profiles,
    _rule_flags,
)
from shnor.synth.staff import staff_and_roadmap

DEMO_SEED = 2024

# --- names ------------------------------------------------------------------------------------

_TOWNS = (
    "Краснореченск", "Северный", "Заречный", "Лесной", "Медногорск", "Светлогорск",
    "Сосновоборск", "Берёзовск", "Горнозаводск", "Новоуральск", "Верхнекамск", "Озёрск",
    "Каменск", "Железногорск", "Снежинск", "Ключевск", "Малахитовый", "Рудный", "Уральский",
    "Кедровый", "Полярный", "Черноречье", "Высокогорский", "Радужный",
)
_DISTRICTS = (
    "Каменский", "Берёзовский", "Сосновский", "Ольховский", "Луговской", "Приозёрный",
    "Белоярский", "Камышинский", "Ключевской", "Красногорский", "Талицкий", "Боровской",
    "Покровский", "Никольский", "Верхнеполевской", "Нижнеборский", "Заречный", "Песчанский",
    "Ирбитский", "Тугулымский", "Шалинский", "Ачитский", "Байкаловский", "Слободской",
    "Туринский", "Пышминский", "Таборинский", "Гаринский", "Махнёвский", "Кленовский",
)
_VILLAGES = (
    "Ивановская", "Петровская", "Никольская", "Берёзовская", "Сосновская", "Покровская",
    "Троицкая", "Михайловская", "Александровская", "Луговская", "Нагорная", "Заречная",
    "Полевская", "Каменская", "Кленовская", "Липовская", "Дубровская", "Вознесенская",
    "Успенская", "Знаменская", "Богородская", "Воскресенская", "Рождественская", "Ильинская",
    "Георгиевская", "Дмитриевская", "Сергеевская", "Фёдоровская", "Григорьевская", "Павловская",
    "Андреевская", "Васильевская", "Алексеевская", "Семёновская", "Мостовская", "Ключевская",
    "Родниковская", "Песчанская", "Боровская", "Рябиновская", "Черёмуховская", "Малиновская",
    "Калиновская", "Ольховская", "Осиновская", "Еловская", "Кедровская", "Слободская",
    "Крутихинская", "Бугровская", "Шатровская", "Горская", "Речкаловская", "Уфимская",
)

# --- school types -----------------------------------------------------------------------------

_TYPES = ("СОШ", "ООШ", "НОШ", "гимназия", "лицей", "СОШ с УИОП", "вечерняя", "коррекционная")
_URBAN_MIX = (0.66, 0.04, 0.0, 0.08, 0.06, 0.06, 0.04, 0.06)
_RURAL_MIX = (0.48, 0.36, 0.12, 0.0, 0.0, 0.0, 0.02, 0.02)
# social-status and school-effect shifts per type (same order as _TYPES)
_TYPE_SOCIAL = np.array([0.0, -0.1, -0.1, 0.7, 0.7, 0.7, -1.0, -0.8])
_TYPE_EFFECT = np.array([0.0, -0.05, 0.0, 0.5, 0.6, 0.4, -0.5, -0.3])
_NAME_PATTERN = {  # urban (numbered) name; rural name uses the village adjective
    "СОШ": "СОШ № {n}", "ООШ": "ООШ № {n}", "НОШ": "НОШ № {n}", "гимназия": "Гимназия № {n}",
    "лицей": "Лицей № {n}", "СОШ с УИОП": "СОШ с УИОП № {n}", "вечерняя": "ВСОШ № {n}",
    "коррекционная": "С(К)ОШ № {n}",
}
_RURAL_SUFFIX = {"СОШ": "СОШ", "ООШ": "ООШ", "НОШ": "НОШ", "вечерняя": "ВСОШ",
                 "коррекционная": "С(К)ОШ"}

# --- assessments ------------------------------------------------------------------------------

# procedure, grade, subject, regional shares of (fail, 3, 4, 5, 81+) at average ability
_ASSESSMENTS = (
    ("VPR", 4, "russian", (0.05, 0.30, 0.45, 0.20, 0.0)),
    ("VPR", 4, "math", (0.04, 0.28, 0.43, 0.25, 0.0)),
    ("VPR", 5, "russian", (0.08, 0.45, 0.36, 0.11, 0.0)),
    ("VPR", 5, "math", (0.06, 0.47, 0.35, 0.12, 0.0)),
    ("VPR", 6, "russian", (0.08, 0.48, 0.34, 0.10, 0.0)),
    ("VPR", 6, "math", (0.07, 0.49, 0.34, 0.10, 0.0)),
    ("VPR", 7, "russian", (0.09, 0.49, 0.33, 0.09, 0.0)),
    ("VPR", 7, "math", (0.07, 0.54, 0.31, 0.08, 0.0)),
    ("VPR", 8, "russian", (0.09, 0.50, 0.33, 0.08, 0.0)),
    ("VPR", 8, "math", (0.07, 0.56, 0.30, 0.07, 0.0)),
    ("OGE", 9, "russian", (0.03, 0.30, 0.40, 0.27, 0.0)),
    ("OGE", 9, "math", (0.05, 0.50, 0.36, 0.09, 0.0)),
    ("EGE", 11, "russian", (0.01, 0.28, 0.31, 0.24, 0.16)),
    ("EGE", 11, "math_base", (0.02, 0.22, 0.41, 0.35, 0.0)),
    ("EGE", 11, "math_profile", (0.05, 0.42, 0.37, 0.10, 0.06)),
)
_N_ASSESS = len(_ASSESSMENTS)
_A_PROC = np.array([a[0] for a in _ASSESSMENTS])
_A_GRADE = np.array([a[1] for a in _ASSESSMENTS])
_A_SUBJ = np.array([a[2] for a in _ASSESSMENTS])
_A_MATH = np.array([s != "russian" for s in _A_SUBJ])
# cumulative logits of the regional distribution = cut points at ability 0
_CUM = np.cumsum([a[3] for a in _ASSESSMENTS], axis=1)[:, :4].clip(1e-9, 1 - 1e-9)
_CUTS = np.log(_CUM / (1 - _CUM))
# ЕГЭ 0–100 score band midpoints (fail, 3, 4, 5 below 81, 81+) for the test-score subjects
_EGE_BANDS = {"russian": (18.0, 44.0, 64.0, 76.0, 88.0),
              "math_profile": (18.0, 39.0, 58.0, 73.0, 87.0)}
# which assessment rows each school type has
_HAS = {
    "НОШ": _A_GRADE == 4,
    "ООШ": _A_PROC != "EGE",
    "коррекционная": _A_PROC != "EGE",
    "вечерняя": _A_PROC != "VPR",
}
_GRADE_SIZE = {  # (low, high) students per grade, urban / rural
    "urban": {"ООШ": (15, 30), "вечерняя": (8, 25), "коррекционная": (5, 15)},
    "rural": {"НОШ": (3, 10), "вечерняя": (5, 12), "коррекционная": (4, 10)},
}
_GRADES_TAUGHT = {"НОШ": 4, "ООШ": 9, "коррекционная": 9, "вечерняя": 4}  # else 11




def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _municipalities(rng: np.random.Generator, n_mun: int) -> pd.DataFrame:
    kind = np.where(rng.random(n_mun) < 0.4, "city", "rural")
    kind[0] = "centre"
    weight = rng.lognormal(0.0, 0.5, n_mun)
    weight[0] = 6.0
    towns = rng.permutation(len(_TOWNS))
    districts = rng.permutation(len(_DISTRICTS))
    is_city = kind != "rural"
    ci = np.cumsum(is_city) - 1
    ri = np.cumsum(~is_city) - 1
    town = np.array(_TOWNS)[towns[ci % len(_TOWNS)]]
    district = np.array(_DISTRICTS)[districts[ri % len(_DISTRICTS)]]
    # a numeric suffix keeps names unique at national size
    t_sfx = np.where(ci >= len(_TOWNS), " " + (ci // len(_TOWNS) + 1).astype(str), "")
    r_sfx = np.where(ri >= len(_DISTRICTS), " " + (ri // len(_DISTRICTS) + 1).astype(str), "")
    name = np.where(is_city, "Городской округ " + town + t_sfx,
                    district + " муниципальный район" + r_sfx)
    return pd.DataFrame({"name": name, "kind": kind, "weight": weight})


def _schools(rng: np.random.Generator, n_schools: int) -> pd.DataFrame:
    """Schools with their hidden traits (social status, school effect, grade size, flags)."""
    n_mun = max(1, round(n_schools / 32))
    mun = _municipalities(rng, n_mun)
    p = mun["weight"].to_numpy() / mun["weight"].sum()
    counts = 1 + rng.multinomial(n_schools - n_mun, p)
    m = np.repeat(np.arange(n_mun), counts)
    kind = mun["kind"].to_numpy()[m]
    p_urban = np.select([kind == "centre", kind == "city"], [0.97, 0.9], 0.2)
    urban = rng.random(n_schools) < p_urban
    u_type = rng.choice(len(_TYPES), n_schools, p=_URBAN_MIX)
    r_type = rng.choice(len(_TYPES), n_schools, p=_RURAL_MIX)
    t = np.where(urban, u_type, r_type)
    stype = np.array(_TYPES)[t]

    # school_id: municipality code + school code inside it (leading zeros for codes 01–09)
    step = rng.integers(1, 30, n_schools)
    local = pd.Series(step).groupby(m).cumsum().to_numpy() + 100
    mun_w = max(2, len(str(n_mun)))
    loc_w = max(4, len(str(int(local.max()))))
    school_id = np.char.add(np.char.zfill((m + 1).astype(str), mun_w),
                            np.char.zfill(local.astype(str), loc_w))

    # names: urban schools of a municipality share one number series with small gaps (the k-th
    # school in a random order gets the k-th number); rural ones are named after a village
    rank = pd.Series(rng.random(n_schools)).groupby([m, urban]).rank(method="first")
    series = pd.Series(rng.integers(1, 4, n_schools)).groupby([m, urban]).cumsum()
    start = pd.Series(np.arange(n_schools)).groupby([m, urban]).transform("min")
    by_pos = series.groupby([m, urban]).cumcount()
    lookup = pd.Series(series.to_numpy(), index=pd.MultiIndex.from_arrays([start, by_pos]))
    number = lookup.reindex(pd.MultiIndex.from_arrays(
        [start, rank.astype(int) - 1])).to_numpy().astype(int)
    forms = np.array(["МАОУ", "МБОУ", "МКОУ"])
    form = np.where(urban, rng.choice(forms, n_schools, p=(0.45, 0.45, 0.1)),
                    rng.choice(forms, n_schools, p=(0.15, 0.55, 0.3)))
    form = np.where(np.isin(stype, ("гимназия", "лицей")), "МАОУ", form)
    urban_name = np.array([_NAME_PATTERN[s] for s in _TYPES])[t]
    urban_name = np.char.replace(urban_name.astype(str), "{n}", number.astype(str))
    village = np.array(_VILLAGES)[rng.integers(0, len(_VILLAGES), n_schools)]
    rural_name = np.char.add(np.char.add(village, " "),
                             np.array([_RURAL_SUFFIX.get(s, s) for s in _TYPES])[t])
    name = np.char.add(np.char.add(form, " "), np.where(urban, urban_name, rural_name))
    dup = pd.Series(name).groupby([m, name]).cumcount().to_numpy()
    name = np.where(dup > 0, np.char.add(name, np.char.add(" № ", (dup + 1).astype(str))), name)

    status = rng.normal(0, 1, n_schools) + np.where(urban, 0.3, -0.35) + _TYPE_SOCIAL[t]
    effect = rng.normal(0, 0.75, n_schools) + _TYPE_EFFECT[t]
    objectivity = np.isin(stype, ("СОШ", "ООШ")) & (rng.random(n_schools) < 0.025)
    effect = effect - 0.3 * objectivity

    lo = np.where(urban, 25, 4).astype(float)
    hi = np.where(urban, 120, 15).astype(float)
    for loc, table in _GRADE_SIZE.items():
        for st, (a, b) in table.items():
            sel = (stype == st) & (urban == (loc == "urban"))
            lo[sel], hi[sel] = a, b
    elite = np.isin(stype, ("гимназия", "лицей"))
    lo[elite & urban] = 50
    tiny = ~urban & np.isin(stype, ("ООШ", "НОШ")) & (rng.random(n_schools) < 0.015)
    lo[tiny], hi[tiny] = 1, 4
    size = np.exp(rng.uniform(np.log(lo), np.log(hi + 1)))
    share11 = np.select([elite, stype == "вечерняя", urban], [0.7, 1.0, 0.5], 0.45)

    return pd.DataFrame({
        "school_id": school_id, "name": name, "municipality": mun["name"].to_numpy()[m],
        "locality": np.where(urban, "urban", "rural"), "school_type": stype,
        "_status": status, "_effect": effect, "_objectivity": objectivity,
        "_size": size, "_share11": share11, "_tiny": tiny,
    })


def _presence(rng: np.random.Generator, n: int, years: np.ndarray) -> np.ndarray:
    """School × year mask of schools that exist and reported results."""
    T = len(years)
    present = np.ones((n, T), dtype=bool)
    if T > 1:
        u = rng.random(n)
        at = rng.integers(1, T, n)
        col = np.arange(T)[None, :]
        present &= ~((u < 0.015)[:, None] & (col >= at[:, None]))  # closed / merged
        present &= ~(((u >= 0.015) & (u < 0.025))[:, None] & (col < at[:, None]))  # new
    present &= rng.random((n, T)) >= 0.01  # no results submitted that year
    return present


def _results(rng: np.random.Generator, sch: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    n, T, A = len(sch), len(years), _N_ASSESS
    stype = sch["school_type"].to_numpy()
    urban = sch["locality"].to_numpy() == "urban"
    has = np.ones((n, A), dtype=bool)
    for st, mask in _HAS.items():
        has[stype == st] = mask
    present = _presence(rng, n, years)

    # grade sizes per school × year × grade (grades 4..9 and 11 -> 7 slots)
    grade_slot = np.where(_A_GRADE == 11, 6, _A_GRADE - 4)
    size = sch["_size"].to_numpy()[:, None, None] * rng.lognormal(0, 0.12, (n, T, 7))
    size[:, :, 6] *= sch["_share11"].to_numpy()[:, None]
    cohort = np.rint(size).astype(np.int64)
    n_grade = rng.binomial(cohort, np.where(np.arange(7) < 5, 0.92, 0.97))
    rural_regular = ~urban & ~sch["_tiny"].to_numpy()
    n_grade = np.where(rural_regular[:, None, None] & (np.arange(7) < 6),
                       n_grade.clip(3, 15), n_grade)
    n_grade = np.where(rural_regular[:, None, None] & (rng.random((n, T, 7)) < 0.03), 0, n_grade)
    part = n_grade[:, :, grade_slot]  # n × T × A; ЕГЭ math split below

    ability = (0.35 * sch["_status"].to_numpy() + sch["_effect"].to_numpy())[:, None, None]
    subj = rng.normal(0, 0.2, (n, 2))[:, _A_MATH.astype(int)]
    ability = ability + subj[:, None, :] + rng.normal(0, 0.08, (n, T))[:, :, None] \
        + rng.normal(0, 0.12, (n, T, A))
    ability = ability + 1.6 * (sch["_objectivity"].to_numpy()[:, None, None]
                               & (_A_PROC == "VPR")[None, None, :])

    # ЕГЭ: math_profile takes a share of the grade-11 group that grows with ability
    i_base = int(np.flatnonzero(_A_SUBJ == "math_base")[0])
    i_prof = int(np.flatnonzero(_A_SUBJ == "math_profile")[0])
    p_prof = _logistic(-0.5 + 1.2 * ability[:, :, i_prof]).clip(0.3, 0.7)
    prof = rng.binomial(part[:, :, i_prof], p_prof)
    part[:, :, i_base] = part[:, :, i_base] - prof
    part[:, :, i_prof] = prof

    keep = has[:, None, :] & present[:, :, None] & (part > 0)
    ii, tt, aa = np.nonzero(keep)
    npart = part[ii, tt, aa]
    cum = _logistic(_CUTS[aa] - ability[ii, tt, aa][:, None])
    probs = np.diff(np.concatenate([np.zeros((len(aa), 1)), cum, np.ones((len(aa), 1))], axis=1),
                    axis=1).clip(0, 1)
    # multinomial as a chain of conditional binomials: vectorised over all groups at once
    cats = np.zeros_like(probs)
    left, mass = npart.copy(), np.ones(len(aa))
    for k in range(4):
        draw = rng.binomial(left, (probs[:, k] / np.maximum(mass, 1e-12)).clip(0, 1))
        cats[:, k] = draw
        left, mass = left - draw, mass - probs[:, k]
    cats[:, 4] = left  # fail, 3, 4, 5 below 81, 81+

    subj_a = _A_SUBJ[aa]
    proc_a = _A_PROC[aa]
    scored = (proc_a == "EGE") & (subj_a != "math_base")
    n_high = np.where(scored, cats[:, 4], np.nan)
    mark5 = cats[:, 3] + cats[:, 4]
    marks_mean = (2 * cats[:, 0] + 3 * cats[:, 1] + 4 * cats[:, 2] + 5 * mark5) / npart
    bands = np.zeros((len(aa), 5))
    for s, b in _EGE_BANDS.items():
        bands[subj_a == s] = b
    score = (cats * bands).sum(axis=1) / npart + rng.normal(0, 1.5, len(aa))
    mean_score = np.where(scored, np.round(score.clip(0, 100), 1), np.round(marks_mean, 2))
    mean_score[rng.random(len(aa)) < 0.02] = np.nan

    return pd.DataFrame({
        "year": years[tt].astype(np.int64),
        "school_id": sch["school_id"].to_numpy()[ii],
        "procedure": proc_a,
        "grade": _A_GRADE[aa].astype(np.int64),
        "subject": subj_a,
        "participants": npart.astype(float),
        "n_fail": cats[:, 0], "n_mark3": cats[:, 1], "n_mark4": cats[:, 2], "n_mark5": mark5,
        "n_high": n_high,
        "mean_score": mean_score,
    })


# share of students at status 0 (logit) and its slope on status, per social count
_SOCIAL_MODEL = {
    "single_parent": (0.20, -0.25),
    "parents_higher_edu": (0.20, 0.70),
    "deviant_registered": (0.015, -0.60),
    "unemployed_parents": (0.07, -0.55),
    "low_income": (0.15, -0.50),
    "non_native_russian": (0.03, -0.20),
    "ovz": (0.05, -0.20),
    "large_families": (0.13, -0.10),
}


def _social(rng: np.random.Generator, sch: pd.DataFrame, years: np.ndarray,
            results: pd.DataFrame) -> pd.DataFrame:
    n, T = len(sch), len(years)
    grades = np.array([_GRADES_TAUGHT.get(s, 11) for s in sch["school_type"]])
    total = np.rint(sch["_size"].to_numpy()[:, None] * grades[:, None]
                    * rng.lognormal(0, 0.06, (n, T))).astype(np.int64).clip(1)
    status = sch["_status"].to_numpy()
    out = {}
    for col, (base, slope) in _SOCIAL_MODEL.items():
        z = np.log(base / (1 - base)) + slope * status + rng.normal(0, 0.3, n)
        if col == "non_native_russian":
            z = z + 2.0 * (rng.random(n) < 0.08)  # a few schools with many non-native speakers
        p = _logistic(z[:, None] + rng.normal(0, 0.08, (n, T)))
        if col == "ovz":
            p = np.where((sch["school_type"] == "коррекционная").to_numpy()[:, None], 0.97, p)
        out[col] = rng.binomial(total, p).astype(float)
    # social data exist for the school-years with results, minus 2 % not submitted
    with_results = pd.MultiIndex.from_frame(results[["school_id", "year"]]).unique()
    sid = np.repeat(sch["school_id"].to_numpy(), T)
    yr = np.tile(years, n)
    df = pd.DataFrame({"year": yr.astype(np.int64), "school_id": sid,
                       "students_total": total.ravel().astype(float),
                       **{c: v.ravel() for c, v in out.items()}})
    keep = pd.MultiIndex.from_arrays([df["school_id"], df["year"]]).isin(with_results)
    keep &= rng.random(len(df)) >= 0.02
    df = df[keep].reset_index(drop=True)
    cells = rng.random((len(df), len(SOCIAL_COUNTS))) < 0.005
    df[list(SOCIAL_COUNTS)] = df[list(SOCIAL_COUNTS)].mask(cells)
    return df


def generate_region(n_schools: int = 800, n_years: int = 4, last_year: int = 2024,
                    seed: int = DEMO_SEED, optional_tables: bool = True) -> dict[str, pd.DataFrame]:
    """A synthetic region in the canonical form of :mod:`shnor.io.contract`, in memory.

    Returns ``schools``, ``results``, ``social`` and, with ``optional_tables``, ``lists``,
    ``programme`` and ``risk_profiles`` (rows sorted by key). Same arguments → same tables.
    """
    if n_schools < 1 or n_years < 1:
        raise UserError("Число школ и число лет должны быть положительными.")
    rng = np.random.default_rng(seed)
    years = np.arange(last_year - n_years + 1, last_year + 1)
    sch = _schools(rng, n_schools)
    results = _results(rng, sch, years)
    social = _social(rng, sch, years, results)
    out = {
        "schools": sch[list(TABLES["schools"].columns)],
        "results": results,
        "social": social,
    }
    if optional_tables:
        flags = _rule_flags(results)
        out["lists"] = _lists(rng, sch, flags, years)
        out["programme"] = _programme(rng, flags, years)
        out["risk_profiles"] = _risk_profiles(rng, sch, flags, social, int(years[-1]))
        out.update(staff_and_roadmap(seed, sch, flags, years))
    for name, df in out.items():
        key = list(TABLES[name].key)
        out[name] = df.sort_values(key).reset_index(drop=True)
    return out


# --- writing ----------------------------------------------------------------------------------


