"""The numerical steps of the value-added model: REML for the between-school variance τ²,
weighted least squares, and row-by-row products whose rounding does not depend on how many
schools are computed together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.indicators import ASSESSMENT


def reml_tau2(A: np.ndarray, y: np.ndarray, s2: np.ndarray, max_iter: int,
               tol: float) -> tuple[float, int]:
    """REML estimate of τ² in ``y = A b + u + e``, Var(u) = τ², Var(e_i) = s2_i (known), by
    Fisher scoring from the method-of-moments value; O(n p²), no n × n matrix.

    Moments: E[RSS_OLS] = Σ (1 − h_ii)(τ² + s2_i), so τ²₀ = (RSS − Σ (1 − h_ii) s2_i) / (n − p).
    REML step (P = W − W A (AᵀWA)⁻¹ AᵀW, W = diag 1 / (τ² + s2)):
    τ² ← τ² + (yᵀP²y − tr P) / tr P², clipped at 0."""
    n, p = A.shape
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    r = y - A @ beta
    leverage = np.einsum("ij,jk,ik->i", A, np.linalg.pinv(A.T @ A), A)
    tau2 = max(0.0, float((r @ r - ((1 - leverage) * s2).sum()) / (n - p)))
    for it in range(1, max_iter + 1):
        w = 1.0 / (tau2 + s2)
        M = np.linalg.pinv(A.T @ (A * w[:, None]))
        r = y - A @ (M @ (A.T @ (w * y)))
        py = w * r
        MB2 = M @ (A.T @ (A * (w ** 2)[:, None]))
        tr_p = w.sum() - np.trace(MB2)
        tr_pp = ((w ** 2).sum() - 2 * np.trace(M @ (A.T @ (A * (w ** 3)[:, None])))
                 + np.trace(MB2 @ MB2))
        new = max(0.0, tau2 + float((py @ py - tr_p) / tr_pp)) if tr_pp > 0 else tau2
        if abs(new - tau2) <= tol * max(1.0, tau2):
            return new, it
        tau2 = new
    return tau2, max_iter


def wls(A: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares: coefficients and their covariance (AᵀWA)⁻¹."""
    cov = np.linalg.pinv(A.T @ (A * w[:, None]))
    return cov @ (A.T @ (w * y)), cov


def check_scores(scores) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame, not {type(scores).__name__}")
    missing = [c for c in ["school_id", *ASSESSMENT, "participants", "score"]
               if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lack the columns {', '.join(missing)}")
    return scores


def rows_dot(A: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """``A @ beta`` row by row: a school's expected value does not depend on how many schools
    are computed with it (a matrix product's rounding does)."""
    return (A * beta).sum(axis=1)


def target_values(X, y, n: int) -> np.ndarray:
    """``y`` as floats, checked to be one value per row of ``X`` in the same order."""
    if isinstance(y, pd.Series) and isinstance(X, pd.DataFrame) and not y.index.equals(X.index):
        raise ValueError("Добавленная ценность: индекс качества должен иметь те же строки "
                         "(индекс), что и таблица показателей.")
    yy = np.asarray(y, float)
    if yy.shape != (n,):
        raise ValueError(f"Добавленная ценность: индекс качества должен иметь по одному "
                         f"значению на школу ({n}), а не форму {yy.shape}.")
    return yy
