"""Status of dated commitments: the plan's qualitative targets and annual work-plan items.

Rules, with ``today`` injected and distances in working days (:mod:`.workdays`):

* completed on or before the due date → ``done``; after it → ``done_late`` (by the working days
  in (due, completed_on], which can be 0 when it was finished on the weekend after a Friday
  deadline: still late by date, the number says how much);
* not completed and ``today`` after the due date → ``overdue`` (by the working days in
  (due, today]);
* not completed, due today or later, at most ``due_soon_days`` working days away → ``due_soon``;
* otherwise ``pending``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from ceyuan.plan.engine.messages import Message, message
from ceyuan.plan.engine.workdays import WorkingCalendar, default_calendar, working_days_between

__all__ = ["DUE_SOON_DAYS", "Commitment", "MilestoneState", "MilestoneStatus", "milestone_status"]

#: Two working weeks.
DUE_SOON_DAYS = 10


class MilestoneState(enum.StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Commitment:
    """Anything with a deadline: a milestone of the plan or an item of a work plan."""

    code: str
    due: dt.date
    completed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    code: str
    state: MilestoneState
    working_days: int  # late by (done_late, overdue) or left until due (due_soon, pending)
    message: Message


def milestone_status(
    item: Commitment,
    *,
    today: dt.date,
    due_soon_days: int = DUE_SOON_DAYS,
    calendar: WorkingCalendar | None = None,
) -> MilestoneStatus:
    cal = calendar if calendar is not None else default_calendar()
    due = item.due.isoformat()
    if item.completed_on is not None:
        done = item.completed_on.isoformat()
        if item.completed_on <= item.due:
            msg = message("milestone_done", {"completed_on": done, "due": due})
            return MilestoneStatus(item.code, MilestoneState.DONE, 0, msg)
        late = working_days_between(item.due, item.completed_on, cal)
        msg = message("milestone_done_late", {"completed_on": done, "due": due, "days": late})
        return MilestoneStatus(item.code, MilestoneState.DONE_LATE, late, msg)
    if today > item.due:
        late = working_days_between(item.due, today, cal)
        msg = message("milestone_overdue", {"due": due, "days": late})
        return MilestoneStatus(item.code, MilestoneState.OVERDUE, late, msg)
    left = working_days_between(today, item.due, cal)
    if left <= due_soon_days:
        msg = message("milestone_due_soon", {"due": due, "days": left})
        return MilestoneStatus(item.code, MilestoneState.DUE_SOON, left, msg)
    msg = message("milestone_pending", {"due": due, "days": left})
    return MilestoneStatus(item.code, MilestoneState.PENDING, left, msg)
