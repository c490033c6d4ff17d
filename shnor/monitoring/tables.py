"""Every table of the monitoring report and of the school cards for a report year, from the
indicators, the yearly lists and the differentiation (SPEC §4.8, §5; seeds 000–004)."""

from __future__ import annotations

import pandas as pd

from shnor.indicators import regional_means
from shnor.io.contract import TABLES
from shnor.monitoring.calendar import available_tables, monitoring_calendar
from shnor.monitoring.cards import card_history, card_profile
from shnor.monitoring.dynamics import group_dynamics, leavers, overall_dynamics, school_overall
from shnor.monitoring.indicators import programme_indicators
from shnor.monitoring.lists import FLAGS, _is_true, list_sizes, list_targets, normalise_lists
from shnor.monitoring.programme import programme_scores, programme_summary
from shnor.monitoring.risk_changes import factor_changes
from shnor.monitoring.risk_profiles import check_profiles, factor_groups, profile_year, risk_matrix
from shnor.monitoring.roadmap import overdue_list, roadmap_measures, roadmap_summary
from shnor.monitoring.staff import staff_municipalities, staff_risk_check, staff_schools
from shnor.monitoring.targets import target_summary, target_table
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
    targets = target_table(dataset.programme)
    changes, changes_region = factor_changes(prof, dataset.schools, params, until=year)
    staff = staff_schools(dataset.staff, dataset.schools, params)
    measures = roadmap_measures(dataset.roadmap, dataset.schools, year, params)
    tables = {
        "programme_targets": targets,
        "programme_targets_summary": target_summary(targets),
        "monitoring_lists": lists,
        "monitoring_sizes": sizes,
        "monitoring_targets": list_targets(sizes, params),
        "monitoring_dynamics": group_dynamics(ind, lists, dataset.schools, flag),
        "monitoring_overall": overall_dynamics(ind, lists, flag),
        "monitoring_leavers": leavers(lists, overall, dataset.schools, flag),
        "monitoring_tasks": task_indicators(ind, lists, overall, flag, sizes, changes,
                                            changes_region),
        "programme": scores,
        "programme_summary": summary,
        "risk_matrix": matrix,
        "risk_groups": factor_groups(prof_year, params),
        "risk_check": check_profiles(prof_year, expected, listed),
        "risk_changes": changes,
        "risk_changes_region": changes_region,
        "staff_schools": staff,
        "staff_municipalities": staff_municipalities(staff, params),
        "staff_check": staff_risk_check(staff, prof, year, params),
        "roadmap_measures": measures,
        "roadmap_summary": roadmap_summary(measures, params),
        "roadmap_overdue": overdue_list(measures),
        "card_history": card_history(ind, reg),
        "card_overall": overall,
        "card_profile": card_profile(lists, differentiation, matrix, dataset.schools, year,
                                     flag),
    }
    tables["programme_indicators"] = programme_indicators(
        dataset.results, lists, tables["monitoring_tasks"], differentiation, year, flag,
        params["monitoring"].get("programme_indicators", []), ind, params)
    tables["monitoring_calendar"] = monitoring_calendar(params["monitoring"].get("calendar", []),
                                                        available_tables(dataset))
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
    goals = tables["programme_targets"]
    if len(goals):
        this = goals[goals["year"] == goals["year"].max()]
        counts = this["result"].value_counts()
        notes.append(("programme", (
            f"Целевые значения программы за {int(this['year'].iloc[0])} г.: {len(this)}; "
            f"достигнуто {int(counts.get('met', 0))}, не достигнуто "
            f"{int(counts.get('not_met', 0))}, нет данных {int(counts.get('no_data', 0))}.")))
        no_dir = int((goals["status"].str.startswith("не указано направление")).sum())
        if no_dir:
            notes.append(("programme", (
                f"У {no_dir} целевых значений не указано направление (≥ или ≤): они не "
                "сравнены; добавьте столбец «Направление цели».")))
    if len(tables["risk_changes_region"]):
        r = tables["risk_changes_region"].iloc[-1]
        notes.append(("risk", (
            f"Факторы риска высокой значимости {r['previous_year']} → {r['year']} г.: "
            f"устранено {r['factors_removed']}, сохранилось {r['factors_kept']}, "
            f"появилось {r['factors_new']} (школ сравнено: {r['schools_compared']}).")))
    elif p_year is not None:
        notes.append(("risk", ("Профили рисков есть только за один год: динамику факторов "
                      "риска (показатель 6 табл. 12) оценить нельзя.")))
    if dataset.staff is None:
        notes.append(("staff", ("Таблица «Кадры» (staff) не предоставлена: кадровые показатели "
                      "не рассчитаны.")))
    elif len(tables["staff_check"]):
        notes.append(("staff", (
            f"У {len(tables['staff_check'])} школ вакансии не согласуются с заявленным "
            "фактором риска 2 «Дефицит педагогических кадров», см. таблицу проверки.")))
    if dataset.roadmap is None:
        notes.append(("roadmap", ("Таблица «Дорожная карта» (roadmap) не предоставлена: "
                      "исполнение мероприятий не оценено.")))
    targets = tables["monitoring_targets"]
    if params["monitoring"]["target_year"] > max(dataset.years):
        notes.append(("targets", (f"Целевой год {params['monitoring']['target_year']} ещё не "
                      "наступил: показано положение относительно плановой траектории.")))
    if len(targets) and targets["schools"].notna().sum() < 2:
        notes.append(("targets", "В данных один год: динамику списка оценить нельзя."))
    return pd.DataFrame(notes, columns=["topic", "text"]).astype("str")
