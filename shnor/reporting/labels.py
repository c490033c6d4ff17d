"""The label registry: one Russian header for every column and one Russian word for every coded
value, used by the Excel sheets, the HTML reports, the school cards and the notebooks alike.

Input columns take their titles from the data contract (:data:`shnor.io.contract.COLUMN_LABELS`,
the headers a user writes in the input files); computed columns are labelled here. A few
column names are generic (``label``, ``item``, ``status``…): where their meaning depends on the
table, the header is given in :data:`TABLE_LABELS`. Sheets and notebooks name the columns they
show and take the headers from :func:`header` / :func:`headers`.
"""

from __future__ import annotations

import pandas as pd

from shnor.io.contract import COLUMN_LABELS as CONTRACT_LABELS
from shnor.io.contract import RISK_LEVEL_LABELS
from shnor.monitoring.risk_profiles import CONFLICT, FACTOR_SHORT

COLUMN_LABELS = {
    "diff_value_added": {"participants": "Участников в процедурах индекса"},
    **CONTRACT_LABELS,
    # Data and indicators
    "assessment": "Оценочная процедура",
    "assessments": "Процедур в году",
    "has_social": "Есть социальный паспорт",
    "share_fail": "Доля не преодолевших порог",
    "share_success": "Успеваемость",
    "share_quality": "Качество знаний",
    "share_high": "Доля высоких результатов",
    "reliable": "Достаточно участников",
    "unreliable": "Ненадёжных групп",
    "no_fail_count": "Групп без числа «2»",
    "no_marks": "Групп без отметок",
    "schools": "Школ",
    "n_schools": "Школ",
    "table": "Таблица",
    "problem": "Замечание",
    "parameter": "Параметр",
    "source": "Источник",
    "status": "Что не определено и почему",
    # Identification
    "low_results": "Низкие результаты",
    "risk_zone": "Зона риска",
    "unfavourable": "Неблагоприятные условия",
    "shnsu": "ШНСУ",
    "persistent": "Устойчиво низкие",
    "escalation": "В списке второй год подряд",
    "low_results_prev": "В списке прошлого года",
    "share_low_results": "Доля с низкими результатами",
    "undecided": "Не определено",
    "list_change": "Изменение списка",
    "years_on_list": "Лет подряд в основном списке мониторинга",
    "reasons": "Основания",
    "official": "В официальном списке",
    "comparison": "Сравнение",
    "explanation": "Пояснение",
    "support_table": "Таблица программы поддержки",
    "support_lists": "Списки программы поддержки",
    "support_title": "Название таблицы",
    "support_1": "Таблица 1 (несправляющиеся)",
    "support_2": "Таблица 2 (неблагополучные)",
    "support_3": "Таблица 3 (резильентные и др.)",
    # Differentiation
    "isbsh": "ИСБШ",
    "isbsh_group": "Группа ИСБШ",
    "isbsh_level": "Уровень ИСБШ",
    "quality_index": "Индекс качества",
    "quality_group": "Группа качества",
    "quality_level": "Уровень качества",
    "cluster": "Кластер",
    "typology": "Тип школы по таблице 7",
    "expected": "Ожидаемый индекс качества",
    "value_added": "Добавленная ценность",
    "value_added_low": "Нижняя граница",
    "value_added_high": "Верхняя граница",
    "verdict": "Вывод",
    "objectivity_flag": "Признаки необъективности ВПР",
    "differentiation_status": "Примечание к дифференциации",
    "sign": "Признак (подсказка)",
    "evidence": "Основание",
    "weight": "Вес",
    "share_mean": "Средняя доля",
    "share_sd": "Стандартное отклонение доли",
    "mean_quality": "Средний индекс качества",
    "mean_isbsh": "Средний ИСБШ",
    "topic": "Раздел",
    "note": "Что не рассчитано",
    "k": "k",
    "inertia": "Сумма квадратов",
    "silhouette": "Силуэт",
    "calinski_harabasz": "Калинский–Харабаш",
    "davies_bouldin": "Дэвис–Болдин",
    "ari_mean": "Средний индекс Рэнда",
    "ari_sd": "Стандартное отклонение",
    "n_bootstrap": "Повторных выборок",
    "previous_cluster": "Соответствует кластеру прошлого года",
    "distance": "Расстояние между центрами",
    "coef": "Коэффициент",
    "se": "Стандартная ошибка",
    "scenario": "Изменение",
    "changed": "Школ изменилось",
    "share_changed": "Доля школ",
    "ari": "Индекс Рэнда с исходным разбиением",
    "type_changes": "Смен типа",
    "cluster_changes": "Смен кластера",
    "scenarios": "При каких изменениях",
    # Monitoring
    "all_schools": "Всего школ",
    "share": "Доля от всех школ",
    "entered": "Вошли",
    "left": "Вышли",
    "second_year": "Второй год подряд и дольше",
    "change": "Изменение",
    "change_pct": "Доля изменения",
    "baseline_year": "Базовый год",
    "target_path": "Цель (траектория)",
    "on_track": "Цель достигнута",
    "yearly_target": "Цель (ежегодное сокращение)",
    "yearly_met": "Ежегодная цель достигнута",
    "group_label": "Группа школ",
    "year_left": "Год выхода",
    "share_fail_before": "Доля «2» до выхода",
    "share_fail_left": "Доля «2» в год выхода",
    "share_fail_last": "Доля «2» в последний год",
    "last_year": "Последний год с данными",
    "held": "Результат удержан",
    "numerator": "Числитель",
    "denominator": "Знаменатель",
    "total_points": "Итоговые баллы",
    "indicators_scored": "Оценено показателей",
    "max_points_by_rules": "Максимум по критериям",
    "factors": "Факторы",
    "detail": "По факторам",
    **{f"factor_{f}": short for f, short in FACTOR_SHORT.items()},
    "n_schools_region": "Школ в регионе",
    # Monitoring: programme targets, risk factors over time, staff, roadmap
    "target_given": "Цель (как указана)",
    "baseline_value": "Значение базового года",
    "gap": "Осталось до цели",
    "result": "Цель достигнута",
    "trend": "Изменение за год (тренд)",
    "projected": "Прогноз на год цели",
    "targets": "Целей",
    "met": "Достигнуто",
    "not_met": "Не достигнуто",
    "no_data": "Нет данных",
    "previous_year": "Предыдущий год профиля",
    "removed": "Устранённые факторы",
    "kept": "Сохранившиеся факторы",
    "new": "Новые факторы",
    "n_removed": "Устранено",
    "n_kept": "Сохранилось",
    "n_new": "Появилось",
    "schools_compared": "Школ сравнено",
    "schools_with_high": "Школ с факторами высокой значимости",
    "schools_removed": "Школ, устранивших фактор",
    "factors_removed": "Факторов устранено",
    "factors_kept": "Факторов сохранилось",
    "factors_new": "Факторов появилось",
    "indicator_6": "Показатель 6 (доля школ, устранивших фактор)",
    "share_highest": "Доля с высшей категорией",
    "share_first": "Доля с первой категорией",
    "share_qualified": "Доля с первой и высшей категорией",
    "share_young": "Доля моложе 35 лет",
    "share_pensioners": "Доля пенсионного возраста",
    "share_research": "Доля руководящих исследовательской деятельностью",
    "share_experimental": "Доля в опытно-экспериментальной деятельности",
    "share_sharing": "Доля представляющих опыт",
    "share_contests": "Доля участников конкурсов",
    "share_vacant": "Доля вакантных ставок",
    "highest_low": "Высшая категория ниже 35 %",
    "highest_high": "Высшая категория выше 60 %",
    "pensioners_high": "Пенсионеров больше 28 %",
    "young_low": "Молодых меньше 4,6 %",
    "vacancy_deficit": "Дефицит кадров по вакансиям",
    "profile_year": "Год профиля рисков",
    "declared": "Заявленный фактор 2",
    "check": "Расхождение",
    "execution": "Исполнение",
    "days_late": "Дней просрочки",
    "due": "Срок наступил",
    "on_time": "В срок",
    "late": "С опозданием",
    "overdue": "Просрочено",
    "pending": "Срок не наступил",
    "undated": "Выполнено без даты",
    "share_on_time": "Доля выполненных в срок",
    "share_done": "Доля выполненных",
    "meets_min": "Не ниже порога (основного)",
    "meets_min_alt": "Не ниже порога (второго)",
    **{f"schools_{f}": f"Школ: {w}" for f, w in (
        ("highest_low", "высшая категория ниже 35 %"), ("highest_high", "высшая выше 60 %"),
        ("pensioners_high", "пенсионеров больше 28 %"), ("young_low", "молодых меньше 4,6 %"),
        ("vacancy_deficit", "дефицит по вакансиям"))},
    **{f"share_schools_{f}": f"Доля школ: {w}" for f, w in (
        ("highest_low", "высшая категория ниже 35 %"), ("highest_high", "высшая выше 60 %"),
        ("pensioners_high", "пенсионеров больше 28 %"), ("young_low", "молодых меньше 4,6 %"),
        ("vacancy_deficit", "дефицит по вакансиям"))},
    "value_added_se": "Стандартная ошибка добавленной ценности",
    "value_added_weight": "Вес собственного результата школы (надёжность)",
    "effectiveness_level": "Уровень эффективности школы (1–5, EVAAS)",
    "quality_se": "Погрешность индекса качества",
    # Fair comparison (SPEC §4.10)
    "peer_percentile": "Процентиль среди похожих школ (0–100)",
    "peer_count": "Похожих школ",
    "peer_isbsh_min": "ИСБШ похожих школ: от",
    "peer_isbsh_max": "ИСБШ похожих школ: до",
    "low_results_certainty": "Уверенность решения (вероятность, что правило выполнено)",
    "certainty_note": "Почему уверенность не рассчитана",
    "partner_id": "Код школы-партнёра (предложение)",
    "partner_name": "Школа-партнёр (предложение, не решение)",
    "partner_municipality": "Муниципалитет партнёра",
    "partner_isbsh": "ИСБШ партнёра",
    "partner_isbsh_group": "Группа ИСБШ партнёра",
    "partner_effectiveness_level": "Уровень эффективности партнёра",
    "partner_value_added": "Добавленная ценность партнёра",
    "basis": "Основание подбора",
    "share_region": "Доля по региону",
    "lower_95": "Нижняя граница 95 %",
    "upper_95": "Верхняя граница 95 %",
    "lower_998": "Нижняя граница 99,8 %",
    "upper_998": "Верхняя граница 99,8 %",
    "above_95": "Выше границы 95 %",
    "above_998": "Выше границы 99,8 %",
    "eligible": "Учитывается в правиле",
}

# Generic column names whose meaning depends on the table: table -> {column -> header}.
TABLE_LABELS = {
    "programme_indicators": {"code": "Код показателя", "indicator": "Показатель"},
    "monitoring_calendar": {"month": "Месяц", "what": "Что отслеживается",
                            "answer": "Ответ по данным"},
    "overview_schools": {"status": "Статус"},
    "overview_quality": {"item": "Показатель"},
    "overview_excluded": {"problem": "Ошибка"},
    "identification_official": {"list": "Официальный список"},
    "diff_isbsh_weights": {"label": "Показатель", "sign": "Направление"},
    "diff_type_counts": {"group": "Тип", "share": "Доля школ",
                         "share_region": "Доля школ в регионе"},
    "diff_cluster_stability": {"schools": "Школ в выборке"},
    "diff_cluster_matching": {"cluster": "Кластер этого года"},
    "diff_value_added_model": {"label": "Член модели"},
    "monitoring_sizes": {"label": "Список", "schools": "Школ в списке"},
    "monitoring_targets": {"schools": "Школ в списке"},
    "monitoring_leavers": {"status": "Итог"},
    "programme": {"status": "Не учтено"},
    "programme_summary": {"max_points": "Максимум баллов", "level": "Уровень эффективности",
                          "status": "Не учтено"},
    "risk_matrix": {"n_high": "Факторов высокой значимости"},
    "risk_groups": {"label": "Группа факторов", "schools": "Школы (коды)"},
    "partners": {"reason": "Почему предложена (предложение, не решение)", "rank": "Очерёдность",
                 "isbsh": "ИСБШ школы", "isbsh_group": "Группа ИСБШ школы"},
    "identification_funnel": {"participants": "Участников", "n_fail": "Не преодолели порог"},
    "programme_targets": {"target": "Цель", "status": "Почему нет данных",
                          "on_course": "Цель будет достигнута по тренду"},
    "programme_targets_summary": {"on_course": "Идут к цели по тренду"},
    "roadmap_summary": {"level": "Уровень", "schools": "Школ"},
}


def header(column, table: str | None = None) -> str:
    """The Russian header of ``column`` (of ``table``, for generic names); else the name."""
    key = str(column)
    return str(TABLE_LABELS.get(table, {}).get(key) or COLUMN_LABELS.get(key, column))


def headers(columns, table: str | None = None) -> dict:
    """``{column: header}`` for ``columns``, in their order."""
    return {c: header(c, table) for c in columns}


def label_frame(frame: pd.DataFrame, columns=None, table: str | None = None) -> pd.DataFrame:
    """``columns`` of ``frame`` (default: all) under their Russian headers."""
    columns = list(frame.columns if columns is None else columns)
    return frame[columns].rename(columns=headers(columns, table))


# Coded values -> words.
CHANGE_LABELS = {"entered": "вошла в список", "stayed": "осталась в списке",
                 "left": "вышла из списка", "none": "не в списке"}
COMPARISON_LABELS = {"both": "в обоих списках", "official_only": "только в официальном",
                     "computed_only": "только в расчётном"}
FLAG_LABELS = {
    "low_results": "низкие результаты",
    "risk_zone": "зона риска",
    "unfavourable": "неблагоприятные социальные условия",
    "persistent": "устойчиво низкие результаты",
}
# Seed 000, section 2: the titles of its tables 1–3 (the three parts of the support programme,
# by the school's type of table 7) — ``support_table`` 1, 2, 3.
SUPPORT_TABLE_TITLES = {
    1: "Таблица 1. Школы с низкими результатами обучения (несправляющиеся)",
    2: "Таблица 2. Школы с низкими результатами обучения, функционирующие в неблагоприятных "
       "социальных условиях (неблагополучные)",
    3: "Таблица 3. Школы с рисками снижения образовательных результатов (резильентные и др.)",
}
# Partner suggestions: how the partner was found (``partners.basis``).
GROUP_LABELS = {"region": "регион", "list": "список года", "programme": "в программе"}
TYPE_PLURALS = {"неблагополучная": "неблагополучные", "резильентная": "резильентные",
                "несправляющаяся": "несправляющиеся",
                "условно благополучная": "условно благополучные",
                "благополучная": "благополучные"}
# Significance of a risk factor; a school × factor without a level is «нет данных» where a word
# is shown (the school card) and an empty cell in the matrix.
LEVEL_LABELS = {**RISK_LEVEL_LABELS, CONFLICT: "противоречивые данные"}
NO_LEVEL = "нет данных"
YES_NO = {True: "да", False: "нет"}
# Programme targets (shnor.monitoring.targets), risk factors over time, staff, roadmap.
TARGET_RESULT_LABELS = {"met": "достигнуто", "not_met": "не достигнуто", "no_data": "нет данных"}
STAFF_CHECK_LABELS = {"undeclared": "вакансий много, дефицит кадров не заявлен",
                      "unconfirmed": "дефицит кадров заявлен, вакансий нет"}
EXECUTION_LABELS = {"on_time": "в срок", "late": "с опозданием", "overdue": "просрочено",
                    "pending": "срок не наступил"}
ROADMAP_LEVEL_LABELS = {"region": "регион", "municipality": "муниципалитет", "school": "школа"}
UNDECIDED = "не определено"


def yes_no(s: pd.Series) -> pd.Series:
    """A nullable flag in words: да / нет / не определено."""
    return s.astype(object).map(YES_NO).fillna(UNDECIDED)
ANSWER_LABELS = {"answered": "данные прогона отвечают", "not_in_data": "нет в контракте данных",
                 "needs_table": "нужна таблица"}
