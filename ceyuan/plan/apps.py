import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "ceyuan.plan"
    label = "plan"
    verbose_name = _("Implementation plan")

    def ready(self) -> None:
        from django.conf import settings

        from ceyuan.accounts.permissions import is_coordinator
        from ceyuan.core.dashboard import register_card
        from ceyuan.core.navigation import NavItem, register
        from ceyuan.core.periodic import register_periodic
        from ceyuan.core.setup_steps import register_setup_step

        from . import live  # noqa: F401  (registers the plan's own live providers)
        from .setup import load_shipped_plan
        from .tasks import refresh_live_indicators

        register(NavItem("plan-overview", _("Plan"), order=10))
        register(NavItem("plan-timeline", _("Timeline"), order=11))
        register(NavItem("plan-reports", _("Progress reports"), order=12, visible=_signed_in))
        register(NavItem("plan-review", _("Review"), order=13, visible=is_coordinator))
        register_setup_step(load_shipped_plan)
        register_card("plan-targets", _targets_card)
        register_periodic(
            "plan.refresh_live_indicators",
            refresh_live_indicators,
            dt.timedelta(minutes=settings.CEYUAN_LIVE_REFRESH_MINUTES),
        )
        configure_calendar(settings.CEYUAN_WORKDAY_SCHEDULE)


def configure_calendar(schedule_path: str) -> None:
    """Deadlines are counted on the official calendar, with the years of the schedule file at
    ``schedule_path`` (if any) before the ``chinesecalendar`` package's. A bad file stops the
    start-up, naming the file, line and field."""
    from django.core.exceptions import ImproperlyConfigured

    from .engine import workdays
    from .engine.schedule import ScheduleFileError, load_schedule

    published = {}
    if schedule_path:
        try:
            published = load_schedule(schedule_path)
        except ScheduleFileError as exc:
            raise ImproperlyConfigured(f"CEYUAN_WORKDAY_SCHEDULE: {exc}") from exc
    workdays.set_default_calendar(workdays.ChineseWorkingCalendar(published=published))


def _signed_in(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _targets_card(request: Any) -> Any:
    """How many of the plan's quantitative targets are achieved or on track."""
    from django.urls import reverse
    from django.utils import timezone

    from ceyuan.core.dashboard import Card

    from . import selectors

    plan = selectors.current_plan()
    if plan is None:
        return None
    counts = selectors.status_counts(selectors.indicator_views(plan, timezone.localdate()))
    total = sum(counts.values())
    good = counts.get("achieved", 0) + counts.get("on_track", 0)
    return Card(
        value=f"{good} / {total}",
        label=_("plan targets achieved or on track"),
        url=reverse("plan-overview"),
        order=10,
    )
