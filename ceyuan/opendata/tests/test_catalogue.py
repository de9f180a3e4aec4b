"""Catalogue writes, search (Chinese), facets, versions, opening plan, indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ceyuan.audit.models import AuditEntry
from ceyuan.opendata import indicators, selectors, services
from ceyuan.opendata.models import Dataset, DatasetVersion, TableRow

from .conftest import grant_for, make_dataset


def _names(result: Any) -> list[str]:
    return [d.name for d in result.datasets]


def test_chinese_search_matches_words_not_substrings(catalogue: Any) -> None:
    assert _names(selectors.search(None, q="公交")) == ["bus-stops"]
    assert _names(selectors.search(None, q="北京公交站点")) == ["bus-stops"]
    assert set(_names(selectors.search(None, q="交通"))) == {"bus-stops", "taxi-trips"}
    # "信用" is a word of the credit dataset; "用评" is only a substring across two words.
    assert _names(selectors.search(None, q="信用")) == ["enterprise-credit"]
    assert _names(selectors.search(None, q="用评")) == []
    assert _names(selectors.search(None, q="bus stops")) == ["bus-stops"]
    for nothing_to_match in ("%", "*", "\\", "，。"):
        assert selectors.search(None, q=nothing_to_match).count == 0, nothing_to_match


def test_search_never_shows_not_open_datasets_to_the_public(catalogue: Any) -> None:
    assert _names(selectors.search(None, q="电网")) == []
    assert _names(selectors.search(catalogue.world.member, q="电网")) == ["grid-topology"]


def test_facets_and_filters(catalogue: Any) -> None:
    result = selectors.search(None, facets=["zone", "level", "format", "publisher", "theme"])
    assert result.facets["zone"] == {"transport": 2, "finance": 1}
    assert result.facets["level"] == {"restricted": 2, "public": 1}
    assert result.facets["format"] == {"CSV": 3}
    assert result.facets["theme"] == {"traffic": 1}
    filtered = selectors.search(None, filters={"zone": ["transport"], "level": ["restricted"]})
    assert _names(filtered) == ["taxi-trips"]
    assert _names(selectors.search(None, filters={"keyword": ["公交"]})) == ["bus-stops"]


def test_sorting_by_title_and_paging(catalogue: Any) -> None:
    result = selectors.search(None, sort="title", rows=2)
    assert result.count == 3 and len(result.datasets) == 2
    titles = [d.title_zh for d in selectors.search(None, sort="title").datasets]
    assert titles == sorted(titles)


def test_updating_a_dataset_reindexes_and_records_a_version(catalogue: Any) -> None:
    services.dataset_update(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        title_zh="北京市地铁站点数据",
        version="1.1",
        version_notes="改名",
    )
    assert _names(selectors.search(None, q="地铁")) == ["bus-stops"]
    assert _names(selectors.search(None, q="公交站点")) == ["bus-stops"]  # still in description
    assert list(
        DatasetVersion.objects.filter(dataset=catalogue.public).values_list("version", flat=True)
    ) == ["1.1", "1.0"]
    assert AuditEntry.objects.filter(action="opendata.dataset.update").exists()


def test_raising_the_grade_tightens_access_immediately(catalogue: Any) -> None:
    services.dataset_update(
        actor=catalogue.world.officer, dataset=catalogue.public, security_grade="important"
    )
    assert Dataset.objects.get(pk=catalogue.public.pk).access == "restricted"


def test_invalid_dataset_leaves_nothing_behind(catalogue: Any) -> None:
    before = Dataset.objects.count()
    with pytest.raises(ValidationError) as info:
        make_dataset(catalogue.world.officer, catalogue.world.department, "bus-stops", "public")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError):
        make_dataset(catalogue.world.officer, catalogue.world.department, "new-one", "wide-open")
    for bad_name in ("Upper-Case", "-lead", "x", "公交", "2024"):  # CKAN's rule, and a letter
        with pytest.raises(ValidationError) as named:
            make_dataset(catalogue.world.officer, catalogue.world.department, bad_name, "public")
        assert "name" in named.value.message_dict, bad_name
    assert Dataset.objects.count() == before


def test_a_dataset_named_before_the_naming_rule_stays_editable(catalogue: Any) -> None:
    Dataset.objects.filter(pk=catalogue.public.pk).update(name="Bus-Stops")  # an old name
    legacy = Dataset.objects.get(pk=catalogue.public.pk)
    services.dataset_update(actor=catalogue.world.officer, dataset=legacy, title_en="Stops")
    with pytest.raises(ValidationError) as renamed:
        services.dataset_update(actor=catalogue.world.officer, dataset=legacy, name="Still-Bad")
    assert "name" in renamed.value.message_dict
    services.dataset_update(actor=catalogue.world.officer, dataset=legacy, name="bus-stops-2")
    assert Dataset.objects.get(pk=legacy.pk).name == "bus-stops-2"


def test_a_name_shaped_like_a_uuid_still_opens_its_dataset(catalogue: Any) -> None:
    from ceyuan.opendata import access

    name = "beijing-bus-stops-annual-statistics1"  # 36 characters, four hyphens
    dataset = make_dataset(catalogue.world.officer, catalogue.world.department, name, "public")
    assert access.access_dataset(None, name) == dataset
    assert access.access_dataset(None, str(dataset.uuid)) == dataset
    assert access.access_dataset(None, dataset.pk) == dataset


def test_a_bad_upload_is_refused_with_the_row_and_nothing_is_stored(catalogue: Any) -> None:
    rows_before = TableRow.objects.count()
    resources_before = catalogue.public.resources.count()
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.resource_create(
            actor=catalogue.world.officer,
            dataset=catalogue.public,
            content=b"a,b\n1,2\n3\n",
            filename="bad.csv",
        )
    assert "bad.csv" in info.value.message_dict["upload"][1]
    assert "row 2" in info.value.message_dict["upload"][1]
    assert TableRow.objects.count() == rows_before
    assert catalogue.public.resources.count() == resources_before


def test_table_store_filters_sorts_and_pages(catalogue: Any) -> None:
    page = selectors.table_query(catalogue.table, filters={"达标": "是"}, sort="人口 desc")
    assert [r["区县"] for r in page.records] == ["朝阳区", "东城区"]
    assert page.total == 2
    page = selectors.table_query(catalogue.table, fields=["区县"], limit=1, offset=1)
    assert page.records == [{"_id": 2, "区县": "西城区"}] and page.total == 3
    with (
        translation.override("en"),
        pytest.raises(selectors.TableQueryError, match="unknown field"),
    ):
        selectors.table_query(catalogue.table, filters={"nope": 1})
    with (
        translation.override("en"),
        pytest.raises(selectors.TableQueryError, match="not an integer"),
    ):
        selectors.table_query(catalogue.table, filters={"年份": "abc"})


def test_an_uploaded_table_with_years_as_columns_is_filtered_and_sorted_by_them(
    catalogue: Any,
) -> None:
    """Statistical tables often have one column per year; such names are all digits."""
    resource = services.resource_create(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        content="区县,2022,2023\n东城区,70.1,70.4\n西城区,110.2,110.6\n朝阳区,344.2,343.0\n".encode(),
        filename="常住人口.csv",
    )
    page = selectors.table_query(resource, filters={"2023": 110.6})
    assert [r["区县"] for r in page.records] == ["西城区"]
    page = selectors.table_query(resource, sort="2022 desc", fields=["区县"])
    assert [r["区县"] for r in page.records] == ["朝阳区", "西城区", "东城区"]


def test_header_names_the_table_store_reserves_or_cannot_query_are_refused() -> None:
    from ceyuan.opendata.tabular import TableError, parse_table

    for header in ("_id,b", 'a"b,c', "x" * 201 + ",b"):
        with pytest.raises(TableError, match="may not start with"):
            parse_table(f"{header}\n1,2\n".encode(), filename="t.csv")
    with pytest.raises(TableError, match="may not start with"):  # NUL: a JSON key can hold one
        parse_table(b'[{"a\\u0000b": 1}]', filename="t.json")
    table = parse_table(b"a__b,2023\n1,2\n", filename="t.csv")
    assert list(table.rows) == [{"a__b": 1, "2023": 2}]


def test_opening_plan_is_tracked_to_done_and_feeds_the_indicators(catalogue: Any) -> None:
    year = timezone.localdate().year
    officer, dept = catalogue.world.officer, catalogue.world.department
    draft = make_dataset(
        officer, dept, "air-quality", "public", status="draft", title_zh="空气质量"
    )
    item = services.opening_plan_item_add(
        actor=officer,
        organisation=dept,
        year=year,
        title="空气质量",
        opening_level="public",
        due=dt.date(year, 12, 31),
        dataset=draft,
    )
    services.opening_plan_item_add(
        actor=officer,
        organisation=dept,
        year=year,
        title="噪声监测",
        opening_level="restricted",
        due=dt.date(year, 12, 31),
    )
    assert item.done_at is None
    assert indicators.open_rate(year) == 0.0
    services.dataset_update(actor=officer, dataset=draft, status="published")
    item.refresh_from_db()
    assert item.done_at is not None
    assert indicators.open_rate(year) == 0.5
    assert indicators.datasets_opened() == 4  # 3 in the fixture (one is not open) + air quality
    grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    assert indicators.active_grants() == 1
    services.data_read(user=None, dataset=catalogue.public, action="download", channel="web")
    assert indicators.downloads(year) == 1


def test_indicators_are_registered_with_the_plan_registry() -> None:
    from ceyuan.plan import live

    names = {s.name for s in live.registered_sources()}
    assert {"opendata.opendata_open_rate", "opendata.opendata_active_grants"} <= names
    source = next(
        s for s in live.registered_sources() if s.name == "opendata.opendata_datasets_opened"
    )
    assert source.indicator == "opendata_datasets_opened"


@pytest.mark.django_db
def test_indicator_source_returns_a_computed_observation() -> None:
    from ceyuan.plan import live

    source = next(s for s in live.registered_sources() if s.name == "opendata.opendata_downloads")
    observation = source.compute(timezone.localdate())
    assert observation is not None and observation.value == 0.0
