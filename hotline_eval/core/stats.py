"""Statistics shared by measurement, scoring and comparison (scipy).

- `wilson`: the Wilson score interval of a proportion (indicators.csv, charts);
- `two_proportions`: the pooled two-proportion z-test of a difference of rates;
- `two_means`: the Welch (unequal-variance) z-test of a difference of means, from the sums
  Σx, Σx² and the counts (the indicator engine gives these, see compare/extra_terms.py);
- `poisson_rates`: the conditional binomial test of two Poisson rates (events per exposure);
- `benjamini_hochberg`: q-values controlling the false-discovery rate of a family of tests;
- `mean_variance`: mean and sample variance from the sums.
Every function is vectorised over numpy arrays and gives NaN where a test is undefined.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def wilson(successes: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions (vectorised); NaN where n is 0."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def two_proportions(x1, n1, x2, n2) -> tuple[np.ndarray, np.ndarray]:
    """z and two-sided p of p1 − p2, with the pooled proportion under the null (normal approximation)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
    z = np.where((n1 > 0) & (n2 > 0) & (se > 0), z, np.where((n1 > 0) & (n2 > 0) & (se == 0), 0.0, np.nan))
    return z, 2 * stats.norm.sf(np.abs(z))


def mean_variance(total, squares, n) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample variance (n − 1 in the denominator) from Σx, Σx² and n; NaN where n < 2."""
    total, squares, n = (np.asarray(a, dtype=float) for a in (total, squares, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        var = np.maximum(squares - n * mean**2, 0) / (n - 1)
    return np.where(n > 0, mean, np.nan), np.where(n > 1, var, np.nan)


def two_means(m1, v1, n1, m2, v2, n2) -> tuple[np.ndarray, np.ndarray]:
    """z and two-sided p of m1 − m2 with unequal variances (Welch; with hundreds of records the
    t distribution is the normal one)."""
    m1, v1, n1, m2, v2, n2 = (np.asarray(a, dtype=float) for a in (m1, v1, n1, m2, v2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v1 / n1 + v2 / n2)
        z = (m1 - m2) / se
    z = np.where(se > 0, z, np.where(se == 0, 0.0, np.nan))
    return z, 2 * stats.norm.sf(np.abs(z))


def poisson_rates(k1, e1, k2, e2) -> np.ndarray:
    """Two-sided p of two Poisson rates k1/e1 and k2/e2 (exact: k1 given k1 + k2 is binomial)."""
    k1, e1, k2, e2 = (np.asarray(a, dtype=float) for a in (k1, e1, k2, e2))
    out = np.full(np.broadcast(k1, e1, k2, e2).shape, np.nan)
    for idx in np.ndindex(out.shape):
        a, ea, b, eb = (float(np.broadcast_to(x, out.shape)[idx]) for x in (k1, e1, k2, e2))
        if ea > 0 and eb > 0 and a + b > 0:
            out[idx] = stats.binomtest(round(a), round(a + b), ea / (ea + eb)).pvalue
    return out


def benjamini_hochberg(pvalues) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of one family of tests; NaN p-values stay NaN
    and do not count as tests."""
    p = np.asarray(pvalues, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return q
