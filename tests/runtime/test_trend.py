"""The trend test on synthetic count series with known answers."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxguard.analysis.trend import best_step, classify, mann_kendall, theil_sen


def series(values: list[float], every_s: float = 5.0) -> tuple[list[float], list[float]]:
    return [i * every_s for i in range(len(values))], values


def noisy(base: float, n: int, sd: float, seed: int) -> list[float]:
    rnd = random.Random(seed)
    return [round(base + rnd.gauss(0, sd)) for _ in range(n)]


def test_theil_sen_ignores_one_outlier() -> None:
    slope, icpt = theil_sen([0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 300, 4, 5, 6])
    assert slope == pytest.approx(1.0)
    assert icpt == pytest.approx(0.0)


def test_mann_kendall_monotone_and_ties() -> None:
    s, p = mann_kendall([1, 2, 3, 4, 5])
    assert s == 10 and p < 0.05
    s, p = mann_kendall([5, 5, 5, 5, 5])
    assert s == 0 and p == 1.0


@pytest.mark.parametrize("seed", range(40))
def test_steady_with_noise_is_never_growth(seed: int) -> None:
    # a steady service: 159 goroutines, in-flight requests churning around it (70 s at 5 s)
    t, y = series(noisy(159, 15, 6, seed))
    assert classify(t, y, min_rise=5).kind in ("flat", "decline", "step", "insufficient")


@pytest.mark.parametrize("seed", range(40))
def test_steady_short_window_is_never_growth(seed: int) -> None:
    # 4 s at 1 s: ~200 in flight in 300 ms sleeps
    t, y = series(noisy(200, 5, 8, seed), every_s=1)
    assert classify(t, y, min_rise=5).kind != "growth"


def test_the_reported_false_alarm_is_flat() -> None:
    t, y = series([199, 199, 218, 205], every_s=1)
    assert classify(t, y, min_rise=5).kind == "flat"


def test_step_then_plateau() -> None:
    t, y = series([8, 8, 9, 8, 8, 40, 41, 40, 40, 39, 40, 40, 41, 40, 40])
    tr = classify(t, y, min_rise=5)
    assert tr.kind == "step" and tr.change_at == 5


def test_small_shift_with_a_drained_spike_is_flat() -> None:
    # lab/zoo's scaling pool on a starved machine (a false `suspect` in CI): none of its workers
    # in their 20 ms pause until the load steps up, a backlog's spike as it scales, then a few
    t, y = series([0, 0, 0, 0, 0, 0, 0, 0, 4, 7, 27, 7, 5, 3, 5])
    tr = classify(t, y, min_rise=5)
    assert tr.kind == "flat" and "shift" in tr.reason


@pytest.mark.parametrize(
    "y",
    [[4, 11, 13, 13, 13, 13, 20, 26, 26, 26, 26, 26, 26, 26, 26, 26], [6, 6, 11, 11, 11, 15, 21, 21, 21, 21, 21, 21]],
)
def test_staircase_ending_in_a_plateau_is_growth(y: list[float]) -> None:
    # goroutines leaking in bursts: the earlier rises make the last step look small, not the rise flat
    t, y = series(y)
    assert classify(t, y, min_rise=5).kind == "growth"


def test_step_down_is_a_decline() -> None:
    t, y = series([50, 50, 50, 50, 50, 50, 10, 10, 10, 10])
    assert classify(t, y, min_rise=5).kind == "decline"


def test_small_shift_still_rising_is_growth() -> None:
    # a leak starting late, a goroutine every snapshot: the points after the change still rise
    t, y = series([1, 0, 0, 1, 2, 3, 4, 5])
    assert classify(t, y, min_rise=5).kind == "growth"


def test_step_too_recent_is_undecided() -> None:
    t, y = series([8, 8, 8, 8, 8, 8, 8, 8, 40, 40])
    tr = classify(t, y, min_rise=5)
    assert tr.kind == "insufficient" and "after the step" in tr.missing


def test_ramp_is_growth() -> None:
    t, y = series([6, 56, 106, 156, 206], every_s=1)
    tr = classify(t, y, min_rise=5)
    assert tr.kind == "growth" and tr.slope_per_min == pytest.approx(3000)


def test_step_then_growth_is_growth() -> None:
    t, y = series([10, 10, 10, 10, 50, 55, 60, 65, 70, 75, 80, 85])
    assert classify(t, y, min_rise=5).kind == "growth"


@pytest.mark.parametrize("seed", range(10))
def test_sawtooth_is_not_growth(seed: int) -> None:
    # a batch that fills for 20 s and flushes, watched for 70 s
    rnd = random.Random(seed)
    y = [100 + 10 * (i % 4) + rnd.randint(-2, 2) for i in range(15)]
    assert classify(*series(y), min_rise=5).kind != "growth"


@pytest.mark.parametrize("seed", range(10))
def test_slow_leak_under_noise_is_growth(seed: int) -> None:
    # +1 goroutine every 5 s (12/min) under +-6 of churn, watched for 5 minutes
    rnd = random.Random(seed)
    y = [150 + i + round(rnd.gauss(0, 6)) for i in range(60)]
    tr = classify(*series(y), min_rise=5)
    assert tr.kind == "growth", tr
    assert 8 < tr.slope_per_min < 16


def test_too_few_points() -> None:
    tr = classify([0, 1, 2], [1, 2, 3])
    assert tr.kind == "insufficient" and tr.missing == "1 more snapshot"


def test_decline() -> None:
    assert classify(*series([200, 180, 160, 140, 120, 100])).kind == "decline"


def test_tiny_rise_is_not_growth() -> None:
    # 2 goroutines more over the window: significant, but below any leak worth a page
    assert classify(*series([10, 10, 11, 11, 12, 12]), min_rise=5).kind == "flat"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=2, max_size=40))
def test_best_step_matches_the_direct_fit(y: list[int]) -> None:
    """The prefix-sum fit finds a split as good as trying every split with its own means."""

    def sse(v: list[float]) -> float:
        return sum((x - sum(v) / len(v)) ** 2 for x in v) if v else 0.0

    values = [float(v) for v in y]
    _end, _start, got = best_step(values)
    direct = [sse(values[:k]) + sse(values[k:]) for k in range(1, len(values))]
    direct += [sse(values[:k]) + sse(values[k + 1 :]) for k in range(1, len(values) - 1)]
    assert abs(got - min(direct)) <= 1e-6 * max(1.0, min(direct))
