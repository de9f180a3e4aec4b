"""Export of the plan's status to Excel: one sheet of indicators with their status and
projection, one of work-plan items with their state, one of unit scorecards."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from . import selectors
from .models import Plan, WorkPlanItem

FILLS = {
    "achieved": "C6EFCE",
    "on_track": "C6EFCE",
    "at_risk": "FFEB9C",
    "off_track": "FFC7CE",
}


def _header(ws, titles: list[str]) -> None:  # type: ignore[no-untyped-def]
    ws.append(titles)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def status_workbook(plan: Plan, today: dt.date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Indicators")[:31]
    _header(
        ws,
        [
            _("Code"),
            _("Indicator"),
            _("Unit"),
            _("Target"),
            _("Target year"),
            _("Latest value"),
            _("Latest year"),
            _("Status"),
            _("Progress (%)"),
            _("Projected value"),
            _("Assessment"),
        ],
    )
    for view in selectors.indicator_views(plan, today):
        ind = view.indicator
        latest = view.latest
        projection = view.status.projection if view.status else None
        ws.append(
            [
                ind.code,
                ind.name,
                ind.unit,
                ind.target_phrase,
                ind.target_year,
                latest.value if latest else None,
                latest.period_year if latest else None,
                view.status_label,
                view.progress_percent,
                round(projection.value, 2) if projection else None,
                view.message,
            ]
        )
        fill = FILLS.get(view.status_code)
        if fill:
            ws.cell(ws.max_row, 8).fill = PatternFill("solid", fgColor=fill)
    items = wb.create_sheet(_("Work-plan items")[:31])
    _header(
        items,
        [
            _("Code"),
            _("Task"),
            _("Owner unit"),
            _("Milestone"),
            _("Deadline"),
            _("Status"),
            _("Completed on"),
            _("State"),
        ],
    )
    rows = WorkPlanItem.objects.filter(plan=plan).select_related("task", "owner_unit")
    for item, state in selectors.item_states(rows, today):
        items.append(
            [
                item.code,
                item.task.number,
                item.owner_unit.name,
                item.milestone_text,
                item.deadline,
                item.get_status_display(),
                item.completed_on,
                str(selectors.MILESTONE_LABELS[state.state.value]),
            ]
        )
    cards = wb.create_sheet(_("Scorecards")[:31])
    _header(
        cards,
        [
            _("Unit"),
            _("Tasks led"),
            _("Items"),
            _("Done on time"),
            _("Overdue"),
            _("Reports accepted"),
            _("Score"),
        ],
    )
    for card in selectors.scorecards(plan, today).values():
        cards.append(
            [
                card.unit,
                card.tasks_led,
                card.items_total,
                card.items_on_time,
                card.items_overdue,
                card.reports_accepted,
                round(card.score, 1) if card.score is not None else None,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
