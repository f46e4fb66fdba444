"""Is a count series really growing? A robust trend test for goroutine and heap counts.

First-minus-last over a window is noise: a steady service's in-flight requests
come and go, a pool scales up once, a batch fills and flushes. Here a series is
judged over every point:

- **slope**: Theil-Sen (the median of the slopes between every pair of points),
  per minute; one outlier cannot move it.
- **significance**: the Mann-Kendall test (S statistic with the tie correction,
  normal approximation with continuity correction), one-sided for an upward
  trend. `ALPHA` is the level.
- **noise**: the robust spread (1.4826 x MAD) of the point-to-point changes
  (over the square root of 2) or of the residuals around the Theil-Sen line,
  the larger, and never below the square root of the median count (the
  spread of a Poisson population: requests arriving at random): a steady
  service's own jitter is the baseline a rise must beat.
- **step or growth**: the best single change point (two flat levels) is fitted
  too. When two levels explain the series at least as well as a line, the
  series is a *step* (load arrived, a pool scaled up) if the points after the
  change are flat (one point caught in the middle of the change is allowed),
  and *undecided* when too few points follow the change to tell a plateau
  from growth. A shift too small to be a step, fitted much better by two
  levels than by a line and not rising after it, is *flat*: Mann-Kendall
  alone would call a long low run followed by a short higher one growth.

Kinds: `growth` (significant, beyond the noise, not a step), `step`, `flat`,
`decline`, `insufficient` (too few points, or a step too recent to judge).
`reason` says which in words, `missing` what would decide an undecided series.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

ALPHA = 0.05  # one-sided Mann-Kendall level for an upward trend
MIN_POINTS = 4  # a perfectly monotone series of 4 points is just significant at ALPHA
NOISE_FACTOR = 3.0  # a rise must exceed this many noise spreads
MIN_PLATEAU = 3  # points after a change point needed to call it a plateau
SHIFT_FIT = 0.5  # a small shift must fit at least this much better than a line (squared error)
MAX_POINTS = 400  # longer series are thinned evenly (Theil-Sen is quadratic)


@dataclass(frozen=True)
class Trend:
    kind: str  # growth | step | flat | decline | insufficient
    points: int
    slope_per_min: float | None  # Theil-Sen
    p_value: float | None  # Mann-Kendall, one-sided for an upward trend
    rise: float  # slope x span: what the trend adds over the window
    noise: float  # robust spread of the residuals
    change_at: int | None = None  # index of the first point after a step
    reason: str = ""
    missing: str = ""  # what would decide an `insufficient` series
    wanted: int = 0  # ... in snapshots


def theil_sen(t: list[float], y: list[float]) -> tuple[float, float]:
    """(slope, intercept): the median pairwise slope, and the median of y - slope*t."""
    slopes = [(y[j] - y[i]) / (t[j] - t[i]) for i in range(len(t)) for j in range(i + 1, len(t)) if t[j] != t[i]]
    slope = statistics.median(slopes) if slopes else 0.0
    return slope, statistics.median(yi - slope * ti for ti, yi in zip(t, y, strict=True))


def mann_kendall(y: list[float]) -> tuple[int, float]:
    """(S, one-sided p-value for an upward trend), ties corrected."""
    s, p_up, _ = _mann_kendall_both(y)
    return s, p_up


def _mann_kendall_both(y: list[float]) -> tuple[int, float, float]:
    """(S, p for an upward trend, p for a downward one): one pass over the pairs serves both,
    since the series turned upside down has -S and the same ties."""
    n = len(y)
    s = sum((y[j] > y[i]) - (y[j] < y[i]) for i in range(n) for j in range(i + 1, n))
    ties: dict[float, int] = {}
    for v in y:
        ties[v] = ties.get(v, 0) + 1
    var = (n * (n - 1) * (2 * n + 5) - sum(k * (k - 1) * (2 * k + 5) for k in ties.values())) / 18.0
    if var <= 0:
        return s, 1.0, 1.0

    def p(stat: int) -> float:
        z = (stat - 1) / math.sqrt(var) if stat > 0 else (stat + 1) / math.sqrt(var) if stat < 0 else 0.0
        return 0.5 * math.erfc(z / math.sqrt(2))

    return s, p(s), p(-s)


def robust_spread(values: list[float]) -> float:
    if not values:
        return 0.0
    med = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - med) for v in values)


def _counting_noise(y: list[float]) -> float:
    """The least jitter to expect of a count: goroutines of requests arriving at random are
    a Poisson population, whose spread is the square root of its mean. With few points the
    measured spread is itself noise; this floor keeps four lucky points from making a trend."""
    return math.sqrt(max(statistics.median(y), 0.0))


def best_step(y: list[float]) -> tuple[int, int, float]:
    """The two flat levels that fit `y` best: (end of the first level, start of the second,
    squared error). A snapshot may land in the middle of a fast change (a pool scaling up
    between two samples): one point between the levels is then left out of both.
    Linear in the points (prefix sums): a watch judges hundreds of stacks every round."""
    n = len(y)
    sums, squares = [0.0], [0.0]
    for v in y:
        sums.append(sums[-1] + v)
        squares.append(squares[-1] + v * v)

    def sse(a: int, b: int) -> float:
        if b <= a:
            return 0.0
        total = sums[b] - sums[a]
        # rounded: equal fits must stay equal whatever the order of the additions
        return round(max(squares[b] - squares[a] - total * total / (b - a), 0.0), 6)

    fits = [(k, k, sse(0, k) + sse(k, n)) for k in range(1, n)]
    fits += [(k, k + 1, sse(0, k) + sse(k + 1, n)) for k in range(1, n - 1)]
    return min(fits, key=lambda f: (f[2], f[1] - f[0]))


def _thin(t: list[float], y: list[float]) -> tuple[list[float], list[float]]:
    if len(t) <= MAX_POINTS:
        return t, y
    idx = [round(i * (len(t) - 1) / (MAX_POINTS - 1)) for i in range(MAX_POINTS)]
    return [t[i] for i in idx], [y[i] for i in idx]


def classify(times_s: list[float], values: list[float], min_rise: float = 1.0, alpha: float = ALPHA) -> Trend:
    """Judge one series (times in seconds, any origin). `min_rise` is the smallest rise
    over the window worth calling growth whatever the noise (a few goroutines is not a leak)."""
    t, y = _thin(list(times_s), [float(v) for v in values])
    n = len(y)
    if n < MIN_POINTS or t[-1] <= t[0]:
        return Trend(
            "insufficient",
            n,
            None,
            None,
            0.0,
            0.0,
            reason=f"{n} point{'s' if n != 1 else ''}: a trend needs at least {MIN_POINTS}",
            missing=f"{MIN_POINTS - n} more snapshot{'s' if MIN_POINTS - n != 1 else ''}"
            if n < MIN_POINTS
            else "snapshots at different times",
        )
    if max(y) - min(y) < min_rise:
        # no growth, step or decline can be smaller than the range: skip the quadratic estimators
        # (most stacks of a process: a watch judges hundreds of them every round)
        spread = max(y) - min(y)
        return Trend("flat", n, 0.0, 1.0, 0.0, 0.0, reason=f"moves by {spread:.0f}, less than {min_rise:g}")
    slope, icpt = theil_sen(t, y)
    span = t[-1] - t[0]
    rise = slope * span
    resid = [yi - (slope * ti + icpt) for ti, yi in zip(t, y, strict=True)]
    # the jitter from one point to the next (a trend or a single step barely moves it),
    # or around the line, whichever is larger
    diffs = [b - a for a, b in itertools.pairwise(y)]
    noise = max(robust_spread(resid), robust_spread(diffs) / math.sqrt(2), _counting_noise(y))
    _s, p_up, p_down = _mann_kendall_both(y)
    per_min = slope * 60.0

    def trend(kind: str, reason: str, change_at: int | None = None, missing: str = "", wanted: int = 0) -> Trend:
        return Trend(
            kind,
            n,
            round(per_min, 3),
            round(p_up, 4),
            round(rise, 2),
            round(noise, 2),
            change_at,
            reason,
            missing,
            wanted,
        )

    end, k, step_sse = best_step(y)
    before, after = y[:end], y[k:]
    size = statistics.fmean(after) - statistics.fmean(before)
    step_noise = max(
        _counting_noise(y),
        robust_spread([v - statistics.fmean(before) for v in before] + [v - statistics.fmean(after) for v in after]),
    )
    line_sse = sum(r * r for r in resid)
    big_enough = size >= max(min_rise, NOISE_FACTOR * step_noise)
    shift = size > 0 and not big_enough and step_sse <= SHIFT_FIT * line_sse and len(after) >= MIN_PLATEAU
    if shift and theil_sen(t[:end], before)[0] <= 0 and theil_sen(t[k:], after)[0] <= 0:
        # a shift up too small to be a step, with no rise before it nor after it: not growth
        # either, however significant Mann-Kendall finds a long run of lower points followed by
        # higher ones (a pool scaling up by a few, its backlog's spike drained); a staircase
        # rises before its last step, and stays growth
        return trend("flat", f"a shift of {size:+.0f} between points {end} and {k + 1}, then level", k)
    if step_sse <= line_sse and big_enough:
        # two levels explain the series at least as well as a line: a step up
        if len(after) < MIN_PLATEAU:
            return trend(
                "insufficient",
                f"a step of {size:+.0f} between points {end} and {k + 1}, too recent to tell a plateau from growth",
                k,
                missing=f"{MIN_PLATEAU - len(after)} more snapshot{'s' if MIN_PLATEAU - len(after) != 1 else ''}"
                " after the step",
                wanted=MIN_PLATEAU - len(after),
            )
        if classify(t[k:], after, min_rise, alpha).kind != "growth":
            return trend("step", f"a step of {size:+.0f} between points {end} and {k + 1}, then level", k)
        return trend("growth", f"a step of {size:+.0f} between points {end} and {k + 1}, then still growing", k)
    if p_up < alpha and rise >= max(min_rise, NOISE_FACTOR * noise):
        return trend(
            "growth", f"growing {per_min:+.1f}/min over {n} points (Mann-Kendall p={p_up:.3f}, noise {noise:.1f})"
        )
    if p_down < alpha and -rise >= max(min_rise, NOISE_FACTOR * noise):
        return trend("decline", f"falling {per_min:+.1f}/min (Mann-Kendall p={p_down:.3f})")
    why = (
        f"no significant trend (Mann-Kendall p={p_up:.2f})"
        if p_up >= alpha
        else f"a rise of {rise:.0f} is within the noise ({noise:.1f}) or below {min_rise:g}"
    )
    return trend("flat", why)
