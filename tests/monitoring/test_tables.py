"""Every table of the monitoring report for a year (shnor.monitoring.tables): notes on what is
missing, programme rows of every year, the risk profiles of the nearest year."""

import pandas as pd
from conftest import monitoring_dataset, monitoring_lists

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.monitoring.tables import monitoring_tables


def test_risk_check_and_notes_name_what_is_missing(monitoring):
    check = monitoring["risk_check"]
    assert check[["school_id", "factor", "problem"]].values.tolist() == [
        ["03", 10, "нет уровня значимости"]]
    notes = " ".join(monitoring["monitoring_notes"]["text"])
    assert "Таблица показателей программы (programme) не предоставлена" in notes
    assert "Профили рисков за 2024 г. нет; показаны профили 2023 г." in notes
    assert "Целевой год 2026 ещё не наступил" in notes
    assert monitoring["programme_summary"].empty
    m = monitoring["risk_matrix"]
    assert m["school_id"].tolist() == ["01", "03"]


def test_programme_rows_for_every_year_whatever_the_run_year():
    params = load_config()
    prog = pd.DataFrame({"year": [2022, 2022, 2023], "indicator": ["1. а", "2. б", "1. а"],
                         "value": [50.0, 18.2, 33.0], "points": [4.0, 2.0, 6.0]})
    ds = monitoring_dataset(programme=prog)
    out = monitoring_tables(ds, 2021, params, compute_indicators(ds.results, params),
                            monitoring_lists(), None)
    assert out["programme_summary"]["year"].tolist() == [2022, 2023]
    assert out["programme_summary"]["total_points"].tolist() == [6, 6]
    assert list(out["programme"].columns[:4]) == ["year", "indicator", "value", "points"]
    assert "Таблица факторов риска (risk_profiles) не предоставлена" in " ".join(
        out["monitoring_notes"]["text"])
    assert out["risk_matrix"].empty and out["risk_check"].empty


def test_tables_survive_parquet(monitoring, tmp_path):
    for name, frame in monitoring.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), frame,
                                      obj=name)
