"""Pages: browse, search, detail, apply, review, download, table, stats, keys, exports."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from django.test import Client
from django.utils import timezone

from ceyuan.opendata import services
from ceyuan.opendata.models import AccessLog, Application, Grant

from .conftest import grant_for


def test_catalogue_page_searches_in_chinese_with_facets(catalogue: Any, client: Client) -> None:
    page = client.get("/data/", {"q": "公交"}).content.decode()
    assert "北京市公交站点数据" in page and "企业信用评价数据" not in page
    page = client.get("/data/", {"zone": "finance"}).content.decode()
    assert "企业信用评价数据" in page and "北京市公交站点数据" not in page
    assert "城市电网拓扑数据" not in client.get("/data/").content.decode()


def test_not_open_dataset_page_is_404_for_the_public(catalogue: Any, client: Client) -> None:
    assert client.get("/data/datasets/grid-topology/").status_code == 404
    client.force_login(catalogue.world.member)
    assert client.get("/data/datasets/grid-topology/").status_code == 200


def test_apply_review_download_flow(catalogue: Any, client: Client) -> None:
    resource = catalogue.table
    download = f"/data/resources/{resource.uuid}/download/"
    client.force_login(catalogue.researcher)
    assert client.get(download).status_code == 403
    today = timezone.localdate()
    response = client.post(
        "/data/datasets/enterprise-credit/apply/",
        {
            "purpose": "信用研究",
            "scope": "全部",
            "period_start": today,
            "period_end": today + dt.timedelta(days=30),
            "security_commitment": "内网",
            "agreement_accepted": "on",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/data/applications/{application.pk}/"
    assert (
        client.post(f"/data/applications/{application.pk}/", {"decision": "approve"}).status_code
        == 403
    )
    officer = Client()
    officer.force_login(catalogue.world.officer)
    assert "企业信用评价数据" in officer.get("/data/applications/").content.decode()
    officer.post(f"/data/applications/{application.pk}/", {"decision": "approve"})
    assert Grant.objects.get().grantee == catalogue.researcher
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("区县".encode())
    assert AccessLog.objects.filter(action="download", user=catalogue.researcher).count() == 1
    stats = officer.get("/data/datasets/enterprise-credit/stats/").content.decode()
    assert "researcher" in stats
    assert client.get("/data/datasets/enterprise-credit/stats/").status_code == 403


def test_the_apply_page_of_an_open_dataset_says_there_is_nothing_to_apply_for(
    catalogue: Any, client: Client
) -> None:
    client.force_login(catalogue.researcher)
    response = client.get("/data/datasets/bus-stops/apply/")
    assert response.status_code == 302 and response["Location"] == "/data/datasets/bus-stops/"
    assert "有条件开放" in client.get(response["Location"]).content.decode()


def test_refusal_needs_reasons(catalogue: Any, client: Client) -> None:
    today = timezone.localdate()
    from ceyuan.opendata import applications

    application = applications.application_submit(
        actor=catalogue.researcher,
        dataset=catalogue.restricted,
        purpose="p",
        scope="s",
        period_start=today,
        period_end=today + dt.timedelta(days=3),
        security_commitment="c",
        agreement_accepted=True,
    )
    client.force_login(catalogue.world.officer)
    page = client.post(
        f"/data/applications/{application.pk}/", {"decision": "refuse", "reasons": ""}
    )
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"


def test_table_page_filters_and_logs(catalogue: Any, client: Client) -> None:
    public_table = catalogue.public.resources.get()
    page = client.get(
        f"/data/resources/{public_table.uuid}/", {"f.区县": "西城区"}
    ).content.decode()
    assert "西城区" in page and "朝阳区" not in page
    assert AccessLog.objects.filter(action="preview").count() == 1
    assert client.get(f"/data/resources/{catalogue.table.uuid}/").status_code == 403


def test_table_pages_show_true_false_as_yes_no_and_take_1_as_true(
    catalogue: Any, client: Client
) -> None:
    resource = services.resource_create(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        content="站点,开放\n西单,是\n国贸,否\n".encode(),
        filename="open.csv",
    )
    url = f"/data/resources/{resource.uuid}/"
    page = client.get(url, {"f.开放": "1"}).content.decode()
    assert "<td>是</td>" in page and "西单" in page and "国贸" not in page and "True" not in page
    english = client.get(url, {"lang": "en"}).content.decode()
    assert "<td>yes</td>" in english and "<td>no</td>" in english
    past_the_end = client.get(url, {"page": "999"}).content.decode()
    assert "西单" in past_the_end  # the last page, not an empty table


def test_publisher_uploads_a_gbk_csv_and_a_corrupt_file_is_refused(
    catalogue: Any, client: Client
) -> None:
    client.force_login(catalogue.world.officer)
    good = io.BytesIO("站点,线路数\n天安门东,12\n".encode("gbk"))
    good.name = "stops2.csv"
    assert (
        client.post(
            "/data/datasets/bus-stops/resources/new/", {"upload": good, "name": "站点2"}
        ).status_code
        == 302
    )
    resource = catalogue.public.resources.get(name="站点2")
    assert resource.encoding == "gbk" and resource.row_count == 1
    bad = io.BytesIO(b"\x00\x01\x02")
    bad.name = "x.csv"
    page = client.post("/data/datasets/bus-stops/resources/new/", {"upload": bad})
    assert page.status_code == 200 and "x.csv" in page.content.decode()
    assert catalogue.public.resources.count() == 2


def test_dataset_create_page(catalogue: Any, client: Client) -> None:
    client.force_login(catalogue.world.officer)
    response = client.post(
        "/data/datasets/new/",
        {
            "name": "noise",
            "title_zh": "噪声监测",
            "publisher": catalogue.world.department.pk,
            "opening_level": "public",
            "security_grade": "important",
            "frequency": "MONTHLY",
            "licence": "CC-BY-4.0",
            "keywords": "噪声，环境",
        },
    )
    assert response.status_code == 302
    from ceyuan.opendata.models import Dataset

    noise = Dataset.objects.get(name="noise")
    assert noise.access == "restricted" and noise.keywords == ["噪声", "环境"]


def test_api_key_download_is_rate_limited(catalogue: Any, client: Client) -> None:
    from ceyuan.opendata import services

    _key, raw = services.api_key_create(actor=catalogue.researcher, name="script", rate_limit=2)
    url = f"/data/resources/{catalogue.public.resources.get().uuid}/download/"
    assert client.get(url, HTTP_AUTHORIZATION=raw).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=raw).status_code == 429
    assert AccessLog.objects.filter(api_key__isnull=False).count() == 2
    assert client.get(url, HTTP_AUTHORIZATION="od_abcdefabcdef_wrong").status_code == 403


def test_key_bound_to_an_application_reads_only_that_dataset(catalogue: Any) -> None:
    import pytest
    from django.core.exceptions import PermissionDenied

    from ceyuan.opendata import services

    grant = grant_for(catalogue, catalogue.researcher, catalogue.restricted)
    key, _raw = services.api_key_create(
        actor=catalogue.researcher, name="bound", application=grant.application
    )
    services.data_read(
        user=catalogue.researcher,
        dataset=catalogue.restricted,
        action="api_read",
        channel="api",
        api_key=key,
    )
    with pytest.raises(PermissionDenied):
        services.data_read(
            user=catalogue.researcher,
            dataset=catalogue.public,
            action="api_read",
            channel="api",
            api_key=key,
        )


def test_training_dataset_card_and_export(catalogue: Any, client: Client) -> None:
    from ceyuan.opendata import services

    services.training_card_set(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        intended_use="站点推荐模型训练",
        known_limits="仅含城区",
    )
    for fmt, suffix in (("jsonl", ".jsonl"), ("parquet", ".parquet")):
        response = client.get("/data/datasets/bus-stops/training.zip", {"format": fmt})
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        card = json.loads(archive.read("dataset_card.json"))
        assert card["intended_use"] == "站点推荐模型训练"
        shards = [n for n in archive.namelist() if n.endswith(suffix)]
        assert shards
        if fmt == "jsonl":
            first = json.loads(archive.read(shards[0]).decode().splitlines()[0])
            assert first["区县"] == "东城区"
        else:
            import pyarrow.parquet as pq

            assert pq.read_table(io.BytesIO(archive.read(shards[0]))).num_rows == 3
    assert AccessLog.objects.filter(action="export").count() == 2
    assert client.get("/data/datasets/enterprise-credit/training.zip").status_code == 400


def test_zones_plan_and_keys_pages_render(catalogue: Any, client: Client) -> None:
    assert "交通专区" in client.get("/data/zones/").content.decode()
    assert client.get("/data/plan/").status_code == 200
    assert client.get("/data/indicators.json").json()["opendata_active_grants"] == 0
    client.force_login(catalogue.researcher)
    page = client.post("/data/keys/", {"name": "k", "rate_limit": 30}).content.decode()
    assert "od_" in page


def test_publisher_adds_an_opening_plan_item_on_the_plan_page(
    catalogue: Any, client: Client
) -> None:
    client.force_login(catalogue.world.officer)
    year = timezone.localdate().year
    response = client.post(
        "/data/plan/",
        {
            "organisation": catalogue.world.department.pk,
            "year": year,
            "title": "公交站点",
            "opening_level": "public",
            "due": f"{year}-12-31",
            "dataset": "bus-stops",
        },
    )
    assert response.status_code == 302
    page = client.get("/data/plan/").content.decode()
    assert "公交站点" in page and "100.0%" in page


def test_upload_with_a_schema_lists_each_bad_row(catalogue: Any, client: Client) -> None:
    client.force_login(catalogue.world.officer)
    upload = io.BytesIO("区县,人口\n东城区,70\n西城区,很多\n,12\n".encode())
    upload.name = "pop.csv"
    schema = json.dumps(
        [{"name": "区县", "type": "string", "required": True}, {"name": "人口", "type": "number"}]
    )
    page = client.post(
        "/data/datasets/bus-stops/resources/new/", {"upload": upload, "schema": schema}
    )
    text = page.content.decode()
    assert page.status_code == 200
    # the parser's problems are shown translated, with file, row and field
    assert "pop.csv：第 2 行，字段“人口”：“很多”不是数值" in text
    assert "第 3 行，字段“区县”：必须填写" in text
    assert catalogue.public.resources.count() == 1


def test_pages_show_english_titles_when_english_is_chosen(catalogue: Any, client: Client) -> None:
    client.cookies["ceyuan_language"] = "en"
    page = client.get("/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Public data catalogue" in page and "Beijing bus stops" in page
    page = client.get("/data/datasets/bus-stops/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Effective access" in page and "Unconditional" in page


def test_anonymous_visitors_download_unconditional_data_and_are_logged(
    catalogue: Any, client: Client
) -> None:
    resource = catalogue.public.resources.get()
    response = client.get(f"/data/resources/{resource.uuid}/download/")
    assert response.status_code == 200
    entry = AccessLog.objects.get(action="download")
    assert entry.user is None and entry.resource == resource and entry.channel == "web"


def test_publisher_edits_a_dataset_and_others_cannot(catalogue: Any) -> None:
    from django.urls import reverse

    from ceyuan.audit.models import AuditEntry

    dataset = catalogue.public
    url = reverse("opendata:dataset-edit", args=[dataset.name])
    outsider = Client()
    outsider.force_login(catalogue.world.outsider_officer)
    assert outsider.get(url).status_code == 403
    officer = Client()
    officer.force_login(catalogue.world.officer)
    form = officer.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(title_en="Beijing bus stops (2025)", themes=data.get("themes", []))
    response = officer.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    dataset.refresh_from_db()
    assert dataset.title_en == "Beijing bus stops (2025)" and dataset.name == "bus-stops"
    change = AuditEntry.objects.filter(action="opendata.dataset.update").first()
    assert change is not None and "title_en" in change.changes
