"""The restricted file storage: files that no URL serves.

Data files of datasets, raw uploads and unapproved privacy releases, report attachments. They
reach users only through views that check access first (``STORAGES["restricted"]``, by default
``var/restricted/``). A callable, so migrations record the reference, not the location."""

from __future__ import annotations

from typing import Any


def restricted_storage() -> Any:
    from django.core.files.storage import storages

    return storages["restricted"]
