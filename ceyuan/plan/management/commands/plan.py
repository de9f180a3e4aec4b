"""``ceyuan plan load FILE``: load a plan file into the database (and the shipped units);
``ceyuan plan refresh-live``: compute the live indicators now;
``ceyuan plan check-schedule FILE``: check a working-day schedule file (``CEYUAN_WORKDAY_SCHEDULE``)
before pointing the platform at it.

A malformed file is refused with every problem the engine found (file:line: path: message),
and nothing is written."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ceyuan.plan.engine.planfile import PlanFileError


class Command(BaseCommand):
    help = (
        "Plan tools: 'load FILE' loads a plan file; 'refresh-live' computes live indicators; "
        "'check-schedule FILE' checks a working-day schedule file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a plan file (YAML)")
        load.add_argument("file")
        load.add_argument("--no-units", action="store_true", help="do not add shipped units")
        sub.add_parser("refresh-live", help="compute the live indicators")
        check = sub.add_parser("check-schedule", help="check a working-day schedule file (YAML)")
        check.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        from ceyuan.plan import live, services

        if options["action"] == "check-schedule":
            self._check_schedule(options["file"])
            return
        if options["action"] == "refresh-live":
            stored = live.observations_refresh_live()
            self.stdout.write(f"{len(stored)} computed observation(s) stored")
            return
        try:
            result = services.plan_load_file(actor=None, path=options["file"])
        except PlanFileError as exc:
            for issue in exc.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"plan file refused: {len(exc.errors)} problem(s)") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        added = [] if options["no_units"] else services.units_load(actor=None)
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        self.stdout.write(
            f"plan {result.plan.code} version {result.plan.version}: {result.outcome} "
            f"({counts}); {len(added)} unit(s) added"
        )

    def _check_schedule(self, path: str) -> None:
        from ceyuan.plan.engine.schedule import ScheduleFileError, load_schedule
        from ceyuan.plan.engine.workdays import PUBLISHED_YEARS

        try:
            years = load_schedule(path)
        except ScheduleFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"schedule refused: {len(exc.problems)} problem(s)") from exc
        for year, schedule in sorted(years.items()):
            known = "replaces the package's" if year in PUBLISHED_YEARS else "new"
            self.stdout.write(
                f"{year} ({known}): {len(schedule.holidays)} day(s) off, "
                f"{len(schedule.workdays)} make-up working day(s)"
                + (f"; source: {schedule.source}" if schedule.source else "")
            )
        self.stdout.write(f"{len(years)} year(s) ok")
