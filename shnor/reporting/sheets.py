"""The sheets of the Excel workbook: which columns of which table, under which Russian headers,
in which colours. :func:`shnor.io.writers.write_workbook` writes them.
"""

from __future__ import annotations

import pandas as pd

from shnor.io.writers import Sheet
from shnor.reporting.charts import TYPE_COLOURS
from shnor.reporting.labels import CHANGE_LABELS, COLUMN_LABELS, yes_no
from shnor.reporting.views import (
    group_results,
    list_sizes,
    matrix_for_display,
    matrix_for_excel,
    official_comparison,
    risk_fills,
    typology_fills,
)

# Overview -------------------------------------------------------------------------------------

def _overview_labelled(frame: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
    labels = {**COLUMN_LABELS, **(extra or {})}
    return frame.rename(columns={c: labels.get(c, c) for c in frame.columns})


def overview_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Excel sheets: schools with data status, indicators of the report year, data quality."""
    ind = tables["indicators"]
    year = ind["year"].max()  # the runner checks that the report year has results
    ind_year = ind[ind["year"] == year]
    extra = {"assessments": "Процедур в году", "has_social": "Есть социальный паспорт",
             "item": "Показатель", "value": "Значение", "unreliable": "Ненадёжных групп",
             "no_fail_count": "Групп без числа «2»", "no_marks": "Групп без отметок"}
    part = tables["overview_participation"]
    part = part[part["year"] == year]
    return [
        Sheet("Школы", _overview_labelled(tables["overview_schools"], extra)),
        Sheet("Показатели", _overview_labelled(ind_year, extra)),
        Sheet("Участие", _overview_labelled(part[["assessment", "schools", "participants",
                                          "unreliable", "no_fail_count", "no_marks",
                                          "share_fail", "share_quality", "mean_score"]], extra)),
        Sheet("Качество данных", _overview_labelled(tables["overview_quality"], extra)),
    ]


# Identification -------------------------------------------------------------------------------

SHEET_HEADERS = {
    "school_id": "Код ОО", "name": "Школа", "municipality": "Муниципалитет",
    "low_results": "Низкие результаты", "risk_zone": "Зона риска",
    "unfavourable": "Неблагоприятные условия", "shnsu": "ШНСУ", "persistent": "Устойчиво низкие",
    "escalation": "В списке второй год подряд", "low_results_prev": "В списке прошлого года",
    "list_change": "Изменение списка", "isbsh": "ИСБШ", "isbsh_group": "Группа ИСБШ",
    "reasons": "Основания", "status": "Не определено", "list": "Официальный список",
    "official": "В официальном списке", "comparison": "Сравнение", "explanation": "Пояснение",
}


def _sheet_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    for c in columns:
        if isinstance(out[c].dtype, pd.BooleanDtype) or out[c].dtype == bool:
            out[c] = yes_no(out[c])
    if "list_change" in out:
        out["list_change"] = out["list_change"].map(CHANGE_LABELS).fillna("не определено")
    return out.rename(columns=SHEET_HEADERS)


def identification_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the identification report (Russian headers)."""
    f = tables["identification_flags"]
    base = ["school_id", "name", "municipality"]
    on = {c: f[c].fillna(False).astype(bool) for c in ("low_results", "risk_zone", "shnsu", "persistent")}
    return [
        Sheet("Низкие результаты", _sheet_frame(f[on["low_results"]], [
            *base, "reasons", "list_change", "persistent", "unfavourable"])),
        Sheet("Зона риска", _sheet_frame(f[on["risk_zone"]], [*base, "reasons"])),
        Sheet("ШНСУ", _sheet_frame(f[on["shnsu"]], [*base, "isbsh", "isbsh_group", "reasons"])),
        Sheet("Устойчиво низкие", _sheet_frame(f[on["persistent"]], [*base, "reasons"])),
        Sheet("Изменения списка", _sheet_frame(f, [*base, "low_results_prev", "low_results",
                                                   "list_change", "status"])),
        Sheet("Сравнение с официальным списком", _sheet_frame(
            official_comparison(tables["identification_official"]), [
            "list", "school_id", "name", "municipality", "official", "low_results", "comparison",
            "explanation"])),
    ]


# Differentiation ------------------------------------------------------------------------------

LABELS = {
    "school_id": "Код ОО", "name": "Школа", "municipality": "Муниципалитет",
    "school_type": "Тип школы", "isbsh": "ИСБШ", "isbsh_group": "Группа ИСБШ",
    "isbsh_level": "Уровень ИСБШ", "quality_index": "Индекс качества",
    "quality_group": "Группа качества", "quality_level": "Уровень качества",
    "assessments": "Надёжных процедур", "cluster": "Кластер", "typology": "Тип школы по таблице 7",
    "expected": "Ожидаемый индекс качества", "value_added": "Добавленная ценность",
    "value_added_low": "Нижняя граница", "value_added_high": "Верхняя граница",
    "verdict": "Вывод", "objectivity_flag": "Признак необъективности", "status": "Статус",
    "sign": "Признак (подсказка)", "assessment": "Оценочная процедура", "evidence": "Основание",
    "component": "Показатель", "label": "Название", "sign_dir": "Направление", "weight": "Вес",
    "share_mean": "Средняя доля", "share_sd": "Стандартное отклонение доли",
    "n_schools": "Школ", "mean_quality": "Средний индекс качества", "mean_isbsh": "Средний ИСБШ",
    "feature": "Оценочная процедура", "value": "Центр кластера",
}


def _labelled(frame: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
    labels = {**LABELS, **(extra or {})}
    return frame.rename(columns={c: labels.get(c, c) for c in frame.columns})


def differentiation_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets «Типология», «Кластеры», «ИСБШ», «Добавленная ценность», «Объективность»."""
    detail = tables["diff_schools"]
    typ = detail[[c for c in ["school_id", "name", "municipality", "school_type", "isbsh",
                              "isbsh_group", "isbsh_level", "quality_index", "quality_group",
                              "quality_level", "cluster", "typology", "status"] if c in detail]]
    fills = pd.DataFrame(None, index=typ.index, columns=typ.columns, dtype=object)
    fills["typology"] = typ["typology"].map(TYPE_COLOURS).astype(object)
    fills = fills.astype(object).where(fills.notna(), None)
    matrix = tables["diff_matrix"]
    m_fills = typology_fills(matrix)
    m_fills = m_fills.astype(object).where(m_fills.notna(), None)
    clusters = detail[[c for c in ["school_id", "name", "municipality", "cluster",
                                   "quality_index", "quality_group", "status"] if c in detail]]
    isb = detail[[c for c in ["school_id", "name", "municipality", "isbsh", "isbsh_group",
                              "isbsh_level", "status"] if c in detail]]
    va = tables["diff_value_added"]
    obj = tables["diff_objectivity"]
    return [
        Sheet("Типология", _labelled(typ), _labelled(fills)),
        Sheet("Таблица 7", matrix_for_excel(matrix), m_fills),
        Sheet("Кластеры", _labelled(clusters)),
        Sheet("ИСБШ", _labelled(isb)),
        Sheet("Добавленная ценность", _labelled(va)),
        Sheet("Объективность", _labelled(obj)),
    ]


# Monitoring -----------------------------------------------------------------------------------

HEADERS = {
    "year": "Год", "list": "Список", "label": "Список", "schools": "Школ в списке",
    "all_schools": "Всего школ", "share": "Доля от всех школ", "undecided": "Не определено",
    "entered": "Вошли", "left": "Вышли", "second_year": "Второй год подряд и дольше",
    "change": "Изменение", "change_pct": "Доля изменения", "baseline_year": "Базовый год",
    "target_path": "Цель (траектория)", "yearly_target": "Цель (ежегодное сокращение)",
    "on_track": "Цель достигнута", "yearly_met": "Ежегодная цель достигнута",
    "assessment": "Оценочная процедура", "group_label": "Группа школ",
    "share_fail": "Доля не преодолевших порог", "share_quality": "Доля качества знаний",
    "mean_score": "Средний балл", "participants": "Участников",
    "year_left": "Год выхода", "school_id": "Код ОО", "name": "Наименование ОО",
    "share_fail_before": "Доля «2» до выхода", "share_fail_left": "Доля «2» в год выхода",
    "share_fail_last": "Доля «2» в последний год", "last_year": "Последний год с данными",
    "held": "Результат удержан", "status": "Статус", "indicator": "Показатель",
    "value": "Значение", "numerator": "Числитель", "denominator": "Знаменатель",
    "source": "Источник", "points": "Баллы", "target": "Целевое значение",
    "total_points": "Итоговые баллы", "max_points": "Максимум баллов",
    "level": "Уровень эффективности", "indicators_scored": "Оценено показателей",
    "max_points_by_rules": "Максимум по критериям", "factors": "Факторы",
    "n_schools": "Школ", "detail": "По факторам", "factor": "Фактор", "problem": "Замечание",
}


def _sheet(name: str, frame: pd.DataFrame, columns: list[str]):
    return Sheet(name, frame[columns].rename(columns=HEADERS))


def monitoring_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the monitoring report (Russian headers; risk matrix coloured)."""
    dyn = group_results(tables["monitoring_dynamics"])
    matrix = tables["risk_matrix"]
    groups = tables["risk_groups"][["label", "factors", "n_schools", "schools", "detail"]]
    return [
        _sheet("Размер списков", list_sizes(tables["monitoring_sizes"]),
               ["year", "label", "schools", "all_schools", "share", "undecided", "entered",
                "left", "second_year", "change", "change_pct"]),
        _sheet("Цели", tables["monitoring_targets"],
               ["year", "schools", "target_path", "on_track", "yearly_target", "yearly_met",
                "change_pct"]),
        _sheet("Динамика результатов", dyn,
               ["year", "assessment", "group_label", "share_fail", "share_quality",
                "mean_score", "participants", "schools"]),
        _sheet("Вышедшие из списка", tables["monitoring_leavers"],
               ["year_left", "school_id", "name", "share_fail_before", "share_fail_left",
                "share_fail_last", "last_year", "held", "status"]),
        _sheet("Показатели задач", tables["monitoring_tasks"],
               ["year", "indicator", "value", "numerator", "denominator", "source"]),
        _sheet("Показатели программы", tables["programme"],
               ["year", "indicator", "value", "points", "target", "status"]),
        _sheet("Итоги программы", tables["programme_summary"],
               ["year", "total_points", "max_points", "level", "indicators_scored",
                "max_points_by_rules", "status"]),
        Sheet("Факторы риска", matrix_for_display(matrix),
              cell_fills=risk_fills(matrix).set_axis(matrix_for_display(matrix).columns,
                                                       axis=1)),
        Sheet("Группы факторов", groups.rename(columns={**HEADERS, "label": "Группа факторов",
                                                        "schools": "Школы"})),
        _sheet("Проверка профилей", tables["risk_check"], ["school_id", "factor", "problem"]),
    ]


def workbook_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Every sheet of the workbook, in report order."""
    return [*overview_sheets(tables), *identification_sheets(tables),
            *differentiation_sheets(tables), *monitoring_sheets(tables)]
