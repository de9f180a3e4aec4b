"""Safe publication: the write path from a raw table to a privacy-processed public resource.

upload → parse (encoding and per-row checks) → scan → the transforms the policy file requires
for the dataset's opening level and security grade → report → steward approval → publication.

Invariants:

- the raw upload and the processed file live in restricted storage (``STORAGES["restricted"]``),
  which no URL serves; only ``release_approve`` copies the processed file into a public
  ``Resource``, so nothing raw and nothing unapproved is ever downloadable;
- a release is written whole or not at all: the processing runs before the transaction, and a
  file that cannot be read, or that the policy forbids releasing, leaves nothing behind;
- each release has its own random key, so pseudonyms and keyed hashes are consistent within a
  release and unlinkable across releases.
"""

from __future__ import annotations

import io
import secrets
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.audit.services import audit_record

from . import permissions, tabular
from .models import Dataset, Release
from .privacy import (
    PrivacyReport,
    ReleaseBlocked,
    ReleaseContext,
    apply_policy,
)
from .resources import (
    MAX_UPLOAD_BYTES,
    release_policy,
    resource_create,
    table_error_messages,
    table_frame,
)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def release_create(*, actor: Any, dataset: Dataset, content: bytes, filename: str) -> Release:
    """Process an uploaded table for release; it waits for a steward's approval."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot publish data for this dataset."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"upload": _("The file is larger than 200 MB.")})
    try:
        parsed = tabular.parse_table(content, filename=filename)
    except tabular.TableError as exc:
        raise ValidationError({"upload": table_error_messages(filename, exc)}) from exc
    number = (dataset.releases.aggregate(n=Max("number"))["n"] or 0) + 1
    key = secrets.token_bytes(32)
    context = ReleaseContext(
        release_id=f"{dataset.name}#{number}",
        opening_level=dataset.opening_level,
        security_grade=dataset.security_grade,
        key=key,
        now=timezone.now(),
        source=filename,
    )
    policy = release_policy()
    try:
        processed, report = apply_policy(table_frame(parsed), policy, context)
    except ReleaseBlocked:
        raise ValidationError(
            {
                "upload": _(
                    "The release policy does not allow publishing %(grade)s data at this "
                    "opening level."
                )
                % {"grade": dataset.get_security_grade_display()}
            }
        ) from None
    release = Release(
        dataset=dataset,
        number=number,
        raw_name=filename[:200],
        raw_encoding=parsed.encoding,
        row_count=len(processed),
        opening_level=dataset.opening_level,
        security_grade=dataset.security_grade,
        policy=policy.name,
        key=key,
        report=report.to_dict(),
        created_by=actor,
    )
    stem = filename.rsplit(".", 1)[0] or "table"
    with transaction.atomic():
        release.raw_file.save(filename or "upload.bin", ContentFile(content), save=False)
        release.processed_file.save(
            f"{stem}-release-{number}.csv", ContentFile(_csv_bytes(processed)), save=False
        )
        release.save()
        audit_record(
            actor=actor,
            action="opendata.release.create",
            target=release,
            changes={"dataset": dataset.name, "rows": release.row_count, "found": report.counts},
        )
    return release


def release_report(release: Release) -> PrivacyReport:
    return PrivacyReport.from_dict(release.report)


def release_preview(release: Release, rows: int = 20) -> pd.DataFrame:
    """The first processed rows, for the steward's review (never the raw file)."""
    with release.processed_file.open("rb") as handle:
        return pd.read_csv(handle, nrows=rows, dtype=str, keep_default_na=False)


def _require_pending(release: Release) -> None:
    if release.status != Release.Status.PROCESSED:
        raise ValidationError(_("This release has already been reviewed."))


def release_approve(*, actor: Any, release: Release, note: str = "") -> Release:
    """Publish the processed file as a resource of the dataset."""
    if not permissions.can_review(actor, release.dataset):
        raise PermissionDenied(_("Only the publishing unit can approve a release."))
    _require_pending(release)
    with release.processed_file.open("rb") as handle:
        content = handle.read()
    with transaction.atomic():
        resource = resource_create(
            actor=actor,
            dataset=release.dataset,
            name=_("Release %(number)s") % {"number": release.number},
            content=content,
            filename=release.processed_file.name.rsplit("/", 1)[-1],
            description=_("Privacy-processed under policy “%(policy)s”.")
            % {"policy": release.policy},
            privacy_checked=True,
        )
        release.status = Release.Status.PUBLISHED
        release.resource = resource
        release.reviewed_by = actor
        release.reviewed_at = timezone.now()
        release.review_note = note
        release.save()
        audit_record(
            actor=actor,
            action="opendata.release.approve",
            target=release,
            changes={"resource": str(resource.uuid), "note": note},
        )
    return release


def release_reject(*, actor: Any, release: Release, note: str) -> Release:
    if not permissions.can_review(actor, release.dataset):
        raise PermissionDenied(_("Only the publishing unit can reject a release."))
    _require_pending(release)
    if not note.strip():
        raise ValidationError({"note": _("Say why the release is rejected.")})
    with transaction.atomic():
        release.status = Release.Status.REJECTED
        release.reviewed_by = actor
        release.reviewed_at = timezone.now()
        release.review_note = note
        release.save()
        audit_record(
            actor=actor, action="opendata.release.reject", target=release, changes={"note": note}
        )
    return release
