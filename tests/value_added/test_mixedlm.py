"""The value-added from school aggregates against the standard model on pupils: a random-
intercept multilevel model (statsmodels MixedLM, REML) on the pupil rows that the aggregates
come from (shnor.synth.students), with the same social shares as fixed effects. Its empirical-
Bayes school effects and the value-added of a run must agree."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import make_dataset

from shnor.analysis.run import Run
from shnor.config import load_config
from shnor.synth.region import generate_region
from shnor.synth.students import expand_to_students
from shnor.verdicts import ABOVE, BELOW

sm = pytest.importorskip("statsmodels.api")
MixedLM = pytest.importorskip("statsmodels.regression.mixed_linear_model").MixedLM


@pytest.fixture(scope="module")
def region():
    """A 150-school region of 2024: its value-added (run on the aggregates) and its pupils in
    the reliable groups of the assessments the quality index counts, with the school's shares."""
    params = load_config()
    t = generate_region(n_schools=150, n_years=1, seed=3, optional_tables=False)
    run = Run(make_dataset(t["schools"], t["results"], t["social"], name="mixedlm"), 2024,
              params)
    fit = run.value_added
    res = t["results"]
    counted = np.zeros(len(res), dtype=bool)
    for proc, grades in params["quality"]["grades"].items():
        counted |= ((res["procedure"] == proc) & res["grade"].isin(grades)).to_numpy()
    res = res[counted & (res["participants"] >= params["indicators"]["min_participants"])]
    pupils = expand_to_students(res, seed=1, params=params)
    pupils = pupils[pupils["mark"].notna()].assign(school_id=lambda d: d["school_id"].astype(str))
    pupils = pupils[pupils["school_id"].isin(fit.table["school_id"])]
    assessment = (pupils["procedure"].astype(str) + pupils["grade"].astype(str)
                  + pupils["subject"].astype(str))
    mark = pupils["mark"].astype(float)
    by = mark.groupby(assessment)
    pupils["z"] = (mark - by.transform("mean")) / by.transform("std")  # standardised score
    pupils["passed"] = (mark > 2).astype(float)
    social = t["social"].set_index("school_id")
    shares = social[fit.model.columns_].div(social["students_total"], axis=0)
    return fit, pupils.join(shares, on="school_id"), list(fit.model.columns_)


def mixed_effects(pupils, columns, outcome):
    """Empirical-Bayes school intercepts and their posterior SD of a random-intercept model."""
    exog = sm.add_constant(pupils[columns].to_numpy(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter
        result = MixedLM(pupils[outcome].to_numpy(), exog,
                         groups=pupils["school_id"].to_numpy()).fit(reml=True)
    effect = pd.Series({k: float(np.asarray(v)[0]) for k, v in result.random_effects.items()})
    sd = pd.Series({k: float(np.sqrt(np.asarray(v)[0, 0]))
                    for k, v in result.random_effects_cov.items()})
    return pd.DataFrame({"eb": effect, "eb_sd": sd})


def test_agrees_with_the_multilevel_model_on_standardised_scores(region):
    fit, pupils, columns = region
    both = fit.table.set_index("school_id").join(mixed_effects(pupils, columns, "z"),
                                                 how="inner")
    assert len(both) >= 120
    r = both["value_added"].corr(both["eb"])
    se_rank = both["value_added_se"].corr(both["eb_sd"], method="spearman")
    print(f"\nMixedLM (standardised score): r = {r:.3f}, rank r of the SEs = {se_rank:.3f}, "
          f"{len(both)} schools, {len(pupils)} pupils")
    assert r >= 0.9
    assert se_rank >= 0.7  # a school's uncertainty follows its pupils in both
    above, below = both["verdict"] == ABOVE, both["verdict"] == BELOW
    assert above.sum() >= 10 and below.sum() >= 10
    assert (both.loc[above, "eb"] > 0).all() and (both.loc[below, "eb"] < 0).all()
    clear = (both["eb"] / both["eb_sd"]).abs() >= 2  # clearly off in the pupil model
    assert (np.sign(both.loc[clear, "eb"]) == np.sign(both.loc[clear, "value_added"])).all()


def test_agrees_with_the_linear_probability_model_of_passing(region):
    fit, pupils, columns = region
    both = fit.table.set_index("school_id").join(mixed_effects(pupils, columns, "passed"),
                                                 how="inner")
    r = both["value_added"].corr(both["eb"])
    print(f"\nMixedLM (pass/fail, linear probability): r = {r:.3f}")
    assert r >= 0.8  # one indicator of the three the index averages
    above, below = both["verdict"] == ABOVE, both["verdict"] == BELOW
    assert (both.loc[above, "eb"] > 0).mean() >= 0.9 and (both.loc[below, "eb"] < 0).mean() >= 0.9
