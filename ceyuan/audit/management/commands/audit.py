"""``ceyuan audit verify``: walk the hash chain and report any edited or deleted entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ceyuan.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks the hash chain and exits non-zero if broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"entry {problem.seq}: {problem.kind} — {problem.detail}")
            raise CommandError(f"audit chain broken: {len(problems)} problem(s)")
        from ceyuan.audit.models import AuditHead

        head = AuditHead.objects.filter(pk=1).first()
        self.stdout.write(f"audit chain intact: {head.seq if head else 0} entries")
