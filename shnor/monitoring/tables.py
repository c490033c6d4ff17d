"""Every table of the monitoring report and of the school cards for a report year, from the
indicators, the yearly lists and the differentiation (SPEC §4.8, §5; seeds 000–004)."""

from __future__ import annotations

import pandas as pd

from shnor.indicators import regional_means
from shnor.io.contract import TABLES
from shnor.monitoring.cards import card_history, card_profile
from shnor.monitoring.dynamics import group_dynamics, leavers, overall_dynamics, school_overall
from shnor.monitoring.lists import FLAGS, _is_true, list_sizes, list_targets, normalise_lists
from shnor.monitoring.programme import programme_scores, programme_summary
from shnor.monitoring.risk_profiles import check_profiles, factor_groups, profile_year, risk_matrix
from shnor.monitoring.tasks import task_indicators


def monitoring_tables(dataset, year: int, params: dict, ind: pd.DataFrame,
                            lists: pd.DataFrame, differentiation: pd.DataFrame | None
                            ) -> dict[str, pd.DataFrame]:
    """All tables of the monitoring report and of the school cards for ``year``.

    ``ind``: the indicators of all results rows; ``lists``: the lists of every year
    (:func:`shnor.monitoring.lists.stack_lists`); ``differentiation``: the contract table of
    the differentiation of ``year`` (``None`` leaves it out of the cards).
    """
    lists = normalise_lists(lists)
    flag = params["monitoring"]["target_list"]
    sizes = list_sizes(lists)
    reg = regional_means(ind)
    overall = school_overall(ind, reg)
    scores = programme_scores(dataset.programme, params)
    summary = programme_summary(scores, params)

    prof = dataset.risk_profiles
    p_year = profile_year(prof, year)
    if p_year is None:
        prof_year = pd.DataFrame({"year": pd.Series(dtype="int64"),
                                  "school_id": pd.Series(dtype="str"),
                                  "factor": pd.Series(dtype="int64"),
                                  "level": pd.Series(dtype="str")})
        expected: list[str] = []
        listed = []
    else:
        prof_year = prof[prof["year"] == p_year]
        that_year = lists[lists["year"] == p_year]
        required = params["monitoring"]["risk_profiles"]["required_lists"]
        expected = that_year.loc[_is_true(that_year[required].any(axis=1)), "school_id"].tolist()
        listed = that_year.loc[_is_true(that_year[list(FLAGS)].any(axis=1)), "school_id"]
    matrix = risk_matrix(prof_year, dataset.schools, expected)
    tables = {
        "monitoring_lists": lists,
        "monitoring_sizes": sizes,
        "monitoring_targets": list_targets(sizes, params),
        "monitoring_dynamics": group_dynamics(ind, lists, dataset.schools, flag),
        "monitoring_overall": overall_dynamics(ind, lists, flag),
        "monitoring_leavers": leavers(lists, overall, dataset.schools, flag),
        "monitoring_tasks": task_indicators(ind, lists, overall, flag, sizes),
        "programme": scores,
        "programme_summary": summary,
        "risk_matrix": matrix,
        "risk_groups": factor_groups(prof_year, params),
        "risk_check": check_profiles(prof_year, expected, listed),
        "card_history": card_history(ind, reg),
        "card_overall": overall,
        "card_profile": card_profile(lists, differentiation, matrix, dataset.schools, year,
                                     flag),
    }
    tables["monitoring_notes"] = monitoring_notes(dataset, year, params, tables, p_year)
    return tables


def monitoring_notes(dataset, year: int, params: dict, tables: dict, p_year) -> pd.DataFrame:
    """Sentences for the report about what is missing or notable: columns topic, text."""
    notes = [(table if table != "risk_profiles" else "risk",
              (f"Таблица «{TABLES[table].title}» ({table}) исключена из расчёта из-за ошибок во "
               f"входных данных ({len(problems)}); список ошибок — в отчёте «Обзор данных»."))
             for table, problems in dataset.excluded.items()]
    if dataset.programme is None or dataset.programme.empty:
        notes.append(("programme", ("Таблица показателей программы (programme) не предоставлена: "
                      "баллы и уровень эффективности программы не рассчитаны.")))
    else:
        skipped = tables["programme"]["status"] != ""
        if skipped.any():
            notes.append(("programme", (f"Не учтено показателей программы: {int(skipped.sum())} "
                          "(нет баллов или баллы вне допустимого диапазона), см. «Статус».")))
        years = ", ".join(map(str, tables["programme_summary"]["year"]))
        notes.append(("programme", f"Годы в таблице показателей программы: {years}."))
    if p_year is None:
        notes.append(("risk", ("Таблица факторов риска (risk_profiles) не предоставлена: профили "
                      "рисков и сгруппированные списки факторов не построены.")))
    else:
        if p_year != year:
            notes.append(("risk", f"Профили рисков за {year} г. нет; показаны профили {p_year} г."))
        check = tables["risk_check"]
        if len(check):
            n = check["school_id"].nunique()
            notes.append(("risk", (f"Профили рисков неполны или противоречивы у {n} школ "
                          f"({len(check)} замечаний), см. таблицу проверки.")))
        else:
            notes.append(("risk", ("Профили рисков полны: у каждой школы списков по одному "
                          "уровню значимости для каждого из 10 факторов.")))
    targets = tables["monitoring_targets"]
    if params["monitoring"]["target_year"] > max(dataset.years):
        notes.append(("targets", (f"Целевой год {params['monitoring']['target_year']} ещё не "
                      "наступил: показано положение относительно плановой траектории.")))
    if len(targets) and targets["schools"].notna().sum() < 2:
        notes.append(("targets", "В данных один год: динамику списка оценить нельзя."))
    return pd.DataFrame(notes, columns=["topic", "text"]).astype("str")
