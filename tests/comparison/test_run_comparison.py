"""The comparison tables of a run: every listed school in partners, funnels of the rule's
groups, peers in the differentiation contract; a run on a tiny region completes."""

import warnings

import pytest
from conftest import fast_params, make_dataset

from shnor.analysis.differentiation import CONTRACT_COLUMNS
from shnor.analysis.run import Run
from shnor.identification.flags import IDENTIFICATION_COLUMNS


def test_run_comparison_tables(region):
    run = Run(region, region.years[-1], fast_params())
    flags = run.identification["identification_flags"]
    listed = flags.loc[flags["low_results"].fillna(False) | flags["risk_zone"].fillna(False),
                       "school_id"]
    partners = run.comparison["partners"]
    assert set(partners["school_id"]) == set(listed)
    assert partners.groupby("school_id").size().max() <= 3
    assert not partners["partner_id"].dropna().isin(listed).any()
    funnel = run.comparison["identification_funnel"]
    assert (funnel["upper_95"] <= funnel["upper_998"] + 1e-12).all()
    diff = run.differentiation["differentiation"]
    i = CONTRACT_COLUMNS.index("effectiveness_level")
    assert CONTRACT_COLUMNS[i + 1:i + 3] == ["peer_percentile", "peer_count"]
    assert diff["peer_percentile"].dropna().between(0, 100).all()
    ident = run.identification["identification"]
    assert IDENTIFICATION_COLUMNS[-1] == "low_results_certainty"
    on = ident["low_results"].fillna(False).astype(bool)
    # listed schools are more likely listed than the others
    assert ident.loc[on, "low_results_certainty"].mean() > ident.loc[~on, "low_results_certainty"].mean()


@pytest.mark.parametrize("with_social", [True, False])
def test_tiny_region_completes_without_warnings(region, with_social):
    ids = region.schools["school_id"].iloc[:4]

    def part(t):
        return t[t["school_id"].isin(ids)].reset_index(drop=True)

    social = part(region.social) if with_social else region.social.iloc[:0]
    small = make_dataset(part(region.schools), part(region.results), social, name="tiny")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        tables = Run(small, small.years[-1], fast_params()).tables()
    diff = tables["differentiation"]
    assert diff["peer_percentile"].isna().all()
    partners = tables["partners"]
    assert partners["partner_id"].isna().all()  # nobody to suggest in four schools
    assert (partners["reason"].fillna("") != "").all()
    assert len(tables["identification"]["low_results_certainty"]) == 4
