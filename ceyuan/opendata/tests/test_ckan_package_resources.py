"""CKAN ``package_update``/``package_patch`` with a ``resources`` list: the list becomes the
dataset's resources (listed ones updated, new items added as API endpoints, unlisted ones
deleted) — through the real ckanapi client, with refusals that name the item and change
nothing, and who may do it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ceyuan.audit.models import AuditEntry
from ceyuan.opendata import services
from ceyuan.opendata.models import Dataset, Resource

from .ckan_helpers import api_token as _token
from .ckan_helpers import call as _call
from .ckan_helpers import parking_table, transport_dataset


def _resource_state(dataset: Any) -> list[tuple[str, str, str, str, str]]:
    return [
        (str(r.uuid), r.name, r.description, r.format, r.url)
        for r in Resource.objects.filter(dataset=dataset).order_by("created_at")
    ]


def _stops_endpoint(catalogue: Any) -> str:
    """Give the public bus-stops dataset an API endpoint “站点接口”; the officer's token."""
    services.resource_create(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        name="站点接口",
        url="https://api.example.cn/stops",
    )
    return _token(catalogue.world.officer)


def _resource_audit() -> int:
    return AuditEntry.objects.filter(action__startswith="opendata.resource.").count()


@pytest.mark.django_db(transaction=True)
def test_the_ckanapi_client_edits_adds_and_removes_resources_through_package_update(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    import ckanapi

    settings.MEDIA_ROOT = tmp_path
    officer, dataset = transport_dataset("parking-lots", "停车场泊位")
    table = parking_table(officer, dataset)
    feed = services.resource_create(
        actor=officer,
        dataset=dataset,
        name="实时接口",
        url="https://api.example.cn/parking",
        format="JSON",
    )

    with ckanapi.RemoteCKAN(live_server.url, apikey=_token(officer)) as ckan:
        # package_patch without resources leaves them as they are
        patched = ckan.action.package_patch(id="parking-lots", notes="每日更新")
        assert patched["notes"] == "每日更新" and patched["num_resources"] == 2

        pkg = ckan.action.package_show(id="parking-lots")
        file_url = pkg["resources"][0]["url"]
        pkg["resources"][0]["description"] = "全市公共停车场泊位"
        pkg["resources"][1]["url"] = "https://api.example.cn/v2/parking"
        pkg["resources"].append(
            {"name": "收费标准", "url": "https://api.example.cn/fees", "format": "json"}
        )
        updated = ckan.action.package_update(**pkg)
        assert updated["num_resources"] == 3
        shown = ckan.action.package_show(id="parking-lots")
        assert shown["resources"] == updated["resources"]
        lots, live, fees = shown["resources"]
        # the uploaded file keeps its file and table; only its description changed
        assert (lots["id"], lots["description"]) == (str(table.uuid), "全市公共停车场泊位")
        assert (lots["url"], lots["url_type"], lots["datastore_active"]) == (
            file_url,
            "upload",
            True,
        )
        assert ckan.action.datastore_search(resource_id=lots["id"])["total"] == 1
        # a new url for an endpoint keeps its format
        assert (live["id"], live["url"], live["format"]) == (
            str(feed.uuid),
            "https://api.example.cn/v2/parking",
            "JSON",
        )
        assert (fees["name"], fees["url"], fees["format"]) == (
            "收费标准",
            "https://api.example.cn/fees",
            "JSON",
        )

        # a resource left out of the list is deleted, as in CKAN
        del shown["resources"][1]
        trimmed = ckan.action.package_update(**shown)
        assert [r["id"] for r in trimmed["resources"]] == [lots["id"], fees["id"]]
        with pytest.raises(ckanapi.NotFound):
            ckan.action.resource_show(id=live["id"])

    updates = AuditEntry.objects.filter(action="opendata.resource.update")
    assert {e.object_id: e.changes for e in updates} == {
        str(table.pk): {
            "dataset": "parking-lots",
            "description": {"from": "旧说明", "to": "全市公共停车场泊位"},
        },
        str(feed.pk): {
            "dataset": "parking-lots",
            "url": {
                "from": "https://api.example.cn/parking",
                "to": "https://api.example.cn/v2/parking",
            },
        },
    }
    created = AuditEntry.objects.filter(action="opendata.resource.create").order_by("-seq")[0]
    assert created.object_id == str(Resource.objects.get(uuid=fees["id"]).pk)
    assert created.changes == {"dataset": "parking-lots", "format": "JSON", "rows": 0}
    deleted = AuditEntry.objects.get(action="opendata.resource.delete")
    assert deleted.object_id == str(feed.pk) and deleted.actor == officer


def test_a_file_resources_url_cannot_change_and_the_refusal_changes_nothing(
    catalogue: Any, client: Client
) -> None:
    token = _token(catalogue.world.officer)
    pkg = _call(client, "package_show", {"id": "enterprise-credit"}, token=token).json()["result"]
    before = _resource_state(catalogue.restricted)
    audited = _resource_audit()
    pkg["title"] = "改过的标题"
    pkg["resources"][0]["description"] = "改过的说明"
    pkg["resources"][0]["url"] = "https://elsewhere.example.cn/credit.csv"
    pkg["resources"].append({"name": "接口", "url": "https://api.example.cn/credit"})

    response = _call(client, "package_update", pkg, token=token)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error" and list(error) == ["__type", "resources[0].url"]
    assert "resource_update with an upload" in error["resources[0].url"][0]
    assert Dataset.objects.get(name="enterprise-credit").title_zh == "企业信用评价数据"
    assert _resource_state(catalogue.restricted) == before
    assert _resource_audit() == audited


def test_bad_resource_items_are_refused_naming_the_item_and_nothing_changes(
    catalogue: Any, client: Client
) -> None:
    token = _stops_endpoint(catalogue)
    stops, api = (
        {"id": str(r.uuid), "name": r.name}
        for r in Resource.objects.filter(dataset=catalogue.public).order_by("created_at")
    )
    other = str(catalogue.zoned_table.uuid)  # a resource of another dataset
    before = _resource_state(catalogue.public)
    audited = _resource_audit()
    cases: list[tuple[Any, str, str]] = [
        ([stops, {"id": other}], "resources[1].id", "not a resource of this dataset"),
        ([{"id": "no-such"}], "resources[0].id", "not a resource of this dataset"),
        ([stops, stops], "resources[1].id", "listed twice"),
        ([stops, {"name": "没有地址"}], "resources[1].url", "needs a url"),
        ([{"url": "not a url"}], "resources[0].url", ""),
        ([stops, {**api, "url": ""}], "resources[1].url", "needs a url"),
        ([stops, {**api, "name": ""}], "resources[1].name", ""),  # the model says it
        ([stops, {**api, "description": ["a"]}], "resources[1].description", "string"),
        ([api, stops], "resources[1]", "reordered"),
        ([{"url": "https://api.example.cn/new"}, stops], "resources[1]", "reordered"),
        (["stops.csv"], "resources[0]", "Must be a resource"),
        ({"id": stops["id"]}, "resources", "Must be a list"),
    ]
    for resources, field, words in cases:
        data = {"id": "bus-stops", "title": "不该改的标题", "resources": resources}
        response = _call(client, "package_update", data, token=token)
        assert response.status_code == 409, resources
        error = response.json()["error"]
        assert error["__type"] == "Validation Error" and field in error, (resources, error)
        assert words in " ".join(error[field]), (resources, error)
    # every item is checked before anything is written: all the problems come at once
    data = {"id": "bus-stops", "resources": [{"id": other}, {"url": "not a url"}]}
    error = _call(client, "package_patch", data, token=token).json()["error"]
    assert {"resources[0].id", "resources[1].url"} <= set(error)
    assert Dataset.objects.get(name="bus-stops").title_zh == "北京市公交站点数据"
    assert _resource_state(catalogue.public) == before
    assert _resource_audit() == audited


def test_a_refusal_by_the_resource_service_undoes_the_dataset_and_every_resource_change(
    catalogue: Any, client: Client
) -> None:
    token = _stops_endpoint(catalogue)
    stops = Resource.objects.get(dataset=catalogue.public, kind=Resource.Kind.FILE)
    before = _resource_state(catalogue.public)
    audited = _resource_audit()
    # The endpoint is left out (deleted first) and a new one is listed; then the table's
    # format change is refused by resource_update — after writes in the same transaction.
    data = {
        "id": "bus-stops",
        "title": "不该改的标题",
        "resources": [
            {"id": str(stops.uuid), "description": "新说明", "format": "PDF"},
            {"url": "https://api.example.cn/new"},
        ],
    }
    response = _call(client, "package_update", data, token=token)
    assert response.status_code == 409
    error = response.json()["error"]
    assert list(error) == ["__type", "resources[0].format"]  # the service's own message
    assert Dataset.objects.get(name="bus-stops").title_zh == "北京市公交站点数据"
    assert _resource_state(catalogue.public) == before
    assert _resource_audit() == audited
    assert not AuditEntry.objects.filter(action="opendata.dataset.update").exists()


def test_an_empty_resource_list_deletes_every_resource_and_no_list_keeps_them(
    catalogue: Any, client: Client
) -> None:
    token = _token(catalogue.world.officer)
    kept = _call(client, "package_patch", {"id": "bus-stops", "notes": "新说明"}, token=token)
    assert kept.status_code == 200 and kept.json()["result"]["num_resources"] == 1
    emptied = _call(client, "package_update", {"id": "bus-stops", "resources": []}, token=token)
    assert emptied.status_code == 200
    result = emptied.json()["result"]
    assert (result["resources"], result["num_resources"], result["notes"]) == ([], 0, "新说明")
    assert not Resource.objects.filter(dataset=catalogue.public).exists()
    entry = AuditEntry.objects.get(action="opendata.resource.delete")
    assert entry.changes["dataset"] == "bus-stops" and entry.changes["name"] == "stops.csv"


def test_an_officer_of_another_unit_cannot_change_the_resource_list(
    catalogue: Any, client: Client
) -> None:
    before = _resource_state(catalogue.public)
    audited = _resource_audit()
    outsider = _token(catalogue.world.outsider_officer)
    for resources in ([], [{"url": "https://api.example.cn/x"}], [{"id": "no-such"}]):
        data = {"id": "bus-stops", "resources": resources}
        for token in (outsider, ""):
            refused = _call(client, "package_update", data, token=token)
            assert refused.status_code == 403, (resources, token)
            assert refused.json()["error"]["__type"] == "Authorization Error"
    assert _resource_state(catalogue.public) == before
    assert _resource_audit() == audited
