"""Which computed tables a run publishes as CSV in ``<report>/tables/``, with what each holds.

``tables/`` holds the SPEC output contract (``identification``, ``differentiation``,
``indicators``, ``partners``) and the tables the reports and the workbook show; each is listed
here with a line for the index page and ``docs/reports.md``. The working tables of the school
cards (:data:`INTERNAL`) stay in ``processed/`` (Parquet) only. A table that is in neither
fails a test: a new table is published only when it is described.
"""

from __future__ import annotations

# The SPEC output contract and the programme's results: first on the index page.
CONTRACT = {
    "identification": "выявление: списки и основания, по строке на школу",
    "differentiation": "дифференциация: ИСБШ, группа качества, кластер, типология, "
                       "добавленная ценность, по строке на школу",
    "indicators": "показатели по школам, годам и процедурам",
    "partners": "предлагаемые школы-партнёры",
    "programme": "показатели муниципальной программы",
    "programme_summary": "итоговые баллы и уровень эффективности программы",
}

PUBLISHED = {
    **CONTRACT,
    # 01 overview
    "overview_schools": "обзор: школы справочника, их процедуры и статус данных",
    "overview_municipalities": "обзор: школы по муниципалитетам, типам поселений и ОО",
    "overview_participation": "обзор: участие и результаты по процедурам",
    "overview_quality": "обзор: полнота и качество данных",
    "overview_excluded": "обзор: исключённые строки и таблицы",
    "regional": "результаты региона и муниципалитетов по процедурам и годам",
    "school_summary": "итоги школы за год по всем процедурам",
    # 02 identification
    "identification_flags": "выявление: все признаки отбора по школам",
    "identification_reasons": "выявление: каждое основание отбора (процедура, доля, порог)",
    "identification_borderline": "выявление: школы у границы списка (достоверность отбора)",
    "identification_undecided": "выявление: школы, по которым не хватило данных",
    "identification_dynamics": "выявление: вход в список и выход из него по сравнению с "
                               "прошлым годом",
    "identification_list_sizes": "выявление: численность списков по годам",
    "identification_municipalities": "выявление: списки по муниципалитетам",
    "identification_official": "выявление: сверка с официальным списком",
    "identification_funnel": "выявление: воронка (доля «2» против границ для числа "
                             "участников)",
    # 03 differentiation
    "diff_schools": "дифференциация: ИСБШ, индекс качества, кластер и тип школы",
    "diff_summary": "дифференциация: сводка",
    "diff_notes": "дифференциация: что не рассчитано и почему",
    "diff_isbsh_weights": "ИСБШ: веса составляющих",
    "diff_matrix": "матрица «группа ИСБШ × группа качества»",
    "diff_type_counts": "типология: число школ по типам",
    "diff_cluster_sizes": "кластеры: численность и средние",
    "diff_cluster_profiles": "кластеры: профили по признакам",
    "diff_cluster_diagnostics": "кластеры: выбор числа кластеров",
    "diff_cluster_stability": "кластеры: устойчивость (бутстреп)",
    "diff_cluster_matching": "кластеры: соответствие прошлогодним",
    "diff_cluster_transitions": "кластеры: переходы школ между годами",
    "diff_sensitivity": "чувствительность типологии к параметрам",
    "diff_sensitivity_schools": "чувствительность: школы, меняющие тип или кластер",
    "diff_value_added": "добавленная ценность по школам",
    "diff_value_added_model": "добавленная ценность: модель ожидаемого результата",
    "diff_peers": "сравнение с похожими школами (процентиль)",
    "diff_objectivity": "признаки необъективности результатов",
    # 04 monitoring
    "monitoring_lists": "мониторинг: списки всех лет по школам",
    "monitoring_sizes": "мониторинг: численность списков, вход и выход",
    "monitoring_targets": "мониторинг: ежегодное сокращение списков против цели",
    "monitoring_dynamics": "мониторинг: результаты групп школ по процедурам и годам",
    "monitoring_overall": "мониторинг: результаты групп школ по годам",
    "monitoring_leavers": "мониторинг: вышедшие из списка и их результаты потом",
    "monitoring_tasks": "мониторинг: показатели задач программы, рассчитанные по данным",
    "monitoring_calendar": "мониторинг: календарь мониторинга программы",
    "monitoring_notes": "мониторинг: что не рассчитано и почему",
    "programme_indicators": "показатели программы профиля, рассчитанные по результатам",
    "programme_targets": "целевые значения показателей программы: достигнуто или нет",
    "programme_targets_summary": "целевые значения: сводка по годам",
    "risk_matrix": "профили рисков: уровни десяти факторов по школам",
    "risk_groups": "профили рисков: группы школ по факторам",
    "risk_check": "профили рисков: противоречия в данных",
    "risk_changes": "факторы риска, устранённые, сохранившиеся и новые по школам",
    "risk_changes_region": "факторы риска: итог по региону (показатель 6 таблицы 12)",
    "staff_schools": "кадры по школам",
    "staff_municipalities": "кадры по муниципалитетам",
    "staff_check": "кадры против заявленного фактора риска «дефицит кадров»",
    "roadmap_measures": "дорожная карта: исполнение мероприятий",
    "roadmap_summary": "дорожная карта: доля исполненных в срок",
    "roadmap_overdue": "дорожная карта: просроченные мероприятия",
}

# Working tables of the school cards (one school's rows each): Parquet in processed/ only.
INTERNAL = {"card_profile", "card_history", "card_overall"}


def published_tables(tables: dict) -> dict:
    """The tables of ``tables`` published as CSV, in the order of :data:`PUBLISHED`."""
    return {name: tables[name] for name in PUBLISHED if name in tables}
