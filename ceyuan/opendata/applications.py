"""Applications for conditional data and the grants they lead to: submit, approve (a grant
with an expiry), refuse with reasons, revoke.

Each function checks permission, validates, writes inside one transaction and records an audit
entry in that transaction. A grant is checked again at every read (``services.data_read``), so
a revocation or expiry stops access at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation
from ceyuan.audit.services import audit_record

from . import levels, permissions
from .models import Application, Dataset, Grant

DEFAULT_GRANT_DAYS = 365


def accepts_applications(dataset: Dataset) -> bool:
    """Whether ``dataset`` takes applications: only conditionally open ones do."""
    return dataset.access == levels.RESTRICTED


def application_submit(
    *,
    actor: Any,
    dataset: Dataset,
    purpose: str,
    scope: str,
    period_start: dt.date,
    period_end: dt.date,
    security_commitment: str,
    agreement_accepted: bool,
    organisation: Organisation | None = None,
) -> Application:
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Log in to apply for data."))
    if not permissions.can_view_metadata(actor, dataset) or not accepts_applications(dataset):
        raise ValidationError(_("Only conditional datasets take applications."))
    errors: dict[str, str] = {}
    if not purpose.strip():
        errors["purpose"] = _("Say what you will use the data for.")
    if not scope.strip():
        errors["scope"] = _("Say which part of the data you need.")
    if not security_commitment.strip():
        errors["security_commitment"] = _("State how you will keep the data secure.")
    if not agreement_accepted:
        errors["agreement_accepted"] = _("You must accept the data-use agreement.")
    if period_end <= period_start:
        errors["period_end"] = _("The period must end after it starts.")
    elif period_end < timezone.localdate():
        errors["period_end"] = _("The period has already ended.")
    if errors:
        raise ValidationError(errors)
    if Application.objects.filter(
        dataset=dataset, applicant=actor, status=Application.Status.SUBMITTED
    ).exists():
        raise ValidationError(_("You already have an application for this dataset under review."))
    application = Application(
        dataset=dataset,
        applicant=actor,
        organisation=organisation,
        purpose=purpose,
        scope=scope,
        period_start=period_start,
        period_end=period_end,
        security_commitment=security_commitment,
        agreement_accepted=True,
    )
    with transaction.atomic():
        application.save()
        audit_record(
            actor=actor,
            action="opendata.application.submit",
            target=application,
            changes={"dataset": dataset.name, "period": [str(period_start), str(period_end)]},
        )
    return application


def application_approve(
    *, actor: Any, application: Application, expires_at: dt.datetime | None = None
) -> Grant:
    if not permissions.can_review(actor, application.dataset):
        raise PermissionDenied(_("Only the publishing unit reviews this application."))
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("This application has already been decided."))
    now = timezone.now()
    if expires_at is None:
        end = application.period_end + dt.timedelta(days=1)
        expires_at = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The grant must expire in the future.")})
    start = timezone.make_aware(dt.datetime.combine(application.period_start, dt.time.min))
    with transaction.atomic():
        application.status = Application.Status.APPROVED
        application.decided_by = actor
        application.decided_at = now
        application.save(update_fields=["status", "decided_by", "decided_at"])
        grant = Grant.objects.create(
            application=application,
            dataset=application.dataset,
            grantee=application.applicant,
            valid_from=min(start, now),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="opendata.application.approve",
            target=application,
            changes={"grant": grant.pk, "expires_at": expires_at.isoformat()},
        )
    return grant


def application_refuse(*, actor: Any, application: Application, reasons: str) -> Application:
    if not permissions.can_review(actor, application.dataset):
        raise PermissionDenied(_("Only the publishing unit reviews this application."))
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("This application has already been decided."))
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the refusal.")})
    with transaction.atomic():
        application.status = Application.Status.REFUSED
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.reasons = reasons
        application.save(update_fields=["status", "decided_by", "decided_at", "reasons"])
        audit_record(
            actor=actor,
            action="opendata.application.refuse",
            target=application,
            changes={"reasons": reasons[:500]},
        )
    return application


def grant_revoke(*, actor: Any, grant: Grant, reason: str) -> Grant:
    if not permissions.can_review(actor, grant.dataset):
        raise PermissionDenied(_("Only the publishing unit can revoke this grant."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the revocation.")})
    if grant.revoked_at is None:
        with transaction.atomic():
            grant.revoked_at = timezone.now()
            grant.revoked_by = actor
            grant.revoke_reason = reason
            grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            audit_record(
                actor=actor,
                action="opendata.grant.revoke",
                target=grant,
                changes={"reason": reason[:500]},
            )
    return grant
