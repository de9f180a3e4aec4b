"""The CKAN Action API: every action, registered by name in ``registry``.

Actions live by sub-domain — ``site`` (status, organisations, groups, tags, zones),
``packages``, ``resources``, ``datastore`` — and importing this module registers them all.
Reads go through ``selectors``/``access``; writes through the service functions; data reads
through ``services.data_read`` (so they are checked and logged like any other read).
"""

from __future__ import annotations

from . import datastore, packages, resources, site
from .registry import ACTIONS, WRITE_ACTIONS, Context, run

__all__ = [
    "ACTIONS",
    "WRITE_ACTIONS",
    "Context",
    "datastore",
    "packages",
    "resources",
    "run",
    "site",
]
