"""Fixtures of the open-data suite: a small catalogue on top of the ``world`` fixture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from ceyuan.accounts.models import Organisation, Role
from ceyuan.testing import make_organisation, make_user

CSV = (
    "区县,年份,人口,达标\n东城区,2023,70.4,是\n西城区,2023,110.6,否\n朝阳区,2023,344.2,是\n"
).encode()


@dataclass
class Catalogue:
    world: Any
    transport: Any
    finance: Any
    traffic_theme: Any
    public: Any
    restricted: Any
    secret: Any
    zoned: Any
    table: Any
    zoned_table: Any
    operator_org: Any
    operator: Any
    researcher: Any


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_dataset(actor: Any, publisher: Any, name: str, level: str, **extra: Any) -> Any:
    from ceyuan.opendata import services

    return services.dataset_create(
        actor=actor,
        name=name,
        title_zh=extra.pop("title_zh", f"数据集{name}"),
        publisher=publisher,
        opening_level=level,
        **extra,
    )


@pytest.fixture
def catalogue(world: Any) -> Catalogue:
    from ceyuan.opendata import services

    transport = services.zone_create(
        actor=world.coordinator, code="transport", title_zh="交通专区", title_en="Transport"
    )
    finance = services.zone_create(
        actor=world.coordinator, code="finance", title_zh="金融专区", title_en="Finance"
    )
    theme = services.theme_create(
        actor=world.coordinator, code="traffic", title_zh="交通出行", title_en="Traffic"
    )
    officer = world.officer
    dept = world.department
    public = make_dataset(
        officer,
        dept,
        "bus-stops",
        "public",
        title_zh="北京市公交站点数据",
        title_en="Beijing bus stops",
        description_zh="全市公交线路站点位置信息",
        keywords=["公交", "交通"],
        zone=transport,
        themes=["traffic"],
        spatial="北京市",
    )
    restricted = make_dataset(
        officer,
        dept,
        "enterprise-credit",
        "restricted",
        title_zh="企业信用评价数据",
        description_zh="企业公共信用综合评价结果",
        keywords=["信用"],
        zone=finance,
    )
    secret = make_dataset(
        officer,
        dept,
        "grid-topology",
        "public",
        security_grade="core",
        title_zh="城市电网拓扑数据",
        description_zh="核心数据",
    )
    zoned = make_dataset(
        officer,
        dept,
        "taxi-trips",
        "restricted",
        title_zh="出租车行程数据",
        description_zh="出租车行程起讫点",
        zone=transport,
    )
    table = services.resource_create(
        actor=officer, dataset=restricted, content=CSV, filename="credit.csv"
    )
    zoned_table = services.resource_create(
        actor=officer, dataset=zoned, content=CSV, filename="trips.csv"
    )
    services.resource_create(actor=officer, dataset=public, content=CSV, filename="stops.csv")
    operator_org = make_organisation("bdg", Organisation.Kind.ENTERPRISE, name_zh="北京数据集团")
    operator = make_user("op-officer", organisation=operator_org, role=Role.UNIT_OFFICER)
    services.zone_operator_appoint(
        actor=world.coordinator,
        zone=transport,
        organisation=operator_org,
        valid_until=timezone.now() + dt.timedelta(days=365),
    )
    researcher = make_user("researcher")
    return Catalogue(
        world=world,
        transport=transport,
        finance=finance,
        traffic_theme=theme,
        public=public,
        restricted=restricted,
        secret=secret,
        zoned=zoned,
        table=table,
        zoned_table=zoned_table,
        operator_org=operator_org,
        operator=operator,
        researcher=researcher,
    )


def grant_for(catalogue: Catalogue, user: Any, dataset: Any, **approve: Any) -> Any:
    from ceyuan.opendata import applications

    today = timezone.localdate()
    application = applications.application_submit(
        actor=user,
        dataset=dataset,
        purpose="交通研究",
        scope="全部字段",
        period_start=today,
        period_end=today + dt.timedelta(days=90),
        security_commitment="仅在内网使用",
        agreement_accepted=True,
    )
    return applications.application_approve(
        actor=catalogue.world.officer, application=application, **approve
    )
