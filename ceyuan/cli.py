"""The ``ceyuan`` console command: Django's management commands under one name.

``ceyuan migrate``, ``ceyuan serve``, ``ceyuan audit verify``, ``ceyuan compute simulate …``
and so on. Each domain's command lives in its app's ``management/commands``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceyuan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ceyuan", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
