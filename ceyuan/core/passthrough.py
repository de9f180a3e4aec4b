"""Management commands that hand their arguments to a pure-Python CLI unchanged.

Engines ship their own argparse CLIs (``ceyuan/compute/engine/cli.py`` …) so they run without
Django; these commands only make them reachable as ``ceyuan compute …``, ``ceyuan privacy …``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class PassthroughCommand(BaseCommand):
    cli = ""  # dotted path of a ``main(argv: list[str]) -> int`` function

    def run_from_argv(self, argv: list[str]) -> None:
        main: Callable[[list[str]], int] = import_string(self.cli)
        sys.exit(main(argv[2:]))

    def print_help(self, prog_name: str, subcommand: str) -> None:
        main: Callable[[list[str]], int] = import_string(self.cli)
        with contextlib.suppress(SystemExit):
            main(["--help"])
