"""Differential privacy: releases are accounted and the budget can never be overspent."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceyuan.opendata.privacy.dp import (
    BudgetAccountant,
    BudgetExceeded,
    InMemoryBudgetStorage,
    dp_count,
    dp_grouped_count,
    dp_histogram,
    dp_mean,
    dp_sum,
)

from .support import FIXED_NOW


def _accountant(total: float, storage: InMemoryBudgetStorage | None = None) -> BudgetAccountant:
    return BudgetAccountant("ds-1", total, storage or InMemoryBudgetStorage(), lambda: FIXED_NOW)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=10),
    st.lists(st.floats(min_value=1e-6, max_value=5, allow_nan=False), max_size=30),
)
def test_budget_never_goes_negative(total: float, requests: list[float]) -> None:
    acc = _accountant(total)
    granted = 0.0
    for eps in requests:
        try:
            acc.spend(eps, label="q", mechanism="test")
            granted += eps
        except BudgetExceeded:
            assert acc.spent + eps > total
        assert acc.remaining >= 0.0
        assert acc.spent <= total + 1e-9
    assert acc.spent == pytest.approx(granted)


def test_concurrent_spending_cannot_overspend() -> None:
    storage = InMemoryBudgetStorage()
    acc = _accountant(1.0, storage)
    errors: list[BudgetExceeded] = []

    def worker() -> None:
        for _ in range(50):
            try:
                acc.spend(0.01, label="q", mechanism="test")
            except BudgetExceeded as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(storage.entries("ds-1")) == 100
    assert len(errors) == 300
    assert acc.spent == pytest.approx(1.0)


def test_refused_release_spends_nothing_and_says_why() -> None:
    acc = _accountant(0.5)
    dp_count(["a"] * 10, epsilon=0.4, accountant=acc)
    with pytest.raises(BudgetExceeded, match=r"only 0\.1 of 0\.5 is left"):
        dp_count(["a"] * 10, epsilon=0.2, accountant=acc)
    assert acc.spent == pytest.approx(0.4)


def test_released_statistics_are_close_to_truth_at_large_epsilon() -> None:
    acc = _accountant(100.0)
    values = [float(i % 10) for i in range(1000)]
    assert abs(dp_count(values, epsilon=10, accountant=acc).value - 1000) < 10
    assert abs(dp_sum(values, bounds=(0, 10), epsilon=10, accountant=acc).value - 4500) < 50
    assert abs(dp_mean(values, bounds=(0, 10), epsilon=20, accountant=acc).value - 4.5) < 0.5
    hist = dp_histogram(
        ["a"] * 300 + ["b"] * 100, categories=["a", "b"], epsilon=10, accountant=acc
    )
    assert abs(hist.value["a"] - 300) < 10 and abs(hist.value["b"] - 100) < 10
    grouped = dp_grouped_count(["x"] * 50, categories=["x", "y"], epsilon=10, accountant=acc)
    assert grouped.value["y"] < 10
    assert [e.mechanism for e in acc.storage.entries("ds-1")] == [
        "laplace_count",
        "laplace_sum",
        "laplace_mean",
        "laplace_histogram",
        "laplace_histogram",
    ]
    assert acc.spent == pytest.approx(60.0)


def test_invalid_epsilon_and_bounds_are_rejected() -> None:
    acc = _accountant(1.0)
    with pytest.raises(ValueError):
        acc.spend(0.0, label="q", mechanism="m")
    with pytest.raises(ValueError):
        dp_sum([1.0], bounds=(5, 1), epsilon=0.1, accountant=acc)
    with pytest.raises(ValueError):
        BudgetAccountant("x", float("inf"), InMemoryBudgetStorage(), lambda: FIXED_NOW)
