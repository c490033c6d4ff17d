"""The label registry: one Russian header for every column and one Russian word for every coded
value, used by the Excel sheets, the HTML reports, the school cards and the notebooks alike.

Input columns take their titles from the data contract (:data:`shnor.io.contract.COLUMN_LABELS`,
the headers a user writes in the input files); computed columns are labelled here. A few
column names are generic (``label``, ``value``, ``item``…): their header depends on the table,
given in :data:`TABLE_LABELS`.
"""

from __future__ import annotations

import pandas as pd

from shnor.io.contract import COLUMN_LABELS as CONTRACT_LABELS

COLUMN_LABELS = {
    **CONTRACT_LABELS,
    "assessment": "Оценочная процедура",
    "share_fail": "Доля не преодолевших порог",
    "share_success": "Успеваемость",
    "share_quality": "Качество знаний",
    "share_high": "Доля высоких результатов",
    "reliable": "Достаточно участников",
    "schools": "Школ",
    "status": "Статус",
}

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
GROUP_LABELS = {"region": "регион", "list": "список года", "programme": "в программе"}
TYPE_PLURALS = {"неблагополучная": "неблагополучные", "резильентная": "резильентные",
                "несправляющаяся": "несправляющиеся",
                "условно благополучная": "условно благополучные",
                "благополучная": "благополучные"}
YES_NO = {True: "да", False: "нет"}
UNDECIDED = "не определено"


def yes_no(s: pd.Series) -> pd.Series:
    """A nullable flag in words: да / нет / не определено."""
    return s.astype(object).map(YES_NO).fillna(UNDECIDED)
