"""The REST API under /api/v1/opendata/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from ceyuan.accounts import services as account_services
from ceyuan.opendata import services
from ceyuan.opendata.models import AccessLog, Dataset

from .conftest import grant_for

BASE = "/api/v1/opendata"


def _auth(user: Any) -> dict[str, str]:
    _t, raw = account_services.token_create(actor=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_dataset_list_searches_and_hides_not_open(catalogue: Any, client: Client) -> None:
    body = client.get(f"{BASE}/datasets/", {"q": "交通"}).json()
    assert {d["name"] for d in body["results"]} == {"bus-stops", "taxi-trips"}
    assert "grid-topology" not in {
        d["name"] for d in client.get(f"{BASE}/datasets/").json()["results"]
    }
    assert client.get(f"{BASE}/datasets/grid-topology/").status_code == 404


def test_create_and_update_through_the_api(catalogue: Any, client: Client) -> None:
    headers = _auth(catalogue.world.officer)
    response = client.post(
        f"{BASE}/datasets/",
        {
            "name": "water",
            "title_zh": "供水数据",
            "publisher": "kjw",
            "opening_level": "public",
            "security_grade": "important",
            "keywords": ["供水"],
            "themes": ["traffic"],
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["access"] == "restricted"
    response = client.patch(
        f"{BASE}/datasets/water/", {"title_en": "Water"}, content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["title_en"] == "Water"
    duplicate = client.post(
        f"{BASE}/datasets/",
        {"name": "water", "title_zh": "x", "publisher": "kjw", "opening_level": "public"},
        content_type="application/json",
        **headers,
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()["error"]["fields"]
    outsider = client.patch(
        f"{BASE}/datasets/water/",
        {"title_en": "X"},
        content_type="application/json",
        **_auth(catalogue.world.outsider_officer),
    )
    assert outsider.status_code == 403
    assert Dataset.objects.get(name="water").title_en == "Water"


def test_application_approval_and_rows_through_the_api(catalogue: Any, client: Client) -> None:
    researcher = _auth(catalogue.researcher)
    rows_url = f"{BASE}/datasets/enterprise-credit/rows/"
    assert client.get(rows_url, **researcher).status_code == 403
    today = timezone.localdate()
    response = client.post(
        f"{BASE}/applications/",
        {
            "dataset": "enterprise-credit",
            "purpose": "研究",
            "scope": "全部",
            "period_start": str(today),
            "period_end": str(today + dt.timedelta(days=10)),
            "security_commitment": "内网",
            "agreement_accepted": True,
        },
        content_type="application/json",
        **researcher,
    )
    assert response.status_code == 201, response.content
    application_id = response.json()["id"]
    officer = _auth(catalogue.world.officer)
    assert (
        client.post(
            f"{BASE}/applications/{application_id}/approve/",
            {},
            content_type="application/json",
            **researcher,
        ).status_code
        == 403
    )
    grant = client.post(
        f"{BASE}/applications/{application_id}/approve/",
        {},
        content_type="application/json",
        **officer,
    ).json()
    assert grant["is_valid"] is True
    body = client.get(rows_url, {"区县": "东城区"}, **researcher).json()
    assert body["total"] == 1 and body["records"][0]["人口"] == 70.4
    assert AccessLog.objects.filter(channel="api", user=catalogue.researcher).count() == 1
    revoked = client.post(
        f"{BASE}/grants/{grant['id']}/revoke/",
        {"reason": "到期前终止"},
        content_type="application/json",
        **officer,
    )
    assert revoked.json()["is_valid"] is False
    assert client.get(rows_url, **researcher).status_code == 403


def test_data_api_key_works_on_the_rest_api(catalogue: Any, client: Client) -> None:
    from ceyuan.opendata import services

    grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    _key, raw = services.api_key_create(actor=catalogue.researcher, name="k", rate_limit=1)
    url = f"{BASE}/datasets/enterprise-credit/rows/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 429
    assert AccessLog.objects.get().api_key.name == "k"


def test_zone_operator_publishes_a_derived_product_through_the_api(
    catalogue: Any, client: Client
) -> None:
    headers = _auth(catalogue.operator)
    body = {
        "name": "taxi-heat",
        "title_zh": "出租车热力",
        "publisher": "bdg",
        "opening_level": "public",
        "zone": "transport",
        "derived_from": ["taxi-trips"],
    }
    response = client.post(f"{BASE}/datasets/", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    assert response.json()["derived_from"] == ["taxi-trips"]
    outside = {**body, "name": "credit-heat", "zone": "finance", "derived_from": []}
    assert (
        client.post(
            f"{BASE}/datasets/", outside, content_type="application/json", **headers
        ).status_code
        == 403
    )


def test_data_api_keys_only_read(catalogue: Any) -> None:
    import json

    officer = catalogue.world.officer
    _key, raw = services.api_key_create(actor=officer, name="reader", rate_limit=100)
    client = Client()
    rest = client.post(
        "/api/v1/opendata/datasets/",
        {
            "name": "by-key",
            "title_zh": "经由密钥",
            "publisher": catalogue.world.department.pk,
            "opening_level": "public",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert rest.status_code == 403
    ckan = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "by-key", "owner_org": catalogue.world.department.code}),
        content_type="application/json",
        HTTP_AUTHORIZATION=raw,
    )
    assert ckan.status_code == 403 and ckan.json()["success"] is False
    assert (
        client.get("/api/v1/opendata/datasets/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )
    assert not Dataset.objects.filter(name="by-key").exists()


def test_hidden_sources_of_a_derived_dataset_stay_hidden(catalogue: Any) -> None:
    from .conftest import make_dataset

    officer = catalogue.world.officer
    derived = make_dataset(
        officer,
        catalogue.world.department,
        "grid-summary",
        "public",
        derived_from=[catalogue.secret, catalogue.public],
    )
    public_view = Client().get(f"/api/v1/opendata/datasets/{derived.name}/").json()
    assert public_view["derived_from"] == ["bus-stops"]
    insider = Client()
    insider.force_login(officer)
    inside_view = insider.get(f"/api/v1/opendata/datasets/{derived.name}/").json()
    assert sorted(inside_view["derived_from"]) == ["bus-stops", "grid-topology"]


def test_rows_filters_reach_any_field_and_refused_queries_are_not_logged(
    catalogue: Any, client: Client
) -> None:
    import json

    resource = services.resource_create(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        content=b"sort,limit,2023\n1,10,a\n2,20,b\n3,30,a\n",
        filename="params.csv",
    )
    url = f"{BASE}/datasets/{catalogue.public.name}/rows/"
    query = {"resource": str(resource.uuid)}

    def ids(**params: Any) -> list[int]:
        response = client.get(url, {**query, **params})
        assert response.status_code == 200, response.json()
        return [r["_id"] for r in response.json()["records"]]

    assert ids(filters=json.dumps({"sort": 2})) == [2]  # a field named like a parameter
    assert ids(filters=json.dumps({"limit": [10, 30]}), sort="sort desc") == [3, 1]
    assert client.get(url, {**query, "2023": ["a", "b"]}).json()["total"] == 3  # repeated: any
    assert ids(**{"2023": "a"}) == [1, 3]
    logged = AccessLog.objects.count()
    for bad in ({"filters": "[1]"}, {"filters": "{"}, {"offset": "-1"}, {"nope": "1"}):
        assert client.get(url, {**query, **bad}).status_code == 400, bad
    assert AccessLog.objects.count() == logged
