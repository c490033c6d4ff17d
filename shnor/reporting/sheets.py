"""The sheets of the Excel workbook: which columns of which table, under which Russian headers,
in which colours. :func:`shnor.io.writers.write_workbook` writes them.
"""

from __future__ import annotations

import pandas as pd

from shnor.io.writers import Sheet
from shnor.reporting.charts import TYPE_COLOURS
from shnor.reporting.labels import (
    CHANGE_LABELS,
    UNDECIDED,
    header,
    label_frame,
    yes_no,
)
from shnor.reporting.views import (
    PARTNER_VIEW_COLUMNS,
    funnel_outliers,
    group_results,
    list_sizes,
    matrix_for_display,
    matrix_for_excel,
    official_comparison,
    participation_table,
    partner_suggestions,
    programme_targets,
    risk_fills,
    roadmap_measures,
    roadmap_summary,
    staff_check,
    support_tables,
    typology_fills,
)


def _sheet(name: str, frame: pd.DataFrame, columns: list[str] | None = None,
           table: str | None = None, **kwargs) -> Sheet:
    """A sheet of ``columns`` of ``frame`` (default: all) under the registry's headers; the
    whole table is ``tables/<table>.csv`` unless ``source`` names another."""
    return Sheet(name, label_frame(frame, columns, table), **{"source": table, **kwargs})


# Overview -------------------------------------------------------------------------------------

def overview_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Excel sheets: schools with data status, indicators of the report year, data quality."""
    ind = tables["indicators"]
    year = ind["year"].max()  # the runner checks that the report year has results
    return [
        _sheet("Школы", tables["overview_schools"], table="overview_schools"),
        _sheet("Показатели", ind[ind["year"] == year], source="indicators"),
        _sheet("Участие", participation_table(tables["overview_participation"], year)),
        _sheet("Качество данных", tables["overview_quality"], table="overview_quality"),
    ]


# Identification -------------------------------------------------------------------------------

def _in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Flags as да / нет / не определено and the list change in words."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.BooleanDtype) or out[c].dtype == bool:
            out[c] = yes_no(out[c])
    if "list_change" in out:
        out["list_change"] = out["list_change"].map(CHANGE_LABELS).fillna(UNDECIDED)
    return out


def identification_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the identification report (Russian headers)."""
    f = tables["identification_flags"]
    base = ["school_id", "name", "municipality"]
    on = {c: f[c].fillna(False).astype(bool)
          for c in ("low_results", "risk_zone", "shnsu", "persistent")}

    def sheet(name, frame, columns, table=None):
        return _sheet(name, _in_words(frame[columns]), table=table)

    return [
        sheet("Низкие результаты", f[on["low_results"]],
              [*base, "reasons", "list_change", "persistent", "unfavourable",
               "low_results_certainty"]),
        sheet("Зона риска", f[on["risk_zone"]], [*base, "reasons"]),
        sheet("ШНСУ", f[on["shnsu"]], [*base, "isbsh", "isbsh_group", "quality_group",
                                      "typology", "reasons"]),
        sheet("Устойчиво низкие", f[on["persistent"]], [*base, "reasons"]),
        sheet("Изменения списка", f, [*base, "low_results_prev", "low_results", "list_change",
                                     "status"]),
        sheet("Сравнение с официальным списком",
              official_comparison(tables["identification_official"]),
              ["list", *base, "official", "low_results", "comparison", "explanation"],
              table="identification_official"),
    ]


def comparison_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """«Школы-партнёры» (suggestions, not decisions), «На границе» (decisions of the list whose
    certainty is in the border range) and «Воронки» (schools above the 99.8 % limit)."""
    flags = tables["identification_flags"]
    sheets = []
    if "partners" in tables:
        sheets.append(_sheet("Школы-партнёры",
                             partner_suggestions(tables["partners"], flags),
                             PARTNER_VIEW_COLUMNS, table="partners"))
    if "identification_borderline" in tables:
        sheets.append(_sheet("На границе", _in_words(tables["identification_borderline"])))
    if "identification_funnel" in tables:
        out = funnel_outliers(tables["identification_funnel"], flags)
        sheets.append(_sheet("Воронки", out, ["assessment", "school_id", "name", "participants",
                                              "n_fail", "share_fail", "share_region",
                                              "upper_95", "upper_998"],
                             table="identification_funnel"))
    return sheets


def support_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """«Таблицы 1–3»: the schools of seed 000's tables 1–3 of the support programme (section
    2), one row per school, the table number and title first, the type coloured as in table 7.
    In the workbook right after :func:`identification_sheets`."""
    frame = support_tables(tables["identification_flags"])
    fills = pd.DataFrame(None, index=frame.index, columns=frame.columns, dtype=object)
    fills["typology"] = frame["typology"].map(TYPE_COLOURS).astype(object)
    fills = fills.astype(object).where(fills.notna(), None)
    return [_sheet("Таблицы 1–3", frame, cell_fills=label_frame(fills))]


# Differentiation ------------------------------------------------------------------------------

def differentiation_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets «Типология», «Кластеры», «ИСБШ», «Добавленная ценность», «Объективность»."""
    detail = tables["diff_schools"]

    def present(columns):
        return [c for c in columns if c in detail]

    base = ["school_id", "name", "municipality"]
    typ = detail[present([*base, "school_type", "isbsh", "isbsh_group", "isbsh_level",
                          "quality_index", "quality_group", "quality_level", "cluster",
                          "typology", "status"])]
    fills = pd.DataFrame(None, index=typ.index, columns=typ.columns, dtype=object)
    fills["typology"] = typ["typology"].map(TYPE_COLOURS).astype(object)
    fills = fills.astype(object).where(fills.notna(), None)
    matrix = tables["diff_matrix"]
    m_fills = typology_fills(matrix)
    m_fills = m_fills.astype(object).where(m_fills.notna(), None)
    return [
        _sheet("Типология", typ, cell_fills=label_frame(fills)),
        Sheet("Таблица 7", matrix_for_excel(matrix), m_fills),
        _sheet("Кластеры", detail, present([*base, "cluster", "quality_index", "quality_group",
                                            "status"])),
        _sheet("ИСБШ", detail, present([*base, "isbsh", "isbsh_group", "isbsh_level",
                                        "status"])),
        _sheet("Добавленная ценность", tables["diff_value_added"]),
        _sheet("Объективность", tables["diff_objectivity"]),
        *([_sheet("Похожие школы", tables["diff_peers"])] if "diff_peers" in tables else []),
    ]


# Monitoring -----------------------------------------------------------------------------------

def monitoring_sheets(tables: dict[str, pd.DataFrame]) -> list:
    """Excel sheets of the monitoring report (Russian headers; risk matrix coloured)."""
    matrix = tables["risk_matrix"]
    shown = matrix_for_display(matrix)
    goals = programme_targets(tables["programme_targets"])
    staff = _in_words(tables["staff_schools"])
    check = staff_check(tables["staff_check"])
    measures = roadmap_measures(tables["roadmap_measures"])
    summary = roadmap_summary(tables["roadmap_summary"])
    overdue = roadmap_measures(tables["roadmap_overdue"])
    return [
        # the report leads with the programme's targets compared
        _sheet("Цели программы", goals,
               ["year", "indicator", "value", "direction", "target", "target_year", "gap",
                "result", "trend", "projected", "on_course", "baseline_year", "baseline_value",
                "unit", "target_given", "status"], table="programme_targets"),
        _sheet("Размер списков", list_sizes(tables["monitoring_sizes"]),
               ["year", "label", "schools", "all_schools", "share", "undecided", "entered",
                "left", "second_year", "change", "change_pct"], table="monitoring_sizes"),
        _sheet("Цели", tables["monitoring_targets"],
               ["year", "schools", "target_path", "on_track", "yearly_target", "yearly_met",
                "change_pct"], table="monitoring_targets"),
        # Both shares as percentages (by default the writer goes by «Доля» in the header).
        _sheet("Динамика результатов", group_results(tables["monitoring_dynamics"]),
               ["year", "assessment", "group_label", "share_fail", "share_quality",
                "mean_score", "participants", "schools"],
               percent_columns=[header("share_fail"), header("share_quality")]),
        _sheet("Вышедшие из списка", tables["monitoring_leavers"],
               ["year_left", "school_id", "name", "share_fail_before", "share_fail_left",
                "share_fail_last", "last_year", "held", "status"], table="monitoring_leavers"),
        _sheet("Показатели задач", tables["monitoring_tasks"],
               ["year", "indicator", "value", "numerator", "denominator", "source"]),
        _sheet("Показатели программы", tables["programme"],
               ["year", "indicator", "value", "points", "target", "status"], table="programme"),
        _sheet("Итоги программы", tables["programme_summary"],
               ["year", "total_points", "max_points", "level", "indicators_scored",
                "max_points_by_rules", "status"], table="programme_summary"),
        Sheet("Факторы риска", shown,
              cell_fills=risk_fills(matrix).set_axis(shown.columns, axis=1)),
        _sheet("Группы факторов", tables["risk_groups"],
               ["label", "factors", "n_schools", "schools", "detail"], table="risk_groups"),
        _sheet("Проверка профилей", tables["risk_check"], ["school_id", "factor", "problem"]),
        _sheet("Динамика факторов", tables["risk_changes"],
               ["year", "previous_year", "school_id", "name", "removed", "kept", "new",
                "n_removed", "n_kept", "n_new"]),
        _sheet("Динамика факторов (итог)", tables["risk_changes_region"],
               ["year", "previous_year", "schools_compared", "schools_with_high",
                "schools_removed", "factors_removed", "factors_kept", "factors_new",
                "indicator_6"], percent_columns=[header("indicator_6")]),
        _sheet("Кадры", staff,
               ["year", "school_id", "name", "municipality", "teachers", "vacancies",
                "share_vacant", "share_highest", "share_first", "share_qualified",
                "share_young", "share_pensioners", "highest_low", "highest_high",
                "pensioners_high", "young_low", "vacancy_deficit"]),
        _sheet("Кадры по муниципалитетам", _in_words(tables["staff_municipalities"])),
        _sheet("Кадры и фактор 2", check,
               ["year", "profile_year", "school_id", "name", "vacancies", "teachers",
                "share_vacant", "declared", "check"]),
        _sheet("Исполнение дорожной карты", summary,
               ["level", "municipality", "school_id", "name", "measures", "due", "on_time",
                "late", "overdue", "pending", "undated", "share_on_time", "share_done",
                "meets_min", "meets_min_alt"], table="roadmap_summary"),
        _sheet("Мероприятия", measures,
               ["year", "measure", "school_id", "name", "municipality", "responsible",
                "deadline", "done_date", "execution", "days_late"]),
        _sheet("Просроченные мероприятия", overdue,
               ["year", "measure", "school_id", "name", "municipality", "responsible",
                "deadline", "days_late"]),
    ]


def workbook_sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Every sheet of the workbook, in report order."""
    return [*overview_sheets(tables), *identification_sheets(tables), *support_sheets(tables),
            *comparison_sheets(tables),
            *differentiation_sheets(tables), *monitoring_sheets(tables)]
