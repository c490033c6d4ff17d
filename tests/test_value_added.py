import numpy as np
import pandas as pd
import pytest

from shnor.value_added import ABOVE, BELOW, WITHIN, fit_value_added


def test_known_residual_is_recovered_and_flagged():
    rng = np.random.default_rng(0)
    n = 200
    ids = [f"{i:03d}" for i in range(n)]
    X = pd.DataFrame({"higher_edu": rng.uniform(0.1, 0.6, n), "deviant": rng.uniform(0, 0.1, n)},
                     index=ids)
    y = 40 + 30 * X["higher_edu"] - 50 * X["deviant"] + rng.normal(0, 1.0, n)
    y.iloc[7] += 15
    y.iloc[8] -= 15
    X.loc["009", "deviant"] = np.nan  # no data: left out
    table, coefs = fit_value_added(X, y)
    t = table.set_index("school_id")
    assert len(t) == n - 1 and "009" not in t.index
    assert t.loc["007", "value_added"] == pytest.approx(15, abs=1.5)
    assert t.loc["007", "verdict"] == ABOVE and t.loc["008", "verdict"] == BELOW
    assert (t["value_added_low"] < t["value_added"]).all()
    assert (t["verdict"] == WITHIN).mean() > 0.9
    c = coefs.set_index("term")["coef"]
    assert c["higher_edu"] == pytest.approx(30, abs=3) and c["R²"] > 0.5


def test_constant_regressor_dropped():
    X = pd.DataFrame({"a": np.arange(20.0), "b": 1.0}, index=[str(i) for i in range(20)])
    y = pd.Series(2 * np.arange(20.0) + np.tile([0.5, -0.5], 10), index=X.index)
    table, coefs = fit_value_added(X, y)
    assert coefs["term"].tolist() == ["const", "a", "R²"]
    assert (table["verdict"] == WITHIN).all()
