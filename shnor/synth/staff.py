"""The staff («Кадры») and roadmap («Дорожная карта») tables of a synthetic region, drawn from a
generator of their own (seeded from the region's seed) so that the other tables do not change."""

from __future__ import annotations

import numpy as np
import pandas as pd

# measures of a municipal roadmap (seeds 000, 003, 004), with the month of their deadline
_MEASURES = (
    ("Мониторинг результатов ВПР, ОГЭ, ЕГЭ школ с низкими результатами", 9),
    ("Анализ профессиональных дефицитов педагогов", 10),
    ("Курсы повышения квалификации педагогов по предметам", 12),
    ("Заседание муниципальной рабочей группы по реализации программы", 2),
    ("Посещение стажировочных площадок управленческими командами", 4),
    ("Мониторинг эффективности реализации дорожной карты", 6),
)
_START_YEAR = 2023  # seed 000: the programme «на 2023-2025 годы» (monitoring.roadmap.programme_start)
_RESPONSIBLE = ("Управление образования", "Муниципальная методическая служба",
                "Руководители ОО")


def _staff(rng: np.random.Generator, sch: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    rows = []
    for school_id, size in zip(sch["school_id"], sch["_size"]):
        base = max(3, round(float(size) / 12 * rng.lognormal(0, 0.2)))
        p_high, p_first = rng.uniform(0.1, 0.7), rng.uniform(0.1, 0.35)
        p_young, p_pens = rng.uniform(0.0, 0.15), rng.uniform(0.05, 0.4)
        vac_rate = rng.choice([0.0, 0.05, 0.15, 0.3], p=[0.5, 0.3, 0.15, 0.05])
        for y in years[-2:]:
            t = max(2, base + int(rng.integers(-1, 2)))
            high = rng.binomial(t, p_high)
            first = rng.binomial(t - high, min(1.0, p_first / max(1e-9, 1 - p_high)))
            rows.append((int(y), school_id, float(t), float(rng.binomial(t, vac_rate)),
                         float(high), float(first), float(rng.binomial(t, p_young)),
                         float(rng.binomial(t, p_pens)), float(rng.binomial(t, 0.3)),
                         float(rng.binomial(t, 0.1)), float(rng.binomial(t, 0.25)),
                         float(rng.binomial(t, 0.08))))
    return pd.DataFrame(rows, columns=[
        "year", "school_id", "teachers", "vacancies", "highest_category", "first_category",
        "under_35", "pensioners", "research_leaders", "experimental", "sharing_experience",
        "contest_participants"])


def _roadmap(rng: np.random.Generator, sch: pd.DataFrame, flags: pd.DataFrame,
             last_year: int) -> pd.DataFrame:
    """Municipal measures for the last two years and one school measure per flagged school."""
    rows = []
    for y in (y for y in (last_year - 1, last_year) if y >= _START_YEAR):
        for measure, month in _MEASURES:
            deadline = pd.Timestamp(y, month, 1) + pd.offsets.MonthEnd(0)
            rows.append(_measure(rng, y, measure, "", deadline, last_year))
    if last_year < _START_YEAR:
        return pd.DataFrame(rows, columns=["year", "measure", "school_id", "responsible",
                                           "deadline", "done_date", "state"])
    flagged = flags[(flags["year"] == last_year - 1) & flags["flagged"]]["school_id"]
    for school_id in sorted(set(flagged)):
        deadline = pd.Timestamp(last_year, 5, 31)
        rows.append(_measure(rng, last_year, "Реализация школьной программы перехода в "
                             "эффективный режим", school_id, deadline, last_year))
    return pd.DataFrame(rows, columns=["year", "measure", "school_id", "responsible",
                                       "deadline", "done_date", "state"])


def _measure(rng, year, measure, school_id, deadline, last_year):
    u = rng.random()
    if u < 0.8:
        done = deadline - pd.Timedelta(days=int(rng.integers(0, 20)))
    elif u < 0.92:
        done = deadline + pd.Timedelta(days=int(rng.integers(5, 60)))
    else:
        done = None
    if done is not None and done > pd.Timestamp(last_year, 12, 31):
        done = None
    responsible = "Руководитель ОО" if school_id else _RESPONSIBLE[int(rng.integers(0, 3))]
    return (int(year), measure, school_id or np.nan, responsible, deadline.strftime("%Y-%m-%d"),
            done.strftime("%Y-%m-%d") if done is not None else np.nan,
            "done" if done is not None else "not_done")


def staff_and_roadmap(seed: int, sch: pd.DataFrame, flags: pd.DataFrame,
                      years: np.ndarray) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng([int(seed), 3])  # its own stream: other tables unchanged
    return {"staff": _staff(rng, sch, years), "roadmap": _roadmap(rng, sch, flags,
                                                                   int(years[-1]))}
