"""Statistics on counts (pure functions): Wilson interval, two-proportion z-test, ratio."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal
ALPHA = 0.05


# --- Statistics (pure functions on counts) -----------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion: honest near 100% and for small n, unlike p ± z·se."""
    if n <= 0:
        return None, None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """(z, two-sided p) of the pooled two-proportion z-test of x1/n1 against x2/n2; (None, None) when either
    sample is empty, (0, 1) when the pooled proportion is 0 or 1 (no variance, no evidence of a change)."""
    if n1 <= 0 or n2 <= 0:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def ratio(part: int | float | None, whole: int | float | None) -> float | None:
    return None if not whole else (part or 0) / whole
