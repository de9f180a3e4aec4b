"""Background tasks of the plan app. Thin: call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_live_indicators() -> int:
    """Compute the live indicators and store the figures that changed."""
    from .live import observations_refresh_live

    return len(observations_refresh_live())
