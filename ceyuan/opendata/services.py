"""The write path of the open-data platform.

Each function checks permission, validates, writes inside one transaction and records an
audit entry in that transaction (``ceyuan.audit.services.audit_record``). Data reads go
through ``data_read``, which decides access at the moment of the read and writes the access
log; views, the REST API and the CKAN API all call it. Resource writes live in
``resources`` and API keys in ``keys``, both re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation
from ceyuan.accounts.permissions import is_coordinator, organisation_ids
from ceyuan.audit.services import audit_record, change, diff

from . import levels, permissions, segment

# API keys live in ``keys``; re-exported so callers keep one write-path module.
from .keys import KEY_PREFIX as KEY_PREFIX
from .keys import RateLimited as RateLimited
from .keys import api_key_check as api_key_check
from .keys import api_key_count as api_key_count
from .keys import api_key_create as api_key_create
from .keys import api_key_revoke as api_key_revoke
from .models import (
    AccessLog,
    ApiKey,
    Dataset,
    DatasetVersion,
    OpeningPlan,
    OpeningPlanItem,
    Resource,
    SearchToken,
    Theme,
    TrainingCard,
    Zone,
    ZoneOperator,
)

# Resources live in ``resources``; re-exported likewise.
from .resources import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES
from .resources import release_policy as release_policy
from .resources import resource_create as resource_create
from .resources import resource_delete as resource_delete
from .resources import resource_update as resource_update
from .resources import table_frame as table_frame

DATASET_FIELDS = (
    "name",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "publisher",
    "zone",
    "keywords",
    "spatial",
    "temporal_start",
    "temporal_end",
    "frequency",
    "licence",
    "contact_name",
    "contact_email",
    "opening_level",
    "security_grade",
    "status",
    "version",
    "is_training",
)


def _state(dataset: Dataset) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name in DATASET_FIELDS:
        value = getattr(dataset, name + "_id" if name in ("publisher", "zone") else name)
        state[name] = value.isoformat() if isinstance(value, dt.date) else value
    return state


def _validate_keywords(keywords: Any) -> list[str]:
    if keywords in (None, ""):
        return []
    if isinstance(keywords, str):
        keywords = [k for k in keywords.replace("，", ",").split(",")]
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise ValidationError({"keywords": _("Keywords must be a list of words.")})
    cleaned = []
    for word in keywords:
        word = word.strip()
        if word and word not in cleaned:
            if len(word) > 50:
                raise ValidationError({"keywords": _("A keyword is longer than 50 characters.")})
            cleaned.append(word)
    return cleaned


# --- zones, themes, operators -----------------------------------------


def zone_create(
    *, actor: Any, code: str, title_zh: str, title_en: str = "", description: str = ""
) -> Zone:
    if actor is not None and not permissions.can_manage_zones(actor):
        raise PermissionDenied(_("Only coordinators can create data zones."))
    zone = Zone(code=code, title_zh=title_zh, title_en=title_en, description=description)
    zone.full_clean()
    with transaction.atomic():
        zone.save()
        audit_record(
            actor=actor, action="opendata.zone.create", target=zone, changes={"code": code}
        )
    return zone


def theme_create(*, actor: Any, code: str, title_zh: str, title_en: str = "") -> Theme:
    if actor is not None and not permissions.can_manage_zones(actor):
        raise PermissionDenied(_("Only coordinators can create themes."))
    theme = Theme(code=code, title_zh=title_zh, title_en=title_en)
    theme.full_clean()
    with transaction.atomic():
        theme.save()
        audit_record(
            actor=actor, action="opendata.theme.create", target=theme, changes={"code": code}
        )
    return theme


def zone_operator_appoint(
    *,
    actor: Any,
    zone: Zone,
    organisation: Organisation,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime,
) -> ZoneOperator:
    if actor is not None and not permissions.can_manage_zones(actor):
        raise PermissionDenied(_("Only coordinators can authorise zone operators."))
    valid_from = valid_from or timezone.now()
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": _("The end must be after the start.")})
    operator = ZoneOperator(
        zone=zone, organisation=organisation, valid_from=valid_from, valid_until=valid_until
    )
    with transaction.atomic():
        operator.save()
        audit_record(
            actor=actor,
            action="opendata.zone_operator.appoint",
            target=operator,
            changes={
                "zone": zone.code,
                "organisation": organisation.code,
                "valid_until": valid_until.isoformat(),
            },
        )
    return operator


def zone_operator_revoke(*, actor: Any, operator: ZoneOperator) -> ZoneOperator:
    if not permissions.can_manage_zones(actor):
        raise PermissionDenied(_("Only coordinators can revoke zone operators."))
    if operator.revoked_at is None:
        with transaction.atomic():
            operator.revoked_at = timezone.now()
            operator.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="opendata.zone_operator.revoke", target=operator)
    return operator


# --- datasets -----------------------------------------


def dataset_index(dataset: Dataset) -> None:
    """Rewrite the search tokens of ``dataset`` (call inside the writing transaction)."""
    body = [
        dataset.description_zh,
        dataset.description_en,
        " ".join(dataset.keywords or []),
        dataset.spatial,
        dataset.publisher.name_zh,
        dataset.publisher.name_en,
    ]
    if dataset.zone_id:
        body += [dataset.zone.title_zh, dataset.zone.title_en]  # type: ignore[union-attr]
    body += [f"{t.title_zh} {t.title_en}" for t in dataset.themes.all()]
    weights = segment.weighted_tokens([dataset.title_zh, dataset.title_en, dataset.name], body)
    SearchToken.objects.filter(dataset=dataset).delete()
    SearchToken.objects.bulk_create(
        [SearchToken(dataset=dataset, token=t, weight=w) for t, w in weights.items()]
    )


def _apply_themes(dataset: Dataset, themes: Iterable[Theme | str] | None) -> None:
    if themes is None:
        return
    objs = []
    for theme in themes:
        if isinstance(theme, Theme):
            objs.append(theme)
            continue
        found = Theme.objects.filter(code=theme).first()
        if found is None:
            raise ValidationError({"themes": _("Unknown theme “%(code)s”.") % {"code": theme}})
        objs.append(found)
    dataset.themes.set(objs)


def _check_derived(actor: Any, derived_from: Sequence[Dataset] | None) -> None:
    for source in derived_from or []:
        allowed, _grant = permissions.data_access(actor, source)
        if not allowed:
            raise PermissionDenied(
                _("You may not derive a product from “%(name)s”.") % {"name": source.name}
            )


def dataset_create(
    *,
    actor: Any,
    name: str,
    title_zh: str,
    publisher: Organisation,
    opening_level: str,
    security_grade: str = levels.GENERAL,
    themes: Iterable[Theme | str] | None = None,
    derived_from: Sequence[Dataset] | None = None,
    keywords: Any = None,
    **fields: Any,
) -> Dataset:
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise ValidationError({name_: _("Unknown field.") for name_ in sorted(unknown)})
    zone = fields.get("zone")
    if actor is not None and not permissions.can_publish_for(actor, publisher.pk, zone):
        raise PermissionDenied(_("You cannot publish for this organisation in this zone."))
    dataset = Dataset(
        name=name,
        title_zh=title_zh,
        publisher=publisher,
        opening_level=opening_level,
        security_grade=security_grade,
        keywords=_validate_keywords(keywords),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _finish(dataset)
    dataset.full_clean()
    _check_derived(actor, derived_from)
    with transaction.atomic():
        dataset.save()
        _apply_themes(dataset, themes)
        if derived_from:
            dataset.derived_from.set(derived_from)
        DatasetVersion.objects.create(
            dataset=dataset, version=dataset.version, created_by=dataset.created_by
        )
        dataset_index(dataset)
        audit_record(
            actor=actor,
            action="opendata.dataset.create",
            target=dataset,
            changes=diff({}, _state(dataset)),
        )
        _plan_items_refresh(dataset)
    return dataset


def _finish(dataset: Dataset) -> None:
    """Derived fields: the effective access and the publication time."""
    if dataset.opening_level not in levels.EU_ACCESS_RIGHTS:
        raise ValidationError({"opening_level": _("Unknown opening level.")})
    if dataset.security_grade not in (levels.GENERAL, levels.IMPORTANT, levels.CORE):
        raise ValidationError({"security_grade": _("Unknown security grade.")})
    dataset.access = levels.effective_access(dataset.opening_level, dataset.security_grade)
    if dataset.status == Dataset.Status.PUBLISHED and dataset.published_at is None:
        dataset.published_at = timezone.now()
    if (
        dataset.temporal_start
        and dataset.temporal_end
        and dataset.temporal_end < dataset.temporal_start
    ):
        raise ValidationError({"temporal_end": _("The coverage ends before it starts.")})


def dataset_update(
    *,
    actor: Any,
    dataset: Dataset,
    themes: Iterable[Theme | str] | None = None,
    version_notes: str = "",
    **fields: Any,
) -> Dataset:
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot edit this dataset."))
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    moving = "publisher" in fields and fields["publisher"].pk != dataset.publisher_id
    if moving and not permissions.can_publish_for(
        actor, fields["publisher"].pk, fields.get("zone", dataset.zone)
    ):
        raise PermissionDenied(_("You cannot move this dataset to that organisation."))
    if "zone" in fields and not permissions.can_publish_for(
        actor, fields.get("publisher", dataset.publisher).pk, fields["zone"]
    ):
        raise PermissionDenied(_("You cannot move this dataset to that zone."))
    if "keywords" in fields:
        fields["keywords"] = _validate_keywords(fields["keywords"])
    before = _state(dataset)
    old_version = dataset.version
    for name, value in fields.items():
        setattr(dataset, name, value)
    try:
        _finish(dataset)
        # a name made before the naming rule (2026-11-28) is checked only when it changes, so
        # such a dataset stays editable without a new address
        renamed = "name" in fields and fields["name"] != before.get("name")
        dataset.full_clean(exclude=None if renamed else ["name"])
    except ValidationError:
        dataset.refresh_from_db()
        raise
    with transaction.atomic():
        dataset.save()
        _apply_themes(dataset, themes)
        if dataset.version != old_version:
            DatasetVersion.objects.create(
                dataset=dataset,
                version=dataset.version,
                notes=version_notes,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        dataset_index(dataset)
        changes = diff(before, _state(dataset))
        if changes or themes is not None:
            audit_record(
                actor=actor, action="opendata.dataset.update", target=dataset, changes=changes
            )
        _plan_items_refresh(dataset)
    return dataset


def dataset_withdraw(*, actor: Any, dataset: Dataset, reason: str = "") -> Dataset:
    """Take a dataset out of the catalogue (CKAN's ``package_delete``) without destroying
    anything: metadata, resources, tables, grants and logs stay, only its publisher's members
    and coordinators still see it, and publishing it again (status "published") restores it.
    Withdrawing a withdrawn dataset changes nothing."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot withdraw this dataset."))
    if dataset.status == Dataset.Status.WITHDRAWN:
        return dataset
    before = dataset.status
    with transaction.atomic():
        dataset.status = Dataset.Status.WITHDRAWN
        dataset.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="opendata.dataset.withdraw",
            target=dataset,
            changes={"status": change(before, dataset.status), "reason": reason},
        )
        _plan_items_refresh(dataset)
    return dataset


def training_card_set(
    *,
    actor: Any,
    dataset: Dataset,
    intended_use: str,
    sources: str = "",
    processing: str = "",
    licence: str = "",
    known_limits: str = "",
) -> TrainingCard:
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot edit this dataset."))
    if not intended_use.strip():
        raise ValidationError({"intended_use": _("Say what the dataset is meant for.")})
    with transaction.atomic():
        card, _created = TrainingCard.objects.update_or_create(
            dataset=dataset,
            defaults={
                "intended_use": intended_use,
                "sources": sources,
                "processing": processing,
                "licence": licence or dataset.licence,
                "known_limits": known_limits,
            },
        )
        if not dataset.is_training:
            dataset.is_training = True
            dataset.save(update_fields=["is_training", "updated_at"])
        audit_record(
            actor=actor,
            action="opendata.training_card.set",
            target=dataset,
            changes={"intended_use": intended_use[:200]},
        )
    return card


# --- data reads and the access log -----------------------------------------


def check_data_read(*, user: Any, dataset: Dataset, api_key: ApiKey | None = None) -> Any:
    """The grant under which ``user`` may read the data of ``dataset`` (None when no grant is
    needed); PermissionDenied when the read is not allowed. Nothing is logged: ``data_read``
    logs reads of the data itself."""
    allowed, grant = permissions.data_access(user, dataset)
    if allowed and api_key is not None and api_key.application_id is not None:
        # A key bound to one application reads only that application's dataset.
        allowed = api_key.application.dataset_id == dataset.pk  # type: ignore[union-attr]
    if not allowed:
        if dataset.access == levels.RESTRICTED:
            raise PermissionDenied(
                _("This dataset is conditional: apply for it and use it while your grant is valid.")
            )
        raise PermissionDenied(_("You may not read this dataset's data."))
    return grant


def data_read(
    *,
    user: Any,
    dataset: Dataset,
    action: str,
    channel: str,
    resource: Resource | None = None,
    api_key: ApiKey | None = None,
    ip: str | None = None,
) -> AccessLog:
    """Decide, now, whether ``user`` may read the data of ``dataset``; log the read.

    Raises PermissionDenied (nothing logged) when the read is not allowed.
    """
    grant = check_data_read(user=user, dataset=dataset, api_key=api_key)
    return AccessLog.objects.create(
        user=user if permissions.is_signed_in(user) else None,
        api_key=api_key,
        dataset=dataset,
        resource=resource,
        grant=grant,
        action=action,
        channel=channel,
        ip=ip or None,
    )


# --- yearly opening plan -----------------------------------------


def opening_plan_item_add(
    *,
    actor: Any,
    organisation: Organisation,
    year: int,
    title: str,
    opening_level: str,
    due: dt.date,
    dataset: Dataset | None = None,
) -> OpeningPlanItem:
    if not (
        is_coordinator(actor)
        or organisation.pk in organisation_ids(actor, permissions.PUBLISHING_ROLES)
    ):
        raise PermissionDenied(_("You cannot plan openings for this organisation."))
    if not title.strip():
        raise ValidationError({"title": _("Give the dataset to open a title.")})
    if opening_level not in levels.EU_ACCESS_RIGHTS or opening_level == levels.NON_PUBLIC:
        raise ValidationError({"opening_level": _("Plan an unconditional or conditional opening.")})
    if dataset is not None and dataset.publisher_id != organisation.pk:
        raise ValidationError({"dataset": _("The dataset belongs to another organisation.")})
    with transaction.atomic():
        plan, _created = OpeningPlan.objects.get_or_create(organisation=organisation, year=year)
        item = OpeningPlanItem.objects.create(
            plan=plan, title=title, opening_level=opening_level, due=due, dataset=dataset
        )
        if dataset is not None:
            _plan_items_refresh(dataset)
            item.refresh_from_db()
        audit_record(
            actor=actor,
            action="opendata.opening_plan.add",
            target=item,
            changes={"year": year, "due": due.isoformat(), "level": opening_level},
        )
    return item


def _plan_items_refresh(dataset: Dataset) -> None:
    """A plan item is done when its dataset is published at (or looser than) the promised
    level; it is not done again if the dataset is withdrawn."""
    done = dataset.status == Dataset.Status.PUBLISHED
    for item in OpeningPlanItem.objects.filter(dataset=dataset):
        ok = done and not levels.is_stricter(dataset.access, item.opening_level)
        if ok and item.done_at is None:
            item.done_at = timezone.now()
            item.save(update_fields=["done_at"])
        elif not ok and item.done_at is not None:
            item.done_at = None
            item.save(update_fields=["done_at"])
