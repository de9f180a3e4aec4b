"""``ceyuan serve``: the web server, the background-task worker and the scheduler of periodic
tasks, together.

Development (default): Django's server on 127.0.0.1:8000 plus one ``db_worker``. Production
(``--production``): gunicorn with several workers plus the task worker; static files are
collected first and served by WhiteNoise. Stopping the command stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server and the task worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CEYUAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--production", action="store_true", help="serve with gunicorn")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4"))
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="start neither the task worker nor the scheduler of periodic tasks",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(
                subprocess.Popen([python, "-m", "ceyuan", "db_worker"])  # noqa: S603
            )
            children.append(
                subprocess.Popen([python, "-m", "ceyuan", "scheduler"])  # noqa: S603
            )
        if options["production"]:
            call_command("collectstatic", interactive=False, verbosity=0)
            web = [
                python,
                "-m",
                "gunicorn",
                "ceyuan.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ]
        else:
            web = [python, "-m", "ceyuan", "runserver", options["bind"]]
            if not settings.DEBUG:
                web.append("--insecure")
        self.stdout.write(f"Ceyuan is starting on http://{options['bind']}/ (Ctrl+C stops it)")
        server = subprocess.Popen(web)  # noqa: S603
        children.append(server)

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
