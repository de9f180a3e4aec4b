"""Who reads what: grants, expiry, revocation, hidden metadata, zone operators, the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from ceyuan.opendata import access, applications, selectors, services
from ceyuan.opendata.models import AccessLog, Grant

from .conftest import grant_for, make_dataset


def _read(user: Any, dataset: Any) -> AccessLog:
    return services.data_read(user=user, dataset=dataset, action="download", channel="web")


def test_anyone_reads_an_unconditional_dataset_and_each_read_is_logged(catalogue: Any) -> None:
    entry = _read(None, catalogue.public)
    assert entry.user is None and entry.dataset == catalogue.public
    _read(catalogue.researcher, catalogue.public)
    assert AccessLog.objects.filter(dataset=catalogue.public).count() == 2


def test_nobody_reads_a_conditional_dataset_without_a_valid_grant(catalogue: Any) -> None:
    for user in (
        None,
        catalogue.researcher,
        catalogue.world.outsider_officer,
        catalogue.world.reviewer,
    ):
        with translation.override("en"), pytest.raises(PermissionDenied, match="conditional"):
            _read(user, catalogue.restricted)
    assert not AccessLog.objects.filter(dataset=catalogue.restricted).exists()


def test_a_grant_opens_the_data_and_the_log_names_it(catalogue: Any) -> None:
    grant = grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    entry = _read(catalogue.researcher, catalogue.restricted)
    assert entry.grant == grant
    # A grant is personal and for one dataset.
    with pytest.raises(PermissionDenied):
        _read(catalogue.researcher, catalogue.zoned)


def test_revoking_a_grant_stops_access_at_once(catalogue: Any) -> None:
    grant = grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    _read(catalogue.researcher, catalogue.restricted)
    applications.grant_revoke(actor=catalogue.world.officer, grant=grant, reason="违反协议")
    with pytest.raises(PermissionDenied):
        _read(catalogue.researcher, catalogue.restricted)


def test_an_expired_grant_stops_access(catalogue: Any) -> None:
    grant = grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        _read(catalogue.researcher, catalogue.restricted)


def test_only_the_publishing_unit_reviews_and_revokes(catalogue: Any) -> None:
    today = timezone.localdate()
    application = applications.application_submit(
        actor=catalogue.researcher,
        dataset=catalogue.restricted,
        purpose="p",
        scope="s",
        period_start=today,
        period_end=today + dt.timedelta(days=10),
        security_commitment="c",
        agreement_accepted=True,
    )
    for user in (
        catalogue.researcher,
        catalogue.world.outsider_officer,
        catalogue.world.member,
        catalogue.operator,
    ):
        with pytest.raises(PermissionDenied):
            applications.application_approve(actor=user, application=application)
    applications.application_refuse(
        actor=catalogue.world.officer, application=application, reasons="用途不明确"
    )
    application.refresh_from_db()
    assert application.status == "refused" and application.reasons == "用途不明确"
    assert not Grant.objects.exists()


def test_an_application_needs_the_agreement_and_a_valid_period(catalogue: Any) -> None:
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError) as info:
        applications.application_submit(
            actor=catalogue.researcher,
            dataset=catalogue.restricted,
            purpose="",
            scope="s",
            period_start=today,
            period_end=today - dt.timedelta(days=1),
            security_commitment="c",
            agreement_accepted=False,
        )
    assert set(info.value.message_dict) == {"purpose", "agreement_accepted", "period_end"}
    with pytest.raises(ValidationError):  # unconditional data needs no application
        applications.application_submit(
            actor=catalogue.researcher,
            dataset=catalogue.public,
            purpose="p",
            scope="s",
            period_start=today,
            period_end=today + dt.timedelta(days=1),
            security_commitment="c",
            agreement_accepted=True,
        )


def test_not_open_metadata_stays_hidden_from_the_public(catalogue: Any) -> None:
    # Opened as "public" but graded core: the grade wins.
    assert catalogue.secret.access == "non_public"
    for user in (None, catalogue.researcher, catalogue.world.outsider_officer):
        with pytest.raises(Http404):
            access.access_dataset(user, catalogue.secret.name)
        names = set(selectors.datasets_visible(user).values_list("name", flat=True))
        assert catalogue.secret.name not in names
        assert catalogue.restricted.name in names  # conditional metadata is public
    assert access.access_dataset(catalogue.world.member, catalogue.secret.name) == catalogue.secret
    assert (
        access.access_dataset(catalogue.world.coordinator, catalogue.secret.name)
        == catalogue.secret
    )
    with pytest.raises(PermissionDenied):
        _read(catalogue.researcher, catalogue.secret)


def test_zone_operators_read_and_publish_only_inside_their_zone(catalogue: Any) -> None:
    op = catalogue.operator
    assert _read(op, catalogue.zoned).dataset == catalogue.zoned  # transport zone
    with pytest.raises(PermissionDenied):
        _read(op, catalogue.restricted)  # finance zone
    product = make_dataset(
        op,
        catalogue.operator_org,
        "taxi-heatmap",
        "public",
        zone=catalogue.transport,
        derived_from=[catalogue.zoned],
        title_zh="出租车热力图",
    )
    assert list(product.derived_from.all()) == [catalogue.zoned]
    with pytest.raises(PermissionDenied):
        make_dataset(op, catalogue.operator_org, "credit-index", "public", zone=catalogue.finance)
    with pytest.raises(PermissionDenied):
        make_dataset(op, catalogue.operator_org, "no-zone", "public")
    with pytest.raises(PermissionDenied):  # cannot derive from data it may not read
        make_dataset(
            op,
            catalogue.operator_org,
            "credit-x",
            "public",
            zone=catalogue.transport,
            derived_from=[catalogue.restricted],
        )


def test_a_revoked_or_lapsed_operator_loses_its_zone(catalogue: Any) -> None:
    operator = catalogue.operator_org.zone_operations.get()
    services.zone_operator_revoke(actor=catalogue.world.coordinator, operator=operator)
    with pytest.raises(PermissionDenied):
        _read(catalogue.operator, catalogue.zoned)


def test_only_coordinators_appoint_zone_operators(catalogue: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.zone_operator_appoint(
            actor=catalogue.world.officer,
            zone=catalogue.finance,
            organisation=catalogue.operator_org,
            valid_until=timezone.now() + dt.timedelta(days=1),
        )


def test_publishers_cannot_publish_for_another_unit(catalogue: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_dataset(catalogue.world.officer, catalogue.world.other_department, "x-data", "public")
    with pytest.raises(PermissionDenied):
        make_dataset(catalogue.world.member, catalogue.world.department, "y-data", "public")
    with pytest.raises(PermissionDenied):
        services.dataset_update(
            actor=catalogue.world.outsider_officer, dataset=catalogue.public, title_zh="改"
        )


def test_a_grant_shows_the_last_day_of_the_period_applied_for(catalogue: Any, client: Any) -> None:
    """A grant expires at the start of the day after the period; pages name the period's end."""
    grant = grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    end = timezone.localdate() + dt.timedelta(days=90)
    assert grant.last_day == end
    assert timezone.localtime(grant.expires_at).date() == end + dt.timedelta(days=1)
    client.force_login(catalogue.researcher)
    page = client.get(f"/data/applications/{grant.application_id}/?lang=en").content.decode()
    assert f"valid until {end:%Y-%m-%d}" in page
