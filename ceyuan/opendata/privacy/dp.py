"""Differential privacy for released statistics, with a per-dataset privacy budget.

Mechanisms come from OpenDP (Laplace for counts, sums and histograms); this module only
composes them and keeps the books. Model: pure epsilon-DP under the add/remove-one-record
neighbouring relation (OpenDP's symmetric distance with d_in = 1). Sequential composition:
the epsilons of all releases from one dataset add up, and ``BudgetAccountant`` refuses any
release that would take the total past the dataset's budget.

Noise is drawn from OpenDP's cryptographically secure sampler and is therefore *not*
seedable: a seeded DP release would let anyone who knows the seed subtract the noise.

Invariant: ``spend`` checks and records in one storage operation (``try_spend``), so the
remaining budget can never become negative, even with concurrent callers, as long as the
storage implements ``try_spend`` atomically (the Django adapter uses a row lock).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ceyuan.opendata.privacy.report import DpReleaseRecord

# Float slack when comparing spent epsilon with a budget.
EPS_TOLERANCE = 1e-12


class BudgetExceeded(RuntimeError):
    """A release would spend more privacy budget than the dataset has left."""


@dataclass(frozen=True, slots=True)
class BudgetEntry:
    dataset_id: str
    label: str
    mechanism: str
    epsilon: float
    at: dt.datetime


class BudgetStorage(Protocol):
    """Where spent budget is recorded. ``try_spend`` must check and record atomically."""

    def spent(self, dataset_id: str) -> float: ...

    def try_spend(self, entry: BudgetEntry, limit: float) -> bool: ...

    def entries(self, dataset_id: str) -> list[BudgetEntry]: ...


class InMemoryBudgetStorage:
    """Budget storage for tests and the CLI; thread-safe."""

    def __init__(self) -> None:
        self._entries: dict[str, list[BudgetEntry]] = {}
        self._lock = threading.Lock()

    def spent(self, dataset_id: str) -> float:
        with self._lock:
            return math.fsum(e.epsilon for e in self._entries.get(dataset_id, ()))

    def try_spend(self, entry: BudgetEntry, limit: float) -> bool:
        with self._lock:
            current = math.fsum(e.epsilon for e in self._entries.get(entry.dataset_id, ()))
            if current + entry.epsilon > limit + EPS_TOLERANCE:
                return False
            self._entries.setdefault(entry.dataset_id, []).append(entry)
            return True

    def entries(self, dataset_id: str) -> list[BudgetEntry]:
        with self._lock:
            return list(self._entries.get(dataset_id, ()))


class BudgetAccountant:
    """The privacy budget of one dataset: total epsilon, storage and clock injected."""

    def __init__(
        self,
        dataset_id: str,
        total_epsilon: float,
        storage: BudgetStorage,
        clock: Callable[[], dt.datetime],
    ) -> None:
        if not (total_epsilon > 0 and math.isfinite(total_epsilon)):
            raise ValueError("total_epsilon must be a positive finite number")
        self.dataset_id = dataset_id
        self.total_epsilon = total_epsilon
        self.storage = storage
        self.clock = clock

    @property
    def spent(self) -> float:
        return self.storage.spent(self.dataset_id)

    @property
    def remaining(self) -> float:
        return max(0.0, self.total_epsilon - self.spent)

    def spend(self, epsilon: float, *, label: str, mechanism: str) -> DpReleaseRecord:
        if not (epsilon > 0 and math.isfinite(epsilon)):
            raise ValueError("epsilon must be a positive finite number")
        entry = BudgetEntry(self.dataset_id, label, mechanism, epsilon, self.clock())
        if not self.storage.try_spend(entry, self.total_epsilon):
            raise BudgetExceeded(
                f"dataset {self.dataset_id}: releasing {label!r} needs epsilon={epsilon:g} "
                f"but only {self.remaining:g} of {self.total_epsilon:g} is left"
            )
        return DpReleaseRecord(label, mechanism, epsilon, self.dataset_id)


def _dp() -> Any:
    import opendp.prelude as dp

    # OpenDP gates its non-vetted constructors behind a process-wide flag; the measurements
    # used here (count, sum, count_by_categories, Laplace) are all in "contrib".
    dp.enable_features("contrib")
    return dp


@dataclass(frozen=True, slots=True)
class DpResult:
    value: Any
    epsilon: float
    scale: float
    record: DpReleaseRecord


def _release(
    accountant: BudgetAccountant,
    epsilon: float,
    label: str,
    mechanism: str,
    run: Callable[[], Any],
    scale: float,
) -> DpResult:
    # Spend first: if the mechanism then fails, budget is lost rather than privacy.
    record = accountant.spend(epsilon, label=label, mechanism=mechanism)
    return DpResult(run(), epsilon, scale, record)


def dp_count(
    values: Sequence[Any], *, epsilon: float, accountant: BudgetAccountant, label: str = "count"
) -> DpResult:
    """Noisy number of records (Laplace, sensitivity 1)."""
    dp = _dp()
    scale = 1.0 / epsilon
    meas = dp.t.make_count(
        dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
    ) >> dp.m.then_laplace(scale=scale)
    data = [str(v) for v in values]
    return _release(accountant, epsilon, label, "laplace_count", lambda: int(meas(data)), scale)


def dp_sum(
    values: Sequence[float],
    *,
    bounds: tuple[float, float],
    epsilon: float,
    accountant: BudgetAccountant,
    label: str = "sum",
) -> DpResult:
    """Noisy sum of values clamped to ``bounds`` (Laplace, sensitivity max(|lo|, |hi|))."""
    dp = _dp()
    lo, hi = float(bounds[0]), float(bounds[1])
    if not lo < hi:
        raise ValueError("bounds must satisfy lower < upper")
    sensitivity = max(abs(lo), abs(hi))
    scale = sensitivity / epsilon
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    meas = space >> dp.t.then_clamp((lo, hi)) >> dp.t.then_sum() >> dp.m.then_laplace(scale=scale)
    if meas.map(1) > epsilon * (1 + 1e-9):
        # OpenDP accounts for float rounding; widen the scale until it certifies epsilon.
        scale = dp.binary_search_param(
            lambda s: (
                space >> dp.t.then_clamp((lo, hi)) >> dp.t.then_sum() >> dp.m.then_laplace(scale=s)
            ),
            d_in=1,
            d_out=epsilon,
        )
        meas = (
            space >> dp.t.then_clamp((lo, hi)) >> dp.t.then_sum() >> dp.m.then_laplace(scale=scale)
        )
    data = [float(v) for v in values]
    return _release(accountant, epsilon, label, "laplace_sum", lambda: float(meas(data)), scale)


def dp_mean(
    values: Sequence[float],
    *,
    bounds: tuple[float, float],
    epsilon: float,
    accountant: BudgetAccountant,
    label: str = "mean",
) -> DpResult:
    """Noisy mean as noisy sum / noisy count, epsilon split evenly (sequential composition)."""
    half = epsilon / 2
    # One accountant entry for the whole mean, so the report shows one release.
    record = accountant.spend(epsilon, label=label, mechanism="laplace_mean")
    scratch = BudgetAccountant(
        f"{accountant.dataset_id}#scratch", epsilon, InMemoryBudgetStorage(), accountant.clock
    )
    total = dp_sum(values, bounds=bounds, epsilon=half, accountant=scratch, label=label)
    count = dp_count(values, epsilon=half, accountant=scratch, label=label)
    denom = max(1, int(count.value))
    lo, hi = bounds
    mean = min(max(float(total.value) / denom, lo), hi)
    return DpResult(mean, epsilon, total.scale, record)


def dp_histogram(
    values: Sequence[Any],
    *,
    categories: Sequence[str],
    epsilon: float,
    accountant: BudgetAccountant,
    label: str = "histogram",
) -> DpResult:
    """Noisy counts per category (public category list; others go to an overflow bin).

    One record changes one bin, so the L1 sensitivity under add/remove is 1.
    """
    dp = _dp()
    cats = [str(c) for c in categories]
    if len(set(cats)) != len(cats):
        raise ValueError("categories must be distinct")
    scale = 1.0 / epsilon
    meas = dp.t.make_count_by_categories(
        dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance(), categories=cats
    ) >> dp.m.then_laplace(scale=scale)
    if meas.map(1) > epsilon * (1 + 1e-9):
        raise RuntimeError("histogram measurement does not certify the requested epsilon")
    data = [str(v) for v in values]

    def run() -> dict[str, int]:
        noisy = meas(data)
        out = {c: max(0, int(v)) for c, v in zip(cats, noisy, strict=False)}
        out["__other__"] = max(0, int(noisy[-1]))
        return out

    return _release(accountant, epsilon, label, "laplace_histogram", run, scale)


def dp_grouped_count(
    groups: Sequence[Any],
    *,
    categories: Sequence[str],
    epsilon: float,
    accountant: BudgetAccountant,
    label: str = "grouped_count",
) -> DpResult:
    """Noisy count of records per group key (the group keys are declared, not read from data)."""
    return dp_histogram(
        groups, categories=categories, epsilon=epsilon, accountant=accountant, label=label
    )
