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
    "share_region": "Доля школ в регионе",
    "value_added_se": "Стандартная ошибка добавленной ценности",
    "value_added_weight": "Вес собственного результата школы (надёжность)",
    "effectiveness_level": "Уровень эффективности школы (1–5, EVAAS)",
    "quality_se": "Погрешность индекса качества",
}

# Generic column names whose meaning depends on the table: table -> {column -> header}.
TABLE_LABELS = {
    "overview_schools": {"status": "Статус"},
    "overview_quality": {"item": "Показатель"},
    "overview_excluded": {"problem": "Ошибка"},
    "identification_official": {"list": "Официальный список"},
    "diff_isbsh_weights": {"label": "Показатель", "sign": "Направление"},
    "diff_type_counts": {"group": "Тип", "share": "Доля школ"},
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
UNDECIDED = "не определено"


def yes_no(s: pd.Series) -> pd.Series:
    """A nullable flag in words: да / нет / не определено."""
    return s.astype(object).map(YES_NO).fillna(UNDECIDED)
