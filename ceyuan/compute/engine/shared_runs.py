"""The simulator's running set of time-shared jobs, held as arrays (one row per job).

Jobs handed out by a policy as ``TimeShares`` run whole on time shares of pools; every
scheduling round of a time-sharing policy changes the shares of every such job. Holding them
as rows of arrays (share and speed per pool, remaining work, rate, stall end, accounting)
makes a round a few array operations instead of one object per job and pool.

Model (the same as for jobs with placements, see ``simulator``): a row progresses at
rate = sum over pools of share x speed(job, pool) reference seconds per second, without
progress until ``stall_until`` (data transfer, restart overhead); it holds
size x share accelerators of each pool; it finishes at max(now, stall_until) +
remaining / rate. All rows are advanced and accounted together (``flush``), so the set needs
one clock, not one per job. Rows keep the order in which jobs joined (newest last).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress

import numpy as np

from .jobs import speed
from .model import Federation, Job, TimeShares

# Accounting columns of ``SharedRuns.account``.
ACC_SECONDS, DOMESTIC, COST, ENERGY, CARBON = range(5)


class SharedRuns:
    """Time-shared running jobs as arrays (see module docstring)."""

    def __init__(self, federation: Federation) -> None:
        self.fed = federation
        pools = federation.pools
        n = len(pools)
        centre = federation.centre_by_id
        energy = np.array(
            [p.accelerator.power_kw * centre[p.centre_id].pue / 3600.0 for p in pools]
        )
        # accelerator-seconds on pool i -> the five accounting columns
        self.factors = np.stack(
            [
                np.ones(n),
                np.array([1.0 if p.domestic else 0.0 for p in pools]),
                np.array([p.price_per_hour / 3600.0 for p in pools]),
                energy,
                energy * np.array([centre[p.centre_id].carbon_kg_per_kwh for p in pools]),
            ],
            axis=1,
        ).reshape(n, 5)
        self.jobs: tuple[Job, ...] = ()
        self.row_of: dict[str, int] = {}
        self.size = np.zeros(0)
        self.share = np.zeros((0, n))
        self.speed = np.zeros((0, n))
        self.rate = np.zeros(0)
        self.remaining = np.zeros(0)
        self.stall_until = np.zeros(0)
        self.account = np.zeros((0, 5))
        self.finish = np.zeros(0)
        self.next_finish = math.inf
        self.held = np.zeros(n)  # accelerators held per pool (size x share, summed)
        self.last = -math.inf  # when the rows were last advanced and accounted
        self.stalled_until = -math.inf  # no row is stalled after this time
        self._snapshot: TimeShares | None = None

    def __len__(self) -> int:
        return len(self.jobs)

    def flush(self, now: float) -> None:
        """Advance and account every row up to ``now``."""
        dt = now - self.last
        self.last = max(self.last, now)
        if dt <= 0.0 or not self.jobs:
            return
        if self.stalled_until <= now - dt:  # no row stalled during the interval
            progressed = now - (now - dt)  # what the general case computes for every row
            self.remaining = np.maximum(self.remaining - progressed * self.rate, 0.0)
        else:
            progress = np.maximum(now - np.maximum(now - dt, self.stall_until), 0.0)
            self.remaining = np.maximum(self.remaining - progress * self.rate, 0.0)
        amounts = ((self.size * dt)[:, None] * self.share) @ self.factors
        self.account += amounts

    def add(
        self, now: float, jobs: Sequence[Job], remaining: Sequence[float], stall: Sequence[float]
    ) -> None:
        """Append rows (no share yet) for ``jobs``; call ``flush(now)`` first."""
        if not jobs:
            return
        pools = self.fed.pools
        base = len(self.jobs)
        for r, job in enumerate(jobs):
            self.row_of[job.id] = base + r
        self.jobs += tuple(jobs)
        n = len(jobs)
        self.size = np.concatenate([self.size, [j.accelerators for j in jobs]])
        self.share = np.concatenate([self.share, np.zeros((n, len(pools)))])
        self.speed = np.concatenate([self.speed, [[speed(j, p) for p in pools] for j in jobs]])
        self.rate = np.concatenate([self.rate, np.zeros(n)])
        self.remaining = np.concatenate([self.remaining, remaining])
        self.stall_until = np.concatenate([self.stall_until, [now + s for s in stall]])
        self.stalled_until = max(self.stalled_until, now + max(stall))
        self.account = np.concatenate([self.account, np.zeros((n, 5))])
        self.finish = np.concatenate([self.finish, np.full(n, math.inf)])

    def assign(
        self,
        now: float,
        rows: np.ndarray | None,
        entry_row: np.ndarray,
        pool: np.ndarray,
        share: np.ndarray,
    ) -> np.ndarray:
        """Replace the shares of ``rows`` (entry e: row ``rows[entry_row[e]]``, federation pool
        ``pool[e]``, ``share[e]``); return the change of accelerators held per pool. ``rows``
        None stands for every row, in order."""
        width = self.share.shape[1]
        count = len(self.jobs) if rows is None else rows.shape[0]
        flat = np.bincount(entry_row * width + pool, weights=share, minlength=count * width)
        if rows is None:
            self.share = flat.reshape(count, width).astype(float, copy=False)
        else:
            self.share[rows] = flat.reshape(count, width)
        return self._changed(now)

    def remove(
        self, now: float, rows: Sequence[int]
    ) -> tuple[list[tuple[Job, float, np.ndarray]], np.ndarray]:
        """Drop ``rows``; return (job, remaining work, accounting) of each and the change of
        accelerators held per pool."""
        gone = [(self.jobs[r], float(self.remaining[r]), self.account[r].copy()) for r in rows]
        gone_rows = sorted(set(rows))
        keep = np.ones(len(self.jobs), dtype=bool)
        keep[gone_rows] = False
        # the other rows keep their shares, hence their rates and finish times
        released: np.ndarray = self.size[gone_rows] @ self.share[gone_rows]
        self.held = self.held - released
        row_of = self.row_of
        for r in gone_rows:
            del row_of[self.jobs[r].id]
        self.jobs = tuple(compress(self.jobs, keep.tolist()))
        jobs = self.jobs
        for r in range(gone_rows[0] if gone_rows else len(jobs), len(jobs)):
            row_of[jobs[r].id] = r  # rows after the first removed one move up
        self.size = self.size[keep]
        self.share = self.share[keep]
        self.speed = self.speed[keep]
        self.rate = self.rate[keep]
        self.remaining = self.remaining[keep]
        self.stall_until = self.stall_until[keep]
        self.account = self.account[keep]
        self.finish = self.finish[keep]
        self.next_finish = float(self.finish.min()) if self.jobs else math.inf
        self._snapshot = None
        return gone, -released

    def done(self, now: float) -> list[int]:
        """Rows whose work is finished by ``now``."""
        if self.next_finish > now:
            return []
        found: list[int] = np.flatnonzero(self.finish <= now).tolist()
        return found

    def on_pool(self, i: int) -> list[int]:
        """Rows with a share of pool ``i``, oldest first."""
        found: list[int] = np.flatnonzero(self.share[:, i] > 0.0).tolist()
        return found

    def snapshot(self) -> TimeShares:
        """The rows' current shares as ``TimeShares`` (cached until they change)."""
        if self._snapshot is None:
            row, pool = np.nonzero(self.share)
            self._snapshot = TimeShares(
                jobs=self.jobs,
                pool_ids=self.fed.pool_ids,
                row=row.astype(np.int64, copy=False),
                pool=pool.astype(np.int64, copy=False),
                share=self.share[row, pool],
                job_sizes=self.size,
            )
        return self._snapshot

    def usage(self) -> dict[str, dict[str, float]]:
        """Accelerators in use per tenant and model."""
        result: dict[str, dict[str, float]] = {}
        held = self.size[:, None] * self.share
        models = [p.model for p in self.fed.pools]
        for job, amounts in zip(self.jobs, held.tolist(), strict=True):
            tenant = result.setdefault(job.tenant, {})
            for i, amount in enumerate(amounts):
                if amount > 0.0:
                    tenant[models[i]] = tenant.get(models[i], 0.0) + amount
        return result

    def _changed(self, now: float) -> np.ndarray:
        self._snapshot = None
        rate = self.rate = (self.share * self.speed).sum(axis=1)
        # a row without a share never finishes: remaining / 0 reads as infinity
        if rate.all():
            left = self.remaining / rate
        else:
            left = np.divide(
                self.remaining, rate, out=np.full(rate.shape, math.inf), where=rate > 0.0
            )
        self.finish = np.maximum(self.stall_until, now) + left
        self.next_finish = float(self.finish.min()) if self.jobs else math.inf
        held = self.size @ self.share
        delta: np.ndarray = held - self.held
        self.held = held
        return delta
