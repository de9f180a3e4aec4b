"""CKAN write actions beyond create: package_patch/delete, resource_update/patch/delete, and
datastore_search filters with lists — through the real ckanapi client, and who may call them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ceyuan.audit.models import AuditEntry
from ceyuan.opendata import services
from ceyuan.opendata.models import AccessLog, Dataset, Resource, TableRow

from .ckan_helpers import api_token as _token
from .ckan_helpers import call as _call
from .ckan_helpers import named_file as _named_file
from .ckan_helpers import parking_table, transport_dataset
from .conftest import grant_for
from .test_releases import _csv as personal_csv


@pytest.mark.django_db(transaction=True)
def test_the_ckanapi_client_patches_replaces_and_deletes_resources_and_withdraws_a_dataset(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    import ckanapi

    settings.MEDIA_ROOT = tmp_path
    officer, dataset = transport_dataset("parking-lots", "停车场泊位")
    table = parking_table(officer, dataset)
    old_file = table.file.name

    with ckanapi.RemoteCKAN(live_server.url, apikey=_token(officer)) as ckan:
        rid = str(table.uuid)
        patched = ckan.action.resource_patch(id=rid, description="全市公共停车场")
        assert (patched["name"], patched["description"]) == ("泊位表", "全市公共停车场")

        # A new upload replaces the file and the table; what resource_update does not get
        # (the description) is cleared, as in CKAN.
        replaced = ckan.action.resource_update(
            id=rid,
            name="泊位表（2024）",
            upload=_named_file(
                "lots-2024.csv",
                "名称,泊位,区县\n西单,130,西城区\n国贸,80,朝阳区\n三里屯,60,东城区\n".encode("gbk"),
            ),
        )
        assert replaced["id"] == rid and replaced["name"] == "泊位表（2024）"
        assert replaced["description"] == "" and replaced["datastore_active"] is True
        either = ckan.action.datastore_search(
            resource_id=rid, filters={"区县": ["东城区", "西城区"]}, sort="泊位 desc"
        )
        assert either["total"] == 2
        assert [r["名称"] for r in either["records"]] == ["西单", "三里屯"]
        assert not table.file.storage.exists(old_file)  # the replaced file leaves storage

        # Sending back what resource_show gave keeps the uploaded file.
        shown = ckan.action.resource_show(id=rid)
        kept = ckan.action.resource_update(**{**shown, "description": "按区县"})
        assert kept["url"] == shown["url"] and kept["size"] == shown["size"]

        link = ckan.action.resource_create(
            package_id="parking-lots", name="实时接口", url="https://api.example.cn/parking"
        )
        moved = ckan.action.resource_patch(id=link["id"], url="https://api.example.cn/v2/parking")
        assert moved["url"] == "https://api.example.cn/v2/parking" and moved["format"] == "API"
        assert ckan.action.resource_delete(id=link["id"]) is None
        with pytest.raises(ckanapi.NotFound):
            ckan.action.resource_show(id=link["id"])

        notes = ckan.action.package_patch(id="parking-lots", notes="每日更新")
        assert (notes["title"], notes["notes"]) == ("停车场泊位", "每日更新")

        assert ckan.action.package_delete(id="parking-lots") is None
        assert ckan.action.package_show(id="parking-lots")["state"] == "deleted"
        assert ckan.action.package_list() == []
        assert ckan.action.package_search(q="停车场")["count"] == 0
        deleted = ckan.action.package_search(q="停车场", include_deleted=True)
        assert [p["state"] for p in deleted["results"]] == ["deleted"]

        with ckanapi.RemoteCKAN(live_server.url) as anonymous:
            with pytest.raises(ckanapi.NotFound):
                anonymous.action.package_show(id="parking-lots")
            with pytest.raises(ckanapi.NotFound):
                anonymous.action.resource_show(id=rid)
            assert anonymous.action.package_search(include_deleted=True)["count"] == 0

        # Withdrawal destroyed nothing: publishing again brings it all back.
        restored = ckan.action.package_patch(id="parking-lots", state="active")
        assert restored["state"] == "active" and restored["num_resources"] == 1
        assert ckan.action.package_list() == ["parking-lots"]


def test_package_delete_withdraws_and_hides_the_dataset_from_everyone_but_its_publisher(
    catalogue: Any, client: Client
) -> None:
    world = catalogue.world
    officer = _token(world.officer)
    response = _call(client, "package_delete", {"id": "taxi-trips"}, token=officer)
    assert response.status_code == 200 and response.json()["result"] is None
    dataset = Dataset.objects.get(name="taxi-trips")
    assert dataset.status == Dataset.Status.WITHDRAWN
    assert (
        dataset.resources.count() == 1
        and TableRow.objects.filter(resource__dataset=dataset).exists()
    )
    entry = AuditEntry.objects.filter(action="opendata.dataset.withdraw").get()
    assert entry.object_id == str(dataset.pk)

    for user in (world.officer, world.member, world.coordinator):
        shown = _call(client, "package_show", {"id": "taxi-trips"}, token=_token(user))
        assert shown.status_code == 200 and shown.json()["result"]["state"] == "deleted"
    # the zone's operator saw its conditional data; a withdrawn dataset is out of its reach
    for token in ("", _token(catalogue.operator), _token(world.outsider_officer)):
        assert _call(client, "package_show", {"id": "taxi-trips"}, token=token).status_code == 404
        rid = str(catalogue.zoned_table.uuid)
        assert _call(client, "resource_show", {"id": rid}, token=token).status_code == 404
    operator_search = _call(
        client, "package_search", {"include_deleted": True}, token=_token(catalogue.operator)
    ).json()["result"]
    assert "taxi-trips" not in [p["name"] for p in operator_search["results"]]
    assert "taxi-trips" not in client.get("/data/catalog.ttl").content.decode()
    # deleting again succeeds, as in CKAN, and records nothing new
    assert _call(client, "package_delete", {"id": "taxi-trips"}, token=officer).status_code == 200
    assert AuditEntry.objects.filter(action="opendata.dataset.withdraw").count() == 1
    # state "deleted" through package_patch withdraws the same way
    patched = _call(client, "package_patch", {"id": "bus-stops", "state": "deleted"}, token=officer)
    assert patched.json()["result"]["state"] == "deleted"
    assert AuditEntry.objects.filter(action="opendata.dataset.withdraw").count() == 2


def test_only_the_publishing_unit_may_delete_or_change_resources(
    catalogue: Any, client: Client
) -> None:
    world = catalogue.world
    rid = str(catalogue.table.uuid)
    outsider = _token(world.outsider_officer)
    for action, data in (
        ("package_delete", {"id": "bus-stops"}),
        ("resource_patch", {"id": rid, "name": "改名"}),
        ("resource_update", {"id": rid, "name": "改名"}),
        ("resource_delete", {"id": rid}),
    ):
        refused = _call(client, action, data, token=outsider)
        assert refused.status_code == 403, action
        assert refused.json()["error"]["__type"] == "Authorization Error"
        assert _call(client, action, data).status_code == 403  # anonymous
    # a dataset another unit cannot see is not found, not forbidden
    hidden = _call(client, "package_delete", {"id": "grid-topology"}, token=outsider)
    assert hidden.status_code == 404
    # a data API key only reads, even the publishing officer's own
    _key, data_key = services.api_key_create(actor=world.officer, name="reader")
    with_key = _call(client, "package_delete", {"id": "bus-stops"}, token=data_key)
    assert with_key.status_code == 403 and "only read" in with_key.json()["error"]["message"]
    assert _call(client, "resource_delete", {"id": rid}, token=data_key).status_code == 403
    assert Dataset.objects.get(name="bus-stops").status == Dataset.Status.PUBLISHED
    assert Resource.objects.get(uuid=rid).name == "credit.csv"


def test_a_replacement_with_personal_data_or_a_broken_file_changes_nothing(
    catalogue: Any, client: Client
) -> None:
    token = _token(catalogue.world.officer)
    resource = catalogue.table
    before = (resource.file.name, resource.row_count, list(resource.rows.values_list("data")))
    for upload, expected in (
        (SimpleUploadedFile("people.csv", personal_csv()), "身份证号码"),
        (SimpleUploadedFile("broken.xlsx", b"this is not excel"), "broken.xlsx"),
    ):
        response = client.post(
            "/api/3/action/resource_update",
            {"id": str(resource.uuid), "name": "替换", "upload": upload},
            HTTP_AUTHORIZATION=token,
        )
        assert response.status_code == 409
        assert expected in response.json()["error"]["upload"][0]
    resource.refresh_from_db()
    after = (resource.file.name, resource.row_count, list(resource.rows.values_list("data")))
    assert after == before and resource.name == "credit.csv"


def test_bad_resource_input_names_the_field(catalogue: Any, client: Client) -> None:
    token = _token(catalogue.world.officer)
    rid = str(catalogue.table.uuid)
    cases = [
        ("resource_patch", {"id": rid, "format": "PDF"}, "format"),
        ("resource_patch", {"id": rid, "name": ""}, "name"),
        ("resource_patch", {"id": rid, "name": ["a"]}, "name"),
        ("resource_update", {"id": rid, "package_id": "bus-stops"}, "package_id"),
        ("resource_patch", {"id": rid, "url": "not a url"}, "url"),
        ("resource_patch", {"id": rid, "upload": "text, not a file"}, "upload"),
        ("resource_delete", {}, "id"),
        ("package_delete", {}, "id"),
    ]
    for action, data, field in cases:
        response = _call(client, action, data, token=token)
        assert response.status_code == 409, (action, data)
        error = response.json()["error"]
        assert error["__type"] == "Validation Error" and field in error, (action, error)
    for ref in ("no-such", "00000000-zzzz-0000-0000-000000000000"):
        assert _call(client, "resource_delete", {"id": ref}, token=token).status_code == 404
    assert _call(client, "package_delete", {"id": "no-such"}, token=token).status_code == 404
    resource = Resource.objects.get(uuid=rid)
    assert (resource.name, resource.format, resource.kind) == ("credit.csv", "CSV", "file")


def test_datastore_filters_take_lists_and_bad_filters_name_the_parameter(
    catalogue: Any, client: Client
) -> None:
    rid = str(catalogue.zoned_table.uuid)
    grant_for(catalogue, catalogue.researcher, catalogue.zoned)
    token = _token(catalogue.researcher)
    query = {
        "resource_id": rid,
        "filters": json.dumps({"区县": ["东城区", "朝阳区"], "达标": "是"}),
    }
    got = client.get("/api/3/action/datastore_search", query, HTTP_AUTHORIZATION=token).json()
    assert [r["区县"] for r in got["result"]["records"]] == ["东城区", "朝阳区"]
    logged = AccessLog.objects.filter(resource=catalogue.zoned_table).count()
    for data, field in (
        ({"filters": {"颜色": "红"}}, "filters"),
        ({"filters": {"区县": []}}, "filters"),
        ({"filters": {"区县": {"in": ["东城区"]}}}, "filters"),
        ({"filters": {"人口": ["很多"]}}, "filters"),
        ({"fields": ["区县", "颜色"]}, "fields"),
        ({"sort": "颜色 desc"}, "sort"),
        ({"sort": "人口 sideways"}, "sort"),
    ):
        response = _call(client, "datastore_search", {"resource_id": rid, **data}, token=token)
        assert response.status_code == 409, data
        assert list(response.json()["error"]) == ["__type", field], data
    # refused queries leave no access-log entry
    assert AccessLog.objects.filter(resource=catalogue.zoned_table).count() == logged
