"""Statistically similar schools and the percentile among them, on tiny frames."""

import numpy as np
import pandas as pd
import pytest

from shnor.comparison.peers import nearest_windows, similar_schools
from shnor.config import load_config


def _params(n_similar=2, min_peers=1, by_locality=True):
    p = load_config()
    p["comparison"]["peers"].update(n_similar=n_similar, min_peers=min_peers,
                                    by_locality=by_locality)
    return p


def test_nearest_windows():
    x = np.array([0.0, 1.0, 1.5, 10.0])
    # k = 2: school 0 → {0, 1, 2}; school 3 → {1, 2, 3}; school 1 → window from 0
    assert nearest_windows(x, 2).tolist() == [0, 0, 0, 1]


def test_percentile_by_hand():
    frame = pd.DataFrame({"school_id": list("ABCDE"),
                          "isbsh": [10.0, 11.0, 12.0, 50.0, np.nan],
                          "quality_index": [5.0, 7.0, 6.0, 1.0, 3.0]})
    out, notes = similar_schools(frame, _params(by_locality=False))
    out = out.set_index("school_id")
    # A's two nearest: B (7) and C (6), both higher → 0; B: A (5), C (6) both lower → 100
    # C: B (7) higher, A (5) lower → 50; D: B, C (nearest to 50) both higher → 0
    assert out["peer_percentile"].tolist()[:4] == [0.0, 100.0, 50.0, 0.0]
    assert out.loc["A", "peer_count"] == 2
    assert pd.isna(out.loc["E", "peer_count"]) and pd.isna(out.loc["E", "peer_percentile"])
    assert any("тип местности" in n.lower() for n in notes)


def test_locality_and_too_few():
    frame = pd.DataFrame({"school_id": list("ABCD"), "isbsh": [10.0, 11.0, 12.0, 13.0],
                          "quality_index": [1.0, 2.0, 3.0, 4.0],
                          "locality": ["urban", "rural", "urban", "rural"]})
    out, notes = similar_schools(frame, _params(n_similar=60, min_peers=2))
    # one similar school of the same locality each, fewer than min_peers: no percentile
    assert out["peer_count"].tolist() == [1, 1, 1, 1]
    assert out["peer_percentile"].isna().all()
    assert out["peer_status"].str.contains("не рассчитан").all()
    out, notes = similar_schools(frame, _params(n_similar=60, min_peers=1))
    assert out.set_index("school_id").loc["C", "peer_percentile"] == pytest.approx(100.0)
    assert any("вместо 60" in n for n in notes)


def test_no_social_data():
    frame = pd.DataFrame({"school_id": list("AB"), "isbsh": [np.nan, np.nan],
                          "quality_index": [1.0, 2.0]})
    out, _ = similar_schools(frame, _params())
    assert out["peer_count"].isna().all() and out["peer_percentile"].isna().all()
