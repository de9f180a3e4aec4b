"""``ceyuan setup``: everything a fresh install needs before it serves.

Compiles translations, applies migrations, loads the shipped plan data when the plan app
provides a loader, and creates the first administrator.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ceyuan.core.setup_steps import registered_steps


class Command(BaseCommand):
    help = "Prepare a fresh install: translations, migrations, shipped data, first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-admin", action="store_true", help="do not create an administrator"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("compile_translations", stdout=self.stdout)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        for step in registered_steps():
            step(self.stdout)
        if not options["no_admin"]:
            call_command("bootstrap_admin", stdout=self.stdout)
