"""Objectivity screening of ВПР results (SPEC §4.7), after Rosobrnadzor's published signs.

Four signs, each a *hint* for a methodologist with its evidence, never a verdict:

- ВПР far above the region not confirmed by ОГЭ/ЕГЭ: the school's mean ВПР score (standardised
  per assessment, :func:`shnor.quality.index.assessment_scores`) is at least ``vpr_high_sd`` above the
  region and at least ``gap_sd`` above its own mean ОГЭ/ЕГЭ score;
- excess of top marks: in a ВПР with at least ``min_participants`` participants the share of «5»
  exceeds the regional share by ``top_marks_excess`` or more;
- jump: the share of marks 4–5 in the same ВПР rose by ``jump`` or more since the previous year
  (both years with at least ``min_participants`` participants);
- ВПР not below the journal (only with the optional table ``journal_comparison``, the ФИС ОКО
  «Сравнение отметок с отметками по журналу»): in a work with at least ``min_participants``
  compared participants, the share of students whose ВПР mark was lower than their journal mark
  («понизили») is at most ``journal_lowered_max`` — the ВПР marks repeat the journal, although an
  external work usually marks part of the class lower — or the share whose ВПР mark was higher
  («повысили») is at least ``journal_raised_min``.

ОГЭ/ЕГЭ confirm ВПР in the first sign; regional diagnostic works (РДР) are neither.

Schools whose type names a selective school (``exempt_school_types``: гимназия, лицей, УИОП) are
excepted from the first two signs by default: high results are expected there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.indicators import ASSESSMENT
from shnor.io.contract import assessment_label

SIGNS = {
    "vpr_not_confirmed": "ВПР не подтверждаются ОГЭ/ЕГЭ",
    "top_marks_excess": "избыток отметок «5» в ВПР",
    "jump": "резкий рост качества ВПР",
    "journal": "отметки ВПР не ниже отметок по журналу",
}
GIA = ("OGE", "EGE")
EVIDENCE_COLUMNS = ["school_id", "sign", "assessment", "evidence"]


def _pct(x) -> str:
    return f"{100 * x:.0f} %"


def _sd(x) -> str:
    return f"{x:+.1f} SD".replace(".", ",")


def exempt_schools(schools: pd.DataFrame, params: dict) -> pd.Index:
    """school_id of schools excepted from the «far above the region» signs."""
    p = params["objectivity"]
    if "school_type" not in schools.columns or not p["exempt_school_types"]:
        return pd.Index([], dtype=str)
    kind = schools["school_type"].fillna("").astype(str).str.lower()
    hit = np.zeros(len(schools), bool)
    for t in p["exempt_school_types"]:
        hit |= kind.str.contains(str(t).lower(), regex=False).to_numpy()
    return pd.Index(schools.loc[hit, "school_id"])


def journal_evidence(journal: pd.DataFrame | None, year: int, params: dict) -> pd.DataFrame:
    """Rows of the sign «ВПР not below the journal» from the canonical ``journal_comparison``
    table (counts ``lowered``, ``confirmed``, ``raised`` of ``participants``; ``None`` or empty:
    no rows)."""
    p = params["objectivity"]
    if journal is None or journal.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    j = journal[(journal["year"] == year) & (journal["participants"] >= p["min_participants"])]
    n = j["participants"].astype(float)
    low, same, high = (j[c].astype(float) / n for c in ("lowered", "confirmed", "raised"))
    few_lower = low <= p["journal_lowered_max"]
    many_higher = high >= p["journal_raised_min"]
    hit = j[few_lower | many_higher]

    def text(row) -> str:
        why = []
        if few_lower[row]:
            why.append(f"понизили не более {_pct(p['journal_lowered_max'])}")
        if many_higher[row]:
            why.append(f"повысили не менее {_pct(p['journal_raised_min'])}")
        shares = "; ".join(f"{name} {_pct(x[row])}" for name, x in (
            ("понизили", low), ("подтвердили", same), ("повысили", high)) if pd.notna(x[row]))
        return (f"по сравнению с журналом: {shares} (участников {int(n[row])}); "
                + ", ".join(why))

    return pd.DataFrame({
        "school_id": hit["school_id"].to_numpy(), "sign": SIGNS["journal"],
        "assessment": [assessment_label(*a) for a in hit[ASSESSMENT].itertuples(index=False)],
        "evidence": [text(row) for row in hit.index],
    }, columns=EVIDENCE_COLUMNS)


def objectivity_evidence(indicators: pd.DataFrame, scores: pd.DataFrame,
                         schools: pd.DataFrame, year: int, params: dict,
                         journal: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per flag: school_id, sign (Russian name), assessment, evidence (Russian text).

    ``scores``: :func:`shnor.quality.index.assessment_scores` of ``year``; ``journal``: the
    optional ``journal_comparison`` table of the dataset (``None``: the journal sign is not
    checked).
    """
    p = params["objectivity"]
    exempt = exempt_schools(schools, params)
    parts = []

    # Sign 1: ВПР above the region, ОГЭ/ЕГЭ of the same school not.
    vpr = scores[scores["procedure"] == "VPR"].groupby("school_id")["score"].agg(["mean", "size"])
    gia = scores[scores["procedure"].isin(GIA)].groupby("school_id")["score"].agg(["mean",
                                                                                 "size"])
    both = vpr.add_suffix("_vpr").join(gia.add_suffix("_gia"), how="inner")
    hit = both[(both["mean_vpr"] >= p["vpr_high_sd"])
               & (both["mean_vpr"] - both["mean_gia"] >= p["gap_sd"])
               & ~both.index.isin(exempt)]
    parts.append(pd.DataFrame({
        "school_id": hit.index, "sign": SIGNS["vpr_not_confirmed"], "assessment": "ВПР и ГИА",
        "evidence": [f"ВПР: {_sd(r.mean_vpr)} к региону (процедур: {r.size_vpr}); "
                     f"ОГЭ/ЕГЭ: {_sd(r.mean_gia)} (процедур: {r.size_gia})"
                     for r in hit.itertuples()],
    }))

    d = indicators[(indicators["procedure"] == "VPR") & indicators["reliable"].astype(bool)]
    cur = d[d["year"] == year]
    # Sign 2: top marks far above the participant-weighted regional share.
    w = cur.assign(n_high=cur["share_high"] * cur["participants"],
                   n_known=cur["participants"].where(cur["share_high"].notna(), 0))
    reg = w.groupby(ASSESSMENT)[["n_high", "n_known"]].sum()
    region_high = (reg["n_high"] / reg["n_known"].replace(0, np.nan)).rename("region_high")
    c = cur.join(region_high, on=ASSESSMENT)
    hit = c[(c["participants"] >= p["min_participants"])
            & (c["share_high"] - c["region_high"] >= p["top_marks_excess"])
            & ~c["school_id"].isin(exempt)]
    parts.append(pd.DataFrame({
        "school_id": hit["school_id"].to_numpy(), "sign": SIGNS["top_marks_excess"],
        "assessment": [assessment_label(*a) for a in hit[ASSESSMENT].itertuples(index=False)],
        "evidence": [f"«5» у {_pct(a)} участников (по региону {_pct(b)}), участников "
                     f"{int(n)}" for a, b, n in zip(hit["share_high"], hit["region_high"],
                                                   hit["participants"])],
    }))

    # Sign 3: jump of the share of marks 4–5 since the previous year in the same ВПР.
    big = d[d["participants"] >= p["min_participants"]]
    prev = big[big["year"] == year - 1][["school_id", *ASSESSMENT, "share_quality"]]
    j = big[big["year"] == year].merge(prev, on=["school_id", *ASSESSMENT], suffixes=("", "_prev"))
    hit = j[j["share_quality"] - j["share_quality_prev"] >= p["jump"]]
    parts.append(pd.DataFrame({
        "school_id": hit["school_id"].to_numpy(), "sign": SIGNS["jump"],
        "assessment": [assessment_label(*a) for a in hit[ASSESSMENT].itertuples(index=False)],
        "evidence": [f"доля «4» и «5»: {_pct(a)} в {year - 1} г. → {_pct(b)} в {year} г."
                     for a, b in zip(hit["share_quality_prev"], hit["share_quality"])],
    }))
    parts.append(journal_evidence(journal, year, params))
    out = pd.concat([x for x in parts if not x.empty] or parts[:1],
                    ignore_index=True)[EVIDENCE_COLUMNS]
    return out.sort_values(["school_id", "sign", "assessment"], ignore_index=True).astype(str)
