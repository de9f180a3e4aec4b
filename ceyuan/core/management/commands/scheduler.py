"""``ceyuan scheduler``: put periodic tasks on the task queue when they are due."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ceyuan.core.periodic import next_due, registered_periodic, run_due


class Command(BaseCommand):
    help = "Enqueue the registered periodic tasks when they are due (the task worker runs them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--list", action="store_true", help="show the schedule and exit")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between checks (default 30)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for periodic in registered_periodic():
                due = next_due(periodic)
                when = "now" if due is None or due <= timezone.now() else due.isoformat()
                self.stdout.write(f"{periodic.name}\tevery {periodic.every}\tnext: {when}")
            return
        while True:
            for name in run_due():
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued {name}")
            if options["once"]:
                return
            time.sleep(max(options["interval"], 1.0))
