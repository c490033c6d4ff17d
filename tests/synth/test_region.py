"""The synthetic region (shnor.synth.region, shnor.synth.programme): realism of the model,
determinism. Writing it: test_files.py."""

from __future__ import annotations

import pandas as pd
import pytest

from shnor.synth.programme import LIST_FIOKO, LIST_REGIONAL
from shnor.synth.region import generate_region

KEY = ["year", "school_id", "procedure", "grade", "subject"]


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate_region()


def quick_rule(results: pd.DataFrame) -> pd.DataFrame:
    """Seed 000 table 1, written independently of the generator: ≥ 30 % «2» in ≥ 2 assessments
    of ВПР 5–8 / ОГЭ / ЕГЭ in a year, or in one assessment two years running; groups ≥ 5."""
    r = results[~((results["procedure"] == "VPR") & (results["grade"] < 5))]
    r = r[(r["participants"] >= 5) & (r["n_fail"] / r["participants"] >= 0.30)]
    hits = r.groupby(["year", "school_id"]).size()
    two = set(hits[hits >= 2].index)
    cells = set(map(tuple, r[KEY].to_numpy().tolist()))
    repeat = {(y, s) for (y, s, p, g, subj) in cells if (y - 1, s, p, g, subj) in cells}
    base = results[["year", "school_id"]].drop_duplicates()
    flagged = [(y, s) in two or (y, s) in repeat for y, s in base.itertuples(index=False)]
    return base.assign(flagged=flagged)


def test_deterministic_and_seeded():
    a = generate_region(120, 3, seed=11)
    b = generate_region(120, 3, seed=11)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    c = generate_region(120, 3, seed=12)
    assert not a["results"]["n_fail"].equals(c["results"]["n_fail"])


def test_schools_look_like_a_region(demo):
    s = demo["schools"]
    assert len(s) == 800 and s["school_id"].is_unique
    assert 20 <= s["municipality"].nunique() <= 30
    assert s["municipality"].str.startswith("Городской округ").any()
    assert s["municipality"].str.endswith("муниципальный район").any()
    assert s["school_id"].str.startswith("0").mean() > 0.05  # leading zeros matter
    assert not s.duplicated(["municipality", "name"]).any()
    share = s["school_type"].value_counts(normalize=True)
    assert 0.15 <= share["ООШ"] <= 0.30 and 0.03 <= share["НОШ"] <= 0.10
    elite = s["school_type"].isin(["гимназия", "лицей", "СОШ с УИОП"])
    assert 0.05 <= elite.mean() <= 0.12 and (s.loc[elite, "locality"] == "urban").all()
    assert 0.4 <= (s["locality"] == "rural").mean() <= 0.65
    assert s.loc[s["school_type"] == "гимназия", "name"].str.match(r"МАОУ Гимназия № \d+$").all()


def test_assessments_follow_school_type(demo):
    r = demo["results"].merge(demo["schools"], on="school_id")
    assert set(r.loc[r["school_type"] == "НОШ", "grade"]) == {4}
    assert not (r.loc[r["school_type"] == "ООШ", "procedure"] == "EGE").any()
    ege = r[r["procedure"] == "EGE"]
    assert set(ege["subject"]) == {"russian", "math_base", "math_profile"}
    assert set(r.loc[r["procedure"] == "VPR", "grade"]) == {4, 5, 6, 7, 8}


def test_group_sizes_follow_school_size(demo):
    r = demo["results"].merge(demo["schools"], on="school_id")
    small = r.groupby("school_id")["participants"].max() < 5
    tiny = set(small[small].index)
    assert 1 <= len(tiny) <= 20  # a few schools where every group is below 5
    rural = r[(r["locality"] == "rural") & (r["procedure"] != "EGE") & ~r["school_id"].isin(tiny)]
    assert rural["participants"].between(3, 15).all()
    urban = r[(r["locality"] == "urban") & (r["school_type"] == "СОШ") & (r["procedure"] == "VPR")]
    assert 25 <= urban["participants"].median() <= 120


def test_counts_are_consistent(demo):
    r = demo["results"]
    marks = r[["n_fail", "n_mark3", "n_mark4", "n_mark5"]].sum(axis=1)
    assert (marks == r["participants"]).all() and (r["participants"] > 0).all()
    ege_scored = (r["procedure"] == "EGE") & (r["subject"] != "math_base")
    assert r.loc[ege_scored, "n_high"].le(r.loc[ege_scored, "n_mark5"]).all()
    assert r.loc[~ege_scored, "n_high"].isna().all()
    assert r.loc[ege_scored, "mean_score"].dropna().between(0, 100).all()
    assert r.loc[~ege_scored, "mean_score"].dropna().between(2, 5).all()
    soc = demo["social"]
    for c in soc.columns[3:]:
        assert (soc[c].isna() | (soc[c] <= soc["students_total"])).all(), c


def test_thirty_percent_rule_band_and_persistence(demo):
    f = quick_rule(demo["results"])
    share = f.groupby("year")["flagged"].mean()
    assert share.between(0.08, 0.15).all(), share.to_dict()
    wide = f.pivot(index="school_id", columns="year", values="flagged")
    for y in wide.columns[1:]:
        before = wide[y - 1].eq(True)  # NaN (no data that year) is not a flag
        again = wide.loc[before, y].eq(True).mean()
        assert again > 0.5, (y, again)


def test_social_status_drives_results(demo):
    soc = demo["social"]
    index = (soc["parents_higher_edu"] - soc["deviant_registered"]
             - soc["unemployed_parents"]) / soc["students_total"]
    res = demo["results"].groupby(["year", "school_id"])[["n_fail", "participants"]].sum()
    share = (res["n_fail"] / res["participants"]).rename("share_fail").reset_index()
    m = soc.assign(index=index).merge(share, on=["year", "school_id"]).dropna()
    assert m["index"].corr(m["share_fail"]) < -0.25


def test_objectivity_cases_high_vpr_not_confirmed_by_oge(demo):
    r = demo["results"]
    r = r.assign(q=(r["n_mark4"] + r["n_mark5"]) / r["participants"])
    g = r.groupby(KEY[:1] + KEY[2:])["q"]
    r = r.assign(z=(r["q"] - g.transform("mean")) / g.transform("std"))
    vpr = r[(r["procedure"] == "VPR") & (r["grade"] >= 5)].groupby("school_id")["z"].mean()
    oge = r[r["procedure"] == "OGE"].groupby("school_id")["z"].mean()
    gap = (vpr - oge).dropna()
    suspects = gap[gap >= 1.0].index
    assert 0.01 <= len(suspects) / len(demo["schools"]) <= 0.04
    types = demo["schools"].set_index("school_id").loc[suspects, "school_type"]
    assert not types.isin(["гимназия", "лицей"]).any()


def test_realistic_gaps(demo):
    r, soc, s = demo["results"], demo["social"], demo["schools"]
    per_year = r.groupby("year")["school_id"].nunique()
    assert (per_year < len(s)).all()  # closed, new or silent schools
    assert r["mean_score"].isna().mean() > 0.005
    assert soc[soc.columns[3:]].isna().any(axis=None)
    with_results = r[["year", "school_id"]].drop_duplicates()
    assert len(soc) < len(with_results)  # some schools without a social passport in a year


def test_optional_tables(demo):
    lists, prog, risk = demo["lists"], demo["programme"], demo["risk_profiles"]
    f = quick_rule(demo["results"])
    assert set(lists["year"]) == {2023, 2024}
    assert set(lists["list"]) == {LIST_FIOKO, LIST_REGIONAL}
    for y in (2023, 2024):
        rule = set(f.loc[(f["year"] == y) & f["flagged"], "school_id"])
        fioko = set(lists.loc[(lists["year"] == y) & (lists["list"] == LIST_FIOKO), "school_id"])
        assert len(rule & fioko) >= 0.8 * len(rule) and fioko != rule
    totals = prog.groupby("year")["points"].sum()
    assert totals[2022] == 36 and totals[2023] == 42  # seed 000, table 12
    assert 53 <= totals[2024] <= 94  # «средний» level
    assert set(prog.columns) == {"year", "indicator", "value", "points", "target", "max_points"}
    flagged_2024 = set(f.loc[(f["year"] == 2024) & f["flagged"], "school_id"])
    assert set(risk["school_id"]) == flagged_2024 and (risk["year"] == 2024).all()
    assert (risk.groupby("school_id")["factor"].apply(sorted)
            .apply(lambda x: x == list(range(1, 11)))).all()
    assert set(risk["level"]) == {"high", "medium", "low"}
