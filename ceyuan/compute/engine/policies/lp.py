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
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np


def solve_lp(cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> np.ndarray | None:
    """Minimise ``cost @ x`` subject to ``a_ub @ x <= b_ub`` and ``x >= 0`` (see module doc)."""
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

    solved = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
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


class WarmStartLp:
    """A sequence of related LPs, each solved from the previous one's optimal basis.

    ``solve(cost, a_ub, b_ub, col_keys, row_keys)`` solves the same LP as ``solve_lp`` (same
    model and options); ``col_keys`` and ``row_keys`` name its columns and rows so that the
    next LP can be matched with it. One HiGHS instance keeps the last LP and its basis:

    * the first LP, and any LP after one without an optimum, is solved cold, as ``solve_lp``
      does (same vertex);
    * an LP with the same columns and rows (same keys, same shape) as the last one is made
      from it in place: changed costs, coefficients and right-hand sides are written into
      HiGHS's model, which keeps its basis, so the simplex method restarts from the last
      optimum;
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
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray, list[Hashable], list[Hashable]]
        self._last = _NO_LP

    def solve(
        self,
        cost: np.ndarray,
        a_ub: np.ndarray,
        b_ub: np.ndarray,
        col_keys: Sequence[Hashable],
        row_keys: Sequence[Hashable],
    ) -> np.ndarray | None:
        h = _highs_core()
        if h is None:  # pragma: no cover
            return _solve_linprog(cost, a_ub, b_ub)
        if self._highs is None:
            self._highs = _new_instance(h)
            if self._highs is None:  # pragma: no cover
                return _solve_linprog(cost, a_ub, b_ub)
        highs = self._highs
        cols, rows = list(col_keys), list(row_keys)
        last_cost, last_a, last_b, last_cols, last_rows = self._last
        self._last = _NO_LP
        if last_cols and a_ub.shape == last_a.shape and cols == last_cols and rows == last_rows:
            _modify(h, highs, cost, a_ub, b_ub, last_cost, last_a, last_b)
        else:
            basis = highs.getBasis() if last_cols else None
            if highs.passModel(_highs_lp(h, cost, a_ub, b_ub)) == h.HighsStatus.kError:
                return None  # pragma: no cover
            if basis is not None and basis.valid:
                status = h.HighsBasisStatus
                col_status = dict(zip(last_cols, basis.col_status, strict=True))
                row_status = dict(zip(last_rows, basis.row_status, strict=True))
                start = h.HighsBasis()
                start.col_status = [col_status.get(key, status.kLower) for key in cols]
                start.row_status = [row_status.get(key, status.kBasic) for key in rows]
                start.valid = True
                start.alien = True
                if highs.setBasis(start) == h.HighsStatus.kError:  # pragma: no cover
                    highs.passModel(_highs_lp(h, cost, a_ub, b_ub))  # cold
        if highs.run() == h.HighsStatus.kError:  # pragma: no cover
            return None
        if highs.getModelStatus() != h.HighsModelStatus.kOptimal:
            return None
        self._last = (cost, a_ub, b_ub, cols, rows)
        return np.array(highs.getSolution().col_value)


_NO_LP: tuple[np.ndarray, np.ndarray, np.ndarray, list[Hashable], list[Hashable]] = (
    np.zeros(0),
    np.zeros((0, 0)),
    np.zeros(0),
    [],
    [],
)


def _modify(
    h: Any,
    highs: Any,
    cost: np.ndarray,
    a_ub: np.ndarray,
    b_ub: np.ndarray,
    last_cost: np.ndarray,
    last_a: np.ndarray,
    last_b: np.ndarray,
) -> None:
    """Turn HiGHS's model (``last_*``, same shape) into the LP (``cost``, ``a_ub``, ``b_ub``)."""
    changed = np.flatnonzero(cost != last_cost)
    if changed.size:
        highs.changeColsCost(
            changed.size, changed.astype(np.int32), np.ascontiguousarray(cost[changed], float)
        )
    row, col = np.nonzero(a_ub != last_a)
    for r, c, v in zip(row.tolist(), col.tolist(), a_ub[row, col].tolist(), strict=True):
        highs.changeCoeff(r, c, v)
    inf = h.kHighsInf
    for r in np.flatnonzero(b_ub != last_b).tolist():
        highs.changeRowBounds(r, -inf, float(b_ub[r]))


def _highs_lp(h: Any, cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> Any:
    n_rows, n_cols = a_ub.shape
    # Column-wise (CSC) storage of the nonzeros, row indices ascending within each column: the
    # layout scipy.sparse.csc_array(a_ub) produces.
    col, row = np.nonzero(a_ub.T)
    start = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(col, minlength=n_cols), out=start[1:])
    inf = h.kHighsInf
    lp = h.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.format_ = h.MatrixFormat.kColwise
    lp.col_cost_ = np.ascontiguousarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, inf)
    lp.row_lower_ = np.full(n_rows, -inf)
    lp.row_upper_ = np.ascontiguousarray(b_ub, dtype=float)
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = row.astype(np.int32)
    lp.a_matrix_.value_ = np.ascontiguousarray(a_ub.T[col, row], dtype=float)
    return lp
