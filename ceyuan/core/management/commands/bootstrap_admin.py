"""Create the first administrator if there is none.

The password comes from ``CEYUAN_ADMIN_PASSWORD``; without it one is generated and printed once.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ceyuan.accounts.models import User
from ceyuan.accounts.services import bootstrap_admin


class Command(BaseCommand):
    help = "Create the first administrator (user name 'admin' by default) if none exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("CEYUAN_ADMIN_USER", "admin"))
        parser.add_argument("--email", default=os.environ.get("CEYUAN_ADMIN_EMAIL", ""))

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("an administrator exists already")
            return
        password = os.environ.get("CEYUAN_ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        bootstrap_admin(username=options["username"], password=password, email=options["email"])
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"created administrator '{options['username']}' with password: {password}\n"
                    "(shown only this once; set CEYUAN_ADMIN_PASSWORD to choose it yourself)"
                )
            )
        else:
            self.stdout.write(f"created administrator '{options['username']}'")
