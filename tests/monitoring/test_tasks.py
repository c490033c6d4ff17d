"""Programme task indicators computable from the data (shnor.monitoring.tasks)."""

import pytest


def test_task_indicators(monitoring):
    t = monitoring["monitoring_tasks"]
    t = t[t["year"] == 2022].set_index("indicator")["value"]
    assert t["Доля школ списка прошлого года с положительной динамикой (доля «2» снизилась)"] \
        == pytest.approx(2 / 3)
    assert t["Доля школ списка прошлого года, вышедших из списка"] == pytest.approx(2 / 3)
    assert t["Доля обучающихся школ списка, преодолевших минимальный порог ОГЭ/ЕГЭ"] \
        == pytest.approx(23 / 30)
    assert t["Доля школ с низкими результатами от общего числа школ"] == pytest.approx(2 / 6)
