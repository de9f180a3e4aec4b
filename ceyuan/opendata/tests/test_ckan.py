"""The CKAN Action API: envelope, errors as CKAN returns them, and the real ckanapi client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ceyuan.opendata.models import AccessLog, Dataset

from .ckan_helpers import api_token, named_file, transport_officer
from .ckan_helpers import call as _call
from .conftest import grant_for


@pytest.fixture
def token(catalogue: Any) -> str:
    return api_token(catalogue.world.officer)


def test_package_search_returns_ckans_envelope_with_facets(catalogue: Any, client: Client) -> None:
    response = _call(
        client,
        "package_search",
        {
            "q": "交通",
            "fq": "res_format:CSV",
            "facet.field": '["organization","groups","tags","zone"]',
            "rows": 1,
            "sort": "name asc",
        },
        method="get",
    )
    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    assert body["help"].endswith("help_show?name=package_search")
    result = body["result"]
    assert result["count"] == 2 and [p["name"] for p in result["results"]] == ["bus-stops"]
    assert result["facets"]["zone"] == {"transport": 2}
    assert result["search_facets"]["groups"]["items"][0]["name"] == "traffic"
    assert result["facets"]["tags"] == {"公交": 1, "交通": 1}


def test_fq_on_organization_and_pagination(catalogue: Any, client: Client) -> None:
    body = _call(client, "package_search", {"fq": "organization:kjw", "rows": 2, "start": 2}).json()
    assert body["result"]["count"] == 3 and len(body["result"]["results"]) == 1


def test_not_open_datasets_are_not_found_for_the_public(
    catalogue: Any, client: Client, token: str
) -> None:
    response = _call(client, "package_show", {"id": "grid-topology"})
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"
    assert "grid-topology" not in _call(client, "package_list").json()["result"]
    assert _call(client, "package_show", {"id": "grid-topology"}, token=token).status_code == 200


def test_datastore_search_needs_a_grant_for_conditional_data(
    catalogue: Any, client: Client
) -> None:
    rid = str(catalogue.table.uuid)
    response = _call(client, "datastore_search", {"resource_id": rid})
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"
    grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    raw = api_token(catalogue.researcher, "r")
    body = _call(
        client,
        "datastore_search",
        {"resource_id": rid, "filters": {"达标": "是"}, "sort": "人口 desc", "limit": 1},
        token=raw,
    ).json()
    assert body["result"]["total"] == 2
    assert body["result"]["records"] == [
        {"_id": 3, "区县": "朝阳区", "年份": 2023, "人口": 344.2, "达标": True}
    ]
    log = AccessLog.objects.get(dataset=catalogue.restricted)
    assert (log.user, log.channel, log.action) == (catalogue.researcher, "ckan", "datastore")


def test_datastore_info_gives_fields_and_count_to_those_who_may_read_the_data(
    catalogue: Any, client: Client
) -> None:
    rid = str(catalogue.table.uuid)
    refused = _call(client, "datastore_info", {"id": rid})
    assert refused.status_code == 403
    grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    result = _call(
        client, "datastore_info", {"id": rid}, token=api_token(catalogue.researcher, "r")
    ).json()["result"]
    assert result["meta"]["count"] == 3 and result["meta"]["id"] == rid
    assert [(f["id"], f["type"]) for f in result["fields"]] == [
        ("区县", "text"),
        ("年份", "int"),
        ("人口", "numeric"),
        ("达标", "bool"),
    ]
    assert not AccessLog.objects.filter(dataset=catalogue.restricted).exists()  # not a data read
    missing = _call(client, "datastore_info", {"id": "no-such-resource"})
    assert missing.status_code == 404


def test_errors_use_ckans_types_and_statuses(catalogue: Any, client: Client, token: str) -> None:
    bad_json = client.post(
        "/api/3/action/package_show", "{not json", content_type="application/json"
    )
    assert bad_json.status_code == 400 and bad_json.json()["success"] is False
    unknown = _call(client, "package_explode")
    assert (
        unknown.status_code == 400 and "Action name not known" in unknown.json()["error"]["message"]
    )
    missing = _call(client, "package_show", {})
    assert missing.status_code == 409 and missing.json()["error"] == {
        "__type": "Validation Error",
        "id": ["Missing value"],
    }
    assert _call(client, "package_search", {"rows": "many"}).status_code == 409
    assert (
        _call(client, "package_search", {"fq": "colour:red"}).json()["error"]["__type"]
        == "Search Query Error"
    )
    anonymous_write = _call(client, "package_create", {"name": "x1", "owner_org": "kjw"})
    assert anonymous_write.status_code == 403
    bad_token = _call(client, "package_list", token="cy_000000000000_nope")
    assert bad_token.status_code == 403


def test_invalid_create_is_a_validation_error_and_changes_nothing(
    catalogue: Any, client: Client, token: str
) -> None:
    before = Dataset.objects.count()
    duplicate = _call(
        client,
        "package_create",
        {"name": "bus-stops", "title": "重复", "owner_org": "kjw"},
        token=token,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["__type"] == "Validation Error"
    assert duplicate.json()["error"]["name"] == ["That URL is already in use."]
    upper = _call(client, "package_create", {"name": "Bad Name", "owner_org": "kjw"}, token=token)
    assert upper.status_code == 409 and "lowercase" in upper.json()["error"]["name"][0]
    bad_resource = _call(
        client,
        "package_create",
        {"name": "ok-name", "owner_org": "kjw", "resources": [{"name": "no url"}]},
        token=token,
    )
    assert bad_resource.status_code == 409
    other_org = _call(client, "package_create", {"name": "theirs", "owner_org": "jxj"}, token=token)
    assert other_org.status_code == 403
    assert Dataset.objects.count() == before


def test_a_corrupt_upload_through_resource_create_is_refused(
    catalogue: Any, client: Client, token: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("broken.xlsx", b"this is not excel")
    response = client.post(
        "/api/3/action/resource_create",
        {"package_id": "bus-stops", "upload": upload},
        HTTP_AUTHORIZATION=token,
    )
    assert response.status_code == 409
    assert "broken.xlsx" in response.json()["error"]["upload"][0]
    assert catalogue.public.resources.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_ckanapi_client_lists_searches_shows_creates_updates_and_reads_a_table(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    import ckanapi

    from ceyuan.opendata import services

    settings.MEDIA_ROOT = tmp_path
    dept, officer = transport_officer()
    services.theme_create(actor=None, code="traffic", title_zh="交通出行")
    services.dataset_create(
        actor=officer,
        name="road-works",
        title_zh="道路施工信息",
        publisher=dept,
        opening_level="public",
        keywords=["道路"],
    )
    raw = api_token(officer, "ckanapi")

    with ckanapi.RemoteCKAN(live_server.url, apikey=raw) as ckan:
        # The client unchanged: ckanapi talks to /api/action/, as it does to CKAN itself.
        assert ckan.action.package_list() == ["road-works"]
        assert ckan.action.organization_list() == ["jtw"]
        assert ckan.action.group_list() == ["traffic"]
        created = ckan.action.package_create(
            name="parking-lots",
            title="停车场实时泊位",
            notes="全市公共停车场泊位",
            owner_org="jtw",
            tags=[{"name": "停车"}],
            groups=[{"name": "traffic"}],
            extras=[{"key": "opening_level", "value": "public"}],
        )
        assert created["organization"]["name"] == "jtw"
        resource = ckan.action.resource_create(
            package_id=created["id"],
            name="泊位表",
            upload=named_file("lots.csv", "名称,泊位\n西单,120\n国贸,80\n".encode("gbk")),
        )
        assert resource["datastore_active"] is True
        updated = ckan.action.package_update(id=created["id"], title="停车场泊位", version="2.0")
        assert updated["title"] == "停车场泊位" and updated["version"] == "2.0"
        found = ckan.action.package_search(q="停车场", facet__field=None)
        assert [p["name"] for p in found["results"]] == ["parking-lots"]
        shown = ckan.action.package_show(id="parking-lots")
        assert shown["tags"][0]["name"] == "停车" and shown["num_resources"] == 1
        assert ckan.action.resource_show(id=resource["id"])["format"] == "CSV"
        assert ckan.action.tag_list() == ["停车", "道路"]
        table = ckan.action.datastore_search(resource_id=resource["id"], sort="泊位 desc")
        assert table["total"] == 2 and table["records"][0]["名称"] == "西单"
        assert ckan.action.organization_show(id="jtw")["package_count"] == 2
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-dataset")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_create(name="parking-lots", owner_org="jtw")

    with ckanapi.RemoteCKAN(live_server.url) as anonymous, pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_create(name="anon-data", owner_org="jtw")


def test_package_search_match_all_beside_field_terms_matches_what_they_allow(
    catalogue: Any, client: Client
) -> None:
    org = catalogue.public.publisher.code

    def count(**params: str) -> int:
        return int(_call(client, "package_search", params, method="get").json()["result"]["count"])

    expected = count(fq=f"organization:{org}")
    assert expected > 0
    for q in (f"*:* AND organization:{org}", f"organization:{org} *", f"text:* organization:{org}"):
        assert count(q=q) == expected, q
    assert count(q="%") == 0  # nothing searchable: nothing found


def test_package_search_includes_not_open_datasets_only_when_asked(
    catalogue: Any, client: Client, token: str
) -> None:
    plain = _call(client, "package_search", {"q": "电网"}, token=token).json()["result"]
    assert plain["count"] == 0
    private = _call(client, "package_search", {"q": "电网", "include_private": True}, token=token)
    assert [p["name"] for p in private.json()["result"]["results"]] == ["grid-topology"]
    anonymous = _call(client, "package_search", {"q": "电网", "include_private": True})
    assert anonymous.json()["result"]["count"] == 0


def test_write_actions_need_post(catalogue: Any, client: Client, token: str) -> None:
    response = _call(
        client, "package_create", {"name": "via-get", "owner_org": "kjw"}, token=token, method="get"
    )
    assert response.status_code == 400
    assert not Dataset.objects.filter(name="via-get").exists()
