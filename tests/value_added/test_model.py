"""The value-added model (shnor.value_added): the sampling variance of a school's quality index
computed by hand, τ² against the REML likelihood maximised directly, the empirical-Bayes effect,
its standard error and the SAS EVAAS levels."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.quality.index import QualityIndex
from shnor.value_added import ABOVE, BELOW, WITHIN, ValueAdded, fit_value_added
from shnor.value_added.estimation import reml_tau2

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

ASSESSMENTS = [("VPR", 5, "math"), ("VPR", 6, "russian")]


def results(n_schools=12, seed=0):
    """Two ВПР groups per school, marks drawn around school abilities."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_schools):
        ability = rng.normal()
        for proc, grade, subj in ASSESSMENTS:
            n = int(rng.integers(8, 60))
            p = np.exp([0.0, 1.2, 0.8 + ability, ability - 0.5])
            c = rng.multinomial(n, p / p.sum())
            rows.append((2024, f"s{i:02d}", proc, grade, subj, float(n), *map(float, c),
                         np.nan, round(float((c * [2, 3, 4, 5]).sum() / n), 2)))
    return pd.DataFrame(rows, columns=["year", "school_id", "procedure", "grade", "subject",
                                       "participants", "n_fail", "n_mark3", "n_mark4",
                                       "n_mark5", "n_high", "mean_score"])


def scored(res, indicators=None):
    """Assessment scores, quality index and a social share of the schools of ``res``."""
    ind = compute_indicators(res, load_config())
    qi = QualityIndex(indicators=indicators, year=2024).fit(ind)
    scores = qi.scores(ind)
    y = qi.transform(ind).set_index("school_id")["quality_index"]
    X = pd.DataFrame({"share": np.linspace(0.1, 0.5, len(y))},
                     index=pd.Index(y.index, name="school_id"))
    return qi, scores, X, y


def test_one_share_gives_the_binomial_variance_on_the_standardised_scale():
    only_fail = {"share_fail": -1}
    qi, scores, X, y = scored(results(), only_fail)
    model = ValueAdded(indicators=only_fail, min_schools=5).fit(X, y, scores=scores)
    # the measurement scale is the quality index's own
    pd.testing.assert_frame_equal(model.indicator_scale_, qi.indicator_scale_[["share_fail"]])
    assert model.index_scale_ == pytest.approx(qi.sd / qi.score_scale_, rel=1e-12)
    rows = scores[scores["school_id"] == "s03"]
    s = qi.indicator_scale_.loc[list(zip(rows["procedure"], rows["grade"], rows["subject"])),
                                "share_fail"].to_numpy()
    p, n = rows["share_fail"].to_numpy(), rows["participants"].to_numpy()
    v = p * (1 - p) / (n - 1) / s ** 2  # p(1 − p)/n, unbiased from p̂, on the z scale
    expected = model.index_scale_ ** 2 * v.mean() / len(v)
    assert model.sampling_variance(scores)["s03"] == pytest.approx(expected, rel=1e-12)


def test_three_indicators_give_the_multinomial_variance_of_the_pupil_value():
    qi, scores, X, y = scored(results())
    model = ValueAdded(min_schools=5).fit(X, y, scores=scores)
    rows = scores[scores["school_id"] == "s05"]
    v = []
    for _, r in rows.iterrows():
        sc = qi.indicator_scale_.loc[(r["procedure"], r["grade"], r["subject"])]
        p2, pq, mean = r["share_fail"], r["share_quality"], r["mean_score"]
        p3 = 1 - p2 - pq
        p5 = min(max(mean - 2 * p2 - 3 * p3 - 4 * pq, 0), pq)  # 4 and 5 split by the mean
        probs = np.array([p2, p3, pq - p5, p5])
        marks = np.array([2.0, 3.0, 4.0, 5.0])
        h = (-(marks == 2).astype(float) / sc["share_fail"] + (marks >= 4) / sc["share_quality"]
             + marks / sc["mean_score"]) / 3  # a pupil's contribution to the score
        var_h = probs @ h ** 2 - (probs @ h) ** 2
        v.append(var_h / (r["participants"] - 1))
    expected = model.index_scale_ ** 2 * np.mean(v) / len(v)
    assert model.sampling_variance(scores)["s05"] == pytest.approx(expected, rel=1e-6)


def test_variance_falls_with_participants():
    res = results(n_schools=30, seed=2)
    qi, scores, X, y = scored(res)
    model = ValueAdded().fit(X, y, scores=scores)
    big = res.assign(participants=res["participants"] * 10)
    for c in ["n_fail", "n_mark3", "n_mark4", "n_mark5"]:
        big[c] = big[c] * 10  # the same shares, ten times the pupils
    big_scores = qi.scores(compute_indicators(big, load_config()))
    small, large = model.sampling_variance(scores), model.sampling_variance(big_scores)
    ratio = small / large  # (10 n − 1) / (n − 1)
    assert (ratio > 9.5).all() and (ratio < 12).all()


def test_test_score_means_missing_shares_and_unknown_assessments():
    res = results(n_schools=12, seed=3)
    _, scores, X, y = scored(res)
    model = ValueAdded(min_schools=5).fit(X, y, scores=scores)
    base = model.sampling_variance(scores)
    rows = scores[scores["school_id"] == "s01"].copy()
    # a ЕГЭ-like test-score mean says nothing about its pupils: the shares alone
    test_score = rows.assign(mean_score=[61.5, 70.2])
    only_shares = ValueAdded(indicators={"share_fail": -1, "share_quality": 1}, min_schools=5)
    only_shares.fit(X, y, scores=scores)
    assert model.sampling_variance(test_score)["s01"] == pytest.approx(
        only_shares.sampling_variance(rows)["s01"], rel=1e-12)
    # an assessment without shares takes the mean of the school's others
    no_shares = rows.assign(share_fail=[np.nan, rows["share_fail"].iloc[1]],
                            share_quality=[np.nan, rows["share_quality"].iloc[1]])
    one = model.sampling_variance(rows.iloc[[1]])["s01"]
    assert model.sampling_variance(no_shares)["s01"] == pytest.approx(one / 2, rel=1e-12)
    # none known: no variance at all, not a zero
    assert np.isnan(model.sampling_variance(rows.assign(share_fail=np.nan,
                                                        share_quality=np.nan))["s01"])
    # an assessment the fitted scale does not know is not in the index: ignored
    unknown = pd.concat([rows, rows.iloc[[0]].assign(procedure="OGE", grade=9)])
    assert model.sampling_variance(unknown)["s01"] == base["s01"]


def test_all_pupils_with_the_same_mark_is_a_zero_variance_left_out():
    res = results(n_schools=14, seed=4)
    same = res["school_id"] == "s00"
    res.loc[same, ["n_fail", "n_mark4", "n_mark5"]] = 0.0
    res.loc[same, "n_mark3"] = res.loc[same, "participants"]
    res.loc[same, "mean_score"] = 3.0
    _, scores, X, y = scored(res)
    model = ValueAdded(min_schools=5).fit(X, y, scores=scores)
    assert model.sampling_variance(scores)["s00"] == 0
    va = model.value_added(X, y, scores=scores)
    assert "s00" not in set(va["school_id"]) and model.n_schools_ == len(y) - 1


def reml_loglik(tau2, A, y, s2):
    v = tau2 + s2
    w = 1 / v
    M = A.T @ (A * w[:, None])
    beta = np.linalg.solve(M, A.T @ (w * y))
    r = y - A @ beta
    return -0.5 * (np.log(v).sum() + np.linalg.slogdet(M)[1] + (w * r * r).sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tau2_maximises_the_reml_likelihood(seed):
    rng = np.random.default_rng(seed)
    n = 60
    A = np.column_stack([np.ones(n), rng.uniform(0, 1, n), rng.uniform(0, 0.2, n)])
    s2 = rng.uniform(0.5, 30, n)
    y = A @ [50, 20, -30] + rng.normal(0, 4, n) + rng.normal(0, np.sqrt(s2))
    tau2, _ = reml_tau2(A, y, s2, 100, 1e-12)
    best = optimize.minimize_scalar(lambda t: -reml_loglik(t, A, y, s2), bounds=(0, 500),
                                    method="bounded", options={"xatol": 1e-10})
    assert tau2 == pytest.approx(best.x, rel=1e-5, abs=1e-8)
    assert 5 < tau2 < 40  # the true τ² is 16


def test_effect_se_and_weight_follow_the_formulas():
    rng = np.random.default_rng(7)
    n = 80
    X = pd.DataFrame({"a": rng.uniform(0, 1, n)},
                     index=pd.Index([f"s{i}" for i in range(n)], name="school_id"))
    s2 = rng.uniform(1, 40, n)
    y = 40 + 20 * X["a"] + rng.normal(0, 5, n) + rng.normal(0, np.sqrt(s2))
    model = ValueAdded().fit(X, y, sampling_variance=s2)
    va = model.value_added(X, y, sampling_variance=s2).set_index("school_id")
    A = np.column_stack([np.ones(n), X["a"]])
    w = model.tau2_ / (model.tau2_ + s2)
    expected = A @ [model.intercept_, model.coef_[0]]
    leverage = np.einsum("ij,jk,ik->i", A, model.cov_, A)
    np.testing.assert_allclose(va["value_added_weight"], w)
    np.testing.assert_allclose(va["value_added"], w * (y - expected))
    np.testing.assert_allclose(va["value_added_se"], np.sqrt(w * s2 + w ** 2 * leverage))
    np.testing.assert_allclose(va["quality_se"], np.sqrt(s2))
    np.testing.assert_allclose(va["value_added_high"] - va["value_added"],
                               1.959964 * va["value_added_se"], rtol=1e-6)
    # the effects are deviations from the prediction: they centre on 0
    assert abs(np.average(va["value_added"], weights=w)) < 0.5


def test_evaas_levels_and_the_verdict():
    rng = np.random.default_rng(8)
    n = 200
    X = pd.DataFrame({"a": rng.uniform(0, 1, n)},
                     index=pd.Index([f"s{i}" for i in range(n)], name="school_id"))
    s2 = rng.uniform(1, 40, n)
    y = 40 + 20 * X["a"] + rng.normal(0, 6, n) + rng.normal(0, np.sqrt(s2))
    model = ValueAdded().fit(X, y, sampling_variance=s2)
    va = model.value_added(X, y, sampling_variance=s2)
    index = va["value_added"] / va["value_added_se"]
    rule = np.select([index >= 2, index >= 1, index >= -1, index >= -2], [5, 4, 3, 2], 1)
    assert (va["effectiveness_level"].to_numpy() == rule).all()
    assert set(va["effectiveness_level"]) == {1, 2, 3, 4, 5}
    assert str(va["effectiveness_level"].dtype) == "Int64"
    assert (va.loc[va["verdict"] == ABOVE, "value_added_low"] > 0).all()
    assert (va.loc[va["verdict"] == BELOW, "value_added_high"] < 0).all()
    within = va["verdict"] == WITHIN
    assert ((va.loc[within, "value_added_low"] <= 0)
            & (va.loc[within, "value_added_high"] >= 0)).all()
    # an index exactly on a bound gets the higher level (SAS EVAAS)
    i0 = float(index.iloc[0])
    model.set_params(level_bounds=[i0 - 3, i0 - 2, i0 - 1, i0])
    assert model.value_added(X, y, sampling_variance=s2)["effectiveness_level"].iloc[0] == 5


def test_a_large_school_is_flagged_where_a_small_one_with_the_same_result_is_not():
    rng = np.random.default_rng(9)
    n = 150
    X = pd.DataFrame({"a": rng.uniform(0, 1, n)},
                     index=pd.Index([f"s{i}" for i in range(n)], name="school_id"))
    s2 = rng.uniform(1, 40, n)
    y = 40 + 20 * X["a"] + rng.normal(0, 4, n) + rng.normal(0, np.sqrt(s2))
    model = ValueAdded().fit(X, y, sampling_variance=s2)
    two = pd.DataFrame({"a": [0.5, 0.5]}, index=pd.Index(["big", "small"], name="school_id"))
    observed = pd.Series(model.predict(two) + 9, index=two.index)
    va = model.value_added(two, observed, sampling_variance=[0.5, 100.0]).set_index("school_id")
    assert va.loc["big", "verdict"] == ABOVE and va.loc["small", "verdict"] == WITHIN
    assert va.loc["small", "value_added_weight"] < va.loc["big", "value_added_weight"]
    assert va.loc["small", "value_added"] < va.loc["big", "value_added"]
    assert va.loc["small", "value_added_se"] > 2 * va.loc["big", "value_added_se"]


def test_no_between_school_variance_gives_zero_effects_without_warnings():
    X = pd.DataFrame({"a": np.linspace(0, 1, 20)},
                     index=pd.Index([f"s{i}" for i in range(20)], name="school_id"))
    y = 40 + 20 * X["a"]  # exactly on the line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, coefs = fit_value_added(X, y, sampling_variance=np.full(20, 4.0))
    assert coefs.set_index("term").loc["τ²", "coef"] == 0
    assert (table["value_added"] == 0).all() and (table["value_added_se"] == 0).all()
    assert (table["effectiveness_level"] == 3).all() and (table["verdict"] == WITHIN).all()


def test_constant_regressor_dropped():
    X = pd.DataFrame({"a": np.arange(20.0), "b": 1.0},
                     index=pd.Index([str(i) for i in range(20)], name="school_id"))
    y = pd.Series(2 * np.arange(20.0) + np.tile([3.0, -3.0], 10), index=X.index)
    table, coefs = fit_value_added(X, y, sampling_variance=np.full(20, 1.0))
    assert coefs["term"].tolist() == ["const", "a", "R²", "τ²"]
    assert len(table) == 20
