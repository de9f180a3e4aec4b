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

The HiGHS bindings used here (``scipy.optimize._highspy._core``) are private to scipy (1.15
and later); where they cannot be imported the function falls back to ``linprog``.
"""

from __future__ import annotations

import functools
import importlib
import threading
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
        highs = h._Highs()
        options = h.HighsOptions()
        options.presolve = "on"
        options.output_flag = False
        options.log_to_console = False
        options.highs_debug_level = 0
        options.simplex_strategy = h.simplex_constants.SimplexStrategy.kSimplexStrategyDual
        if highs.passOptions(options) == h.HighsStatus.kError:  # pragma: no cover
            return None
        _PER_THREAD.highs = highs
    return highs


def _solve_highs(h: Any, cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray) -> np.ndarray | None:
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
    highs = _instance(h)
    if highs is None:  # pragma: no cover
        return _solve_linprog(cost, a_ub, b_ub)
    if highs.passModel(lp) == h.HighsStatus.kError:  # pragma: no cover
        return None
    if highs.run() == h.HighsStatus.kError:  # pragma: no cover
        return None
    if highs.getModelStatus() != h.HighsModelStatus.kOptimal:
        return None
    return np.array(highs.getSolution().col_value)
