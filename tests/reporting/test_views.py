"""What the reports show (shnor.reporting.views): the coloured matrices of seed 000 table 7 and
of the risk factors, the workbook form of table 7 and the coded values in words."""

import pandas as pd
from conftest import FIXTURES

from shnor.reporting.charts import TYPE_COLOURS
from shnor.reporting.labels import FLAG_LABELS, GROUP_LABELS, TYPE_PLURALS
from shnor.reporting.views import (
    group_results,
    list_sizes,
    matrix_for_excel,
    type_counts,
    typology_fills,
)
from shnor.school_typology import TYPES, typology_matrix

FIXTURE = FIXTURES / "pervouralsk_2022.csv"


def test_typology_fills_colour_each_group_cell_by_its_type():
    f = pd.read_csv(FIXTURE)
    fills = typology_fills(typology_matrix(f, label="school_no"))
    assert fills.iloc[2, 5] == TYPE_COLOURS["неблагополучная"]      # row ИСБШ 3, quality 5
    assert fills.iloc[6, 8] == TYPE_COLOURS["условно благополучная"]  # ИСБШ 7, quality 8
    assert fills.iloc[9, 9] == TYPE_COLOURS["благополучная"]
    assert pd.isna(fills.iloc[11, 3])


def test_excel_matrix_has_numbers_where_excel_should_sum_and_codes_as_text():
    f = pd.read_csv(FIXTURE).assign(code=lambda d: [f"0{n:02d}" for n in d["school_no"]])
    labels = matrix_for_excel(typology_matrix(f, label="code")).set_index("Гр ИСБШ")
    assert labels.loc[6, "3"] == "020" and labels.loc[3, "5"] == "022, 026, 036"  # codes: text
    assert labels.loc[6, "Итого ОО"] == 3 and labels.loc["Итого ОО", "Итого ОО"] == 22
    assert labels.loc["Итого ОО", "5"] == 8 and labels.loc["Итого ОО", "1"] is None
    assert labels.loc[1, "1"] is None and labels.loc[1, "Итого ОО"] is None  # empty, not ""
    counts = matrix_for_excel(typology_matrix(f, label="code", max_labels=10), max_labels=10)
    counts = counts.set_index("Гр ИСБШ")
    assert counts.loc[3, "5"] == 3 and counts.loc[4, "7"] == 2 and counts.loc[1, "1"] is None
    assert counts.loc["Итого ОО", "Итого ОО"] == 22


def test_list_sizes_and_groups_are_named_in_words(monitoring):
    sizes = list_sizes(monitoring["monitoring_sizes"])
    assert sizes["label"].tolist() == sizes["list"].map(FLAG_LABELS).tolist()
    low = sizes[sizes["list"] == "low_results"]
    assert set(low["label"]) == {"низкие результаты"}
    for table in ("monitoring_dynamics", "monitoring_overall"):
        named = group_results(monitoring[table]).set_index(["year", "group"])["group_label"]
        assert named[(2022, "programme")] == "в программе"
        assert named[(2022, "list")] == "список года" and named[(2022, "region")] == "регион"
        assert set(named) <= set(GROUP_LABELS.values())


def test_type_counts_name_each_group_of_schools(differentiation):
    counts = type_counts(differentiation["diff_type_counts"])
    assert counts["typology"].tolist() == list(TYPES)
    assert counts["group"].tolist() == [TYPE_PLURALS[t] for t in TYPES]
    assert counts["group"].iloc[0] == "неблагополучные"


def test_risk_matrix_longer_than_the_page_shows_the_most_at_risk_first():
    from shnor.monitoring.risk_profiles import FACTOR_COLUMNS
    from shnor.reporting.views import risk_matrix_html

    matrix = pd.DataFrame({"school_id": ["1", "2", "3"], "name": ["А", "Б", "В"],
                           **{c: ["low", "high", "medium"] for c in FACTOR_COLUMNS}})
    matrix.loc[2, FACTOR_COLUMNS[0]] = "high"
    matrix["n_high"] = (matrix[FACTOR_COLUMNS] == "high").sum(axis=1)  # as risk_matrix has it
    out = risk_matrix_html(matrix, max_rows=2)
    assert out.count("<tr><td>") == 2 and out.index("<td>2</td>") < out.index("<td>3</td>")
    assert "<td>1</td>" not in out and "Показаны 2 из 3 школ" in out
    assert "Показаны" not in risk_matrix_html(matrix)
