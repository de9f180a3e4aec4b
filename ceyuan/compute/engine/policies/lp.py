"""Small dense linear programs solved with HiGHS, without ``scipy.optimize.linprog``'s overhead.

``solve_lp(cost, a_ub, b_ub)`` solves  min cost @ x  s.t.  a_ub @ x <= b_ub,  x >= 0  and
returns x, or None when HiGHS does not report an optimum. It hands HiGHS exactly the model and
the options that ``linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")``
would (same column-wise matrix with explicit zeros dropped, dual simplex strategy, presolve
on, no output), so the two return the same vertex; only the per-call Python work of linprog
(input validation, option checking one by one, dual and slack post-processing), about two
thirds of its time on the policies' LPs of a few hundred variables, is skipped.

One HiGHS instance, with its options set once, is kept per thread and handed each model in
turn: ``passModel`` discards the previous model, basis and solution, so every solve starts
cold and returns what a fresh instance would (checked on recorded LPs of the Gavel workload);
only the instance's construction and option passing, about a fifth of a solve, are saved.

``WarmStartLp`` solves a sequence of related LPs (the aware max-min policy's, round after
round), each from the previous one's optimal basis: several times cheaper, but when an LP has
several optimal vertices it may return another optimal one than a cold solve (see its doc).

The HiGHS bindings used here (``scipy.optimize._highspy._core``) are private to scipy (1.15
and later); where they cannot be imported the function falls back to ``linprog``.
"""

from __future__ import annotations

import functools
import importlib
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np


def solve_lp(cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> np.ndarray | None:
    """Minimise ``cost @ x`` subject to ``a_ub @ x <= b_ub`` and ``x >= 0`` (see module doc).

    An infinite entry of ``b_ub`` leaves its row unbounded."""
    core = _highs_core()
    if core is None:  # pragma: no cover
        return _solve_linprog(cost, a_ub, b_ub)
    return _solve_highs(core, cost, a_ub, b_ub)


@functools.cache
def _highs_core() -> Any:
    """scipy's HiGHS bindings, imported on first use (scipy.optimize is a heavy import)."""
    try:
        core = importlib.import_module("scipy.optimize._highspy._core")
    except ImportError:  # pragma: no cover - older scipy
        return None
    needed = ("HighsLp", "HighsOptions", "_Highs", "MatrixFormat", "simplex_constants")
    return core if all(hasattr(core, name) for name in needed) else None


def _solve_linprog(cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> np.ndarray | None:
    from scipy.optimize import linprog

    bounded = np.isfinite(b_ub)  # linprog takes no infinite bound; such a row binds nothing
    solved = linprog(cost, A_ub=a_ub[bounded], b_ub=b_ub[bounded], bounds=(0, None), method="highs")
    if solved.status != 0:
        return None
    x: np.ndarray = solved.x
    return x


_PER_THREAD = threading.local()


def _instance(h: Any) -> Any:
    """This thread's HiGHS instance with the options of ``linprog(method="highs")``."""
    highs = getattr(_PER_THREAD, "highs", None)
    if highs is None:
        highs = _new_instance(h)
        if highs is None:  # pragma: no cover
            return None
        _PER_THREAD.highs = highs
    return highs


def _new_instance(h: Any) -> Any:
    """A HiGHS instance with the options of ``linprog(method="highs")``."""
    highs = h._Highs()
    options = h.HighsOptions()
    options.presolve = "on"
    options.output_flag = False
    options.log_to_console = False
    options.highs_debug_level = 0
    options.simplex_strategy = h.simplex_constants.SimplexStrategy.kSimplexStrategyDual
    if highs.passOptions(options) == h.HighsStatus.kError:  # pragma: no cover
        return None
    return highs


def _solve_highs(h: Any, cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> np.ndarray | None:
    highs = _instance(h)
    if highs is None:  # pragma: no cover
        return _solve_linprog(cost, a_ub, b_ub)
    if highs.passModel(_highs_lp(h, cost, a_ub, b_ub)) == h.HighsStatus.kError:  # pragma: no cover
        return None
    if highs.run() == h.HighsStatus.kError:  # pragma: no cover
        return None
    if highs.getModelStatus() != h.HighsModelStatus.kOptimal:
        return None
    return np.array(highs.getSolution().col_value)


@dataclass(frozen=True, slots=True)
class SparseLp:
    """min ``cost @ x`` s.t. ``A @ x <= b_ub``, ``x >= 0``, with A stored column-wise (CSC).

    Column j's nonzeros are ``value[start[j]:start[j + 1]]`` in rows ``index[...]``, rows
    ascending within a column, no explicit zeros: the layout ``_highs_lp`` makes from a dense
    matrix. ``col_keys`` and ``row_keys`` name the columns and rows (distinct integers) so that
    a later LP can be matched with this one (``WarmStartLp``).
    """

    cost: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    b_ub: np.ndarray
    col_keys: np.ndarray
    row_keys: np.ndarray

    @classmethod
    def from_dense(
        cls,
        cost: np.ndarray,
        a_ub: np.ndarray,
        b_ub: np.ndarray,
        col_keys: np.ndarray,
        row_keys: np.ndarray,
    ) -> SparseLp:
        start, index, value = _csc(a_ub)
        return cls(
            np.ascontiguousarray(cost, dtype=float),
            start,
            index,
            value,
            np.ascontiguousarray(b_ub, dtype=float),
            np.asarray(col_keys, dtype=np.int64),
            np.asarray(row_keys, dtype=np.int64),
        )

    def dense(self) -> np.ndarray:
        """A as a dense (rows x columns) matrix."""
        a = np.zeros((self.b_ub.shape[0], self.cost.shape[0]))
        a[self.index, self.column_of_entry()] = self.value
        return a

    def column_of_entry(self) -> np.ndarray:
        return np.repeat(np.arange(self.cost.shape[0]), np.diff(self.start))


class WarmStartLp:
    """A sequence of related LPs, each solved from the previous one's optimal basis.

    ``solve(lp)`` solves the LP as ``solve_lp`` would (same model and options), matching it
    with the last LP by its column and row keys. One HiGHS instance keeps the last LP and its
    basis:

    * the first LP, and any LP after one without an optimum, is solved cold, as ``solve_lp``
      does (same vertex);
    * an LP with the same columns and rows (same keys) and the same nonzero pattern as the
      last one is made from it in place: changed costs, coefficients and right-hand sides are
      written into HiGHS's model, which keeps its basis, so the simplex method restarts from
      the last optimum;
    * any other LP is passed whole with a starting basis built from the last optimal one: a
      column or row whose key was there keeps its status, a new column starts nonbasic at its
      lower bound (0) and a new row with its slack basic. Such a basis may have the wrong
      number of basic variables or be singular, so it is passed as an "alien" basis, which
      HiGHS repairs. With a valid basis HiGHS skips presolve.

    The answer is an optimum of the LP handed in, but when the LP has several optimal
    vertices it may be another one than a cold solve returns: it depends on the LPs solved
    before. The same sequence of LPs gives the same answers, so results stay deterministic.
    An instance holds one HiGHS model: use it from one thread at a time.
    """

    def __init__(self) -> None:
        self._highs: Any = None
        # the last LP solved to optimality, whose model and basis HiGHS holds
        self._last: SparseLp | None = None

    def forget(self) -> None:
        """Solve the next LP cold, as the first one (its keys may mean other things now)."""
        self._last = None

    def solve(self, lp: SparseLp) -> np.ndarray | None:
        h = _highs_core()
        if h is None:  # pragma: no cover
            return _solve_linprog(lp.cost, lp.dense(), lp.b_ub)
        if self._highs is None:
            self._highs = _new_instance(h)
            if self._highs is None:  # pragma: no cover
                return _solve_linprog(lp.cost, lp.dense(), lp.b_ub)
        highs = self._highs
        last, self._last = self._last, None
        if last is not None and _same_structure(lp, last):
            _modify(h, highs, lp, last)
        else:
            basis = highs.getBasis() if last is not None else None
            if highs.passModel(_model(h, lp)) == h.HighsStatus.kError:
                return None  # pragma: no cover
            if last is not None and basis is not None and basis.valid:
                status = h.HighsBasisStatus
                start = h.HighsBasis()
                start.col_status = _carried(
                    last.col_keys, basis.col_status, lp.col_keys, status.kLower
                )
                start.row_status = _carried(
                    last.row_keys, basis.row_status, lp.row_keys, status.kBasic
                )
                start.valid = True
                start.alien = True
                if highs.setBasis(start) == h.HighsStatus.kError:  # pragma: no cover
                    highs.passModel(_model(h, lp))  # cold
        if highs.run() == h.HighsStatus.kError:  # pragma: no cover
            return None
        if highs.getModelStatus() != h.HighsModelStatus.kOptimal:
            return None
        self._last = lp
        return np.array(highs.getSolution().col_value)


def _same_structure(lp: SparseLp, last: SparseLp) -> bool:
    if (
        lp.col_keys is last.col_keys
        and lp.row_keys is last.row_keys
        and lp.index is last.index
        and lp.start is last.start
    ):
        return True  # the same arrays (the caller keeps them while the structure stays)
    return (
        lp.col_keys.shape == last.col_keys.shape
        and lp.row_keys.shape == last.row_keys.shape
        and lp.index.shape == last.index.shape
        and bool((lp.col_keys == last.col_keys).all())
        and bool((lp.row_keys == last.row_keys).all())
        and bool((lp.index == last.index).all())
        and bool((lp.start == last.start).all())
    )


def _carried(old_keys: np.ndarray, old_status: list[Any], keys: np.ndarray, new: Any) -> list[Any]:
    """The status of each key: its old one where it had one, else ``new``."""
    key_list = keys.tolist()
    status = dict.fromkeys(key_list, new)
    status.update(zip(old_keys.tolist(), old_status, strict=True))
    return list(map(status.__getitem__, key_list))


def _modify(h: Any, highs: Any, lp: SparseLp, last: SparseLp) -> None:
    """Turn HiGHS's model (``last``, same structure) into ``lp``."""
    changed = np.flatnonzero(lp.cost != last.cost)
    if changed.size:
        highs.changeColsCost(changed.size, changed.astype(np.int32), lp.cost[changed])
    entries = np.flatnonzero(lp.value != last.value)
    if entries.size:
        row = lp.index[entries]
        col = np.searchsorted(lp.start, entries, side="right") - 1  # each entry's column
        order = np.lexsort((col, row))  # row by row, as the matrix was compared before
        for r, c, v in zip(
            row[order].tolist(), col[order].tolist(), lp.value[entries[order]].tolist(), strict=True
        ):
            highs.changeCoeff(r, c, v)
    inf = h.kHighsInf
    for r in np.flatnonzero(lp.b_ub != last.b_ub).tolist():
        highs.changeRowBounds(r, -inf, float(lp.b_ub[r]))


def _csc(a_ub: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise (CSC) storage of the nonzeros, row indices ascending within each column: the
    layout scipy.sparse.csc_array(a_ub) produces."""
    n_cols = a_ub.shape[1]
    col, row = np.nonzero(a_ub.T)
    start = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(col, minlength=n_cols), out=start[1:])
    return start, row.astype(np.int32), np.ascontiguousarray(a_ub.T[col, row], dtype=float)


def _model(h: Any, lp: SparseLp) -> Any:
    n_rows, n_cols = lp.b_ub.shape[0], lp.cost.shape[0]
    inf = h.kHighsInf
    model = h.HighsLp()
    model.num_col_ = n_cols
    model.num_row_ = n_rows
    model.a_matrix_.num_col_ = n_cols
    model.a_matrix_.num_row_ = n_rows
    model.a_matrix_.format_ = h.MatrixFormat.kColwise
    model.col_cost_ = lp.cost
    model.col_lower_ = np.zeros(n_cols)
    model.col_upper_ = np.full(n_cols, inf)
    model.row_lower_ = np.full(n_rows, -inf)
    model.row_upper_ = lp.b_ub
    model.a_matrix_.start_ = lp.start
    model.a_matrix_.index_ = lp.index
    model.a_matrix_.value_ = lp.value
    return model


def _highs_lp(h: Any, cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> Any:
    unnamed = np.zeros(0, dtype=np.int64)  # keys only matter to ``WarmStartLp``
    return _model(h, SparseLp.from_dense(cost, a_ub, b_ub, unnamed, unnamed))
