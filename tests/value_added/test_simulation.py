"""Known school effects, cohorts of 5 to 300 pupils: the value-added intervals cover the true
effect about 95 % of the time, small cohorts get clearly wider intervals, and flagged schools are
flagged in the right direction.

Pupils' marks are drawn per assessment from an ordered logit around the school's ability (social
context + a school effect); the results go through the indicators and the quality index as in a
run. The true effect of a school is its quality index with infinitely many pupils (the expected
shares of marks, on the same standardisation) minus that true index's regression on the shares:
what the value-added estimates."""

import numpy as np
import pandas as pd
import pytest

from shnor.config import load_config
from shnor.indicators import compute_indicators
from shnor.quality.index import QualityIndex
from shnor.value_added import ValueAdded
from shnor.verdicts import ABOVE, BELOW, WITHIN

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# procedure, grade, subject, regional shares of marks 2–5 at ability 0
ASSESSMENTS = [("VPR", 5, "math", (0.07, 0.50, 0.33, 0.10)),
               ("VPR", 6, "russian", (0.08, 0.48, 0.34, 0.10)),
               ("VPR", 7, "math", (0.07, 0.54, 0.31, 0.08)),
               ("OGE", 9, "russian", (0.03, 0.30, 0.40, 0.27))]
N_SCHOOLS, SEEDS = 400, (1, 2, 3)


def simulate(seed: int) -> pd.DataFrame:
    """One region: per school the cohort, the true effect and the value-added table."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"s{i:04d}" for i in range(N_SCHOOLS)])
    X = pd.DataFrame({"parents_higher_edu": rng.uniform(0.05, 0.6, N_SCHOOLS),
                      "unemployed_parents": rng.uniform(0.0, 0.15, N_SCHOOLS)},
                     index=pd.Index(ids, name="school_id"))
    cohort = np.rint(np.exp(rng.uniform(np.log(5), np.log(300), N_SCHOOLS))).astype(int)
    ability = (1.5 * (X["parents_higher_edu"].to_numpy() - 0.3)
               - 3.0 * (X["unemployed_parents"].to_numpy() - 0.07)
               + rng.normal(0, 0.35, N_SCHOOLS))
    drawn, expected = [], []
    for proc, grade, subject, shares in ASSESSMENTS:
        cum = np.cumsum(shares)[:3]
        cdf = 1 / (1 + np.exp(-(np.log(cum / (1 - cum))[None, :] - ability[:, None])))
        probs = np.diff(np.column_stack([np.zeros(N_SCHOOLS), cdf, np.ones(N_SCHOOLS)]), axis=1)
        counts = np.array([rng.multinomial(n, p) for n, p in zip(cohort, probs)], dtype=float)
        for out, c, decimals in ((drawn, counts, 2), (expected, probs * cohort[:, None], None)):
            mean = (c * [2, 3, 4, 5]).sum(axis=1) / cohort
            out.append(pd.DataFrame({
                "year": 2024, "school_id": ids, "procedure": proc, "grade": grade,
                "subject": subject, "participants": cohort.astype(float), "n_fail": c[:, 0],
                "n_mark3": c[:, 1], "n_mark4": c[:, 2], "n_mark5": c[:, 3], "n_high": np.nan,
                "mean_score": mean if decimals is None else np.round(mean, decimals)}))
    params = load_config()
    ind = compute_indicators(pd.concat(drawn, ignore_index=True), params)
    quality = QualityIndex.from_params(params, year=2024).fit(ind)
    scores = quality.scores(ind)
    y = quality.transform(ind).set_index("school_id")["quality_index"].reindex(X.index)
    true_index = quality.transform(compute_indicators(pd.concat(expected, ignore_index=True),
                                                      params))
    true_index = true_index.set_index("school_id")["quality_index"].reindex(X.index).to_numpy()
    A = np.column_stack([np.ones(N_SCHOOLS), X.to_numpy()])
    coef, *_ = np.linalg.lstsq(A, true_index, rcond=None)
    model = ValueAdded.from_params(params).fit(X, y, scores=scores)
    va = model.value_added(X, y, scores=scores).set_index("school_id")
    return va.assign(cohort=cohort, true_effect=true_index - A @ coef,
                     error=(y - true_index).to_numpy(), seed=seed)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.concat([simulate(seed) for seed in SEEDS]).reset_index()


def test_sampling_variance_matches_the_simulated_error(sim):
    z = sim["error"] / sim["quality_se"]  # index − its value with infinitely many pupils
    for part in (sim["cohort"] < 20, sim["cohort"].between(20, 80), sim["cohort"] > 80):
        assert 0.85 < z[part].std() < 1.2


def test_intervals_cover_the_true_effect(sim):
    covered = sim["true_effect"].between(sim["value_added_low"], sim["value_added_high"])
    small, large = sim["cohort"] <= 15, sim["cohort"] >= 100
    print(f"\ncoverage {covered.mean():.3f} (cohorts ≤ 15: {covered[small].mean():.3f}, "
          f"≥ 100: {covered[large].mean():.3f}), {len(sim)} schools")
    assert 0.90 <= covered.mean() <= 0.99
    assert covered[small].mean() >= 0.88 and covered[large].mean() >= 0.88


def test_small_cohorts_get_clearly_wider_intervals(sim):
    width = sim["value_added_high"] - sim["value_added_low"]
    small, large = sim["cohort"] <= 15, sim["cohort"] >= 100
    ratio = width[small].mean() / width[large].mean()
    rank = width.corr(sim["cohort"], method="spearman")
    print(f"\nwidth ratio cohorts ≤ 15 / ≥ 100: {ratio:.2f}; rank r(width, cohort) {rank:.2f}")
    assert ratio >= 2 and rank <= -0.8
    assert sim.loc[small, "value_added_weight"].mean() < sim.loc[large, "value_added_weight"].mean()


def test_flags_point_the_right_way_and_find_strong_large_schools(sim):
    flagged = sim["verdict"] != WITHIN
    right = (((sim["verdict"] == ABOVE) & (sim["true_effect"] > 0))
             | ((sim["verdict"] == BELOW) & (sim["true_effect"] < 0)))
    precision = right[flagged].mean()
    strong = (sim["cohort"] >= 100) & (sim["true_effect"] > 1.5 * sim["true_effect"].std())
    found = (sim.loc[strong, "verdict"] == ABOVE).mean()
    print(f"\nflagged {flagged.sum()}, precision {precision:.3f}; large schools with a strong "
          f"positive effect flagged «выше ожидаемого»: {found:.2f} of {strong.sum()}")
    assert precision >= 0.9
    assert strong.sum() >= 10 and found >= 0.8
    assert set(sim.loc[sim["verdict"] == ABOVE, "effectiveness_level"]) <= {4, 5}
    assert set(sim.loc[sim["verdict"] == BELOW, "effectiveness_level"]) <= {1, 2}
