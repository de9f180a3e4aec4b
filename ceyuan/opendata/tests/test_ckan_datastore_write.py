"""CKAN datastore writes — datastore_create, datastore_upsert, datastore_delete: through the real
ckanapi client, who may call them, what bad input is told, and that a refused batch (bad value,
personal data) writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from ceyuan.audit.models import AuditEntry
from ceyuan.opendata import selectors, services, tablestore, tabular
from ceyuan.opendata.models import Resource, TableColumn, TableRow

from .ckan_helpers import api_token as _token
from .ckan_helpers import call as _call
from .ckan_helpers import transport_dataset

FIELDS = [
    {"id": "编号", "type": "int"},
    {"id": "名称", "type": "text"},
    {"id": "泊位", "type": "int"},
    {"id": "开放", "type": "bool"},
    {"id": "更新", "type": "date"},
]


def _endpoint(actor: Any, dataset: Any) -> Resource:
    return services.resource_create(
        actor=actor, dataset=dataset, name="实时泊位", url="https://api.example.cn/parking"
    )


def _lots(actor: Any, dataset: Any, *, primary_key: tuple[str, ...] = ("编号",)) -> Resource:
    """An API endpoint resource with a table of two parking lots, keyed by 编号."""
    resource = _endpoint(actor, dataset)
    tablestore.datastore_create(
        actor=actor,
        resource=resource,
        columns=[
            tabular.Column(name="编号", type="integer"),
            tabular.Column(name="名称", type="string"),
            tabular.Column(name="泊位", type="integer"),
        ],
        records=[{"编号": 1, "名称": "西单", "泊位": 120}, {"编号": 2, "名称": "国贸", "泊位": 80}],
        primary_key=primary_key,
    )
    resource.refresh_from_db()
    return resource


def _rows(resource: Resource) -> list[tuple[int, dict[str, Any]]]:
    return list(TableRow.objects.filter(resource=resource).values_list("number", "data"))


@pytest.mark.django_db(transaction=True)
def test_the_ckanapi_client_creates_upserts_and_deletes_datastore_rows(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    import ckanapi

    settings.MEDIA_ROOT = tmp_path
    officer, dataset = transport_dataset("parking-live", "实时泊位")
    rid = str(_endpoint(officer, dataset).uuid)

    with ckanapi.RemoteCKAN(live_server.url, apikey=_token(officer)) as ckan:
        created = ckan.action.datastore_create(
            resource_id=rid,
            fields=FIELDS,
            primary_key=["编号"],
            records=[
                {"编号": 1, "名称": "西单", "泊位": 120, "开放": True, "更新": "2024-05-01"},
                {"编号": 2, "名称": "国贸", "泊位": "80", "开放": "否"},
            ],
        )
        assert created["resource_id"] == rid and created["primary_key"] == ["编号"]
        assert [(f["id"], f["type"]) for f in created["fields"]] == [
            ("编号", "int"),
            ("名称", "text"),
            ("泊位", "int"),
            ("开放", "bool"),
            ("更新", "date"),
        ]
        assert ckan.action.resource_show(id=rid)["datastore_active"] is True
        table = ckan.action.datastore_search(resource_id=rid)
        assert [(r["_id"], r["泊位"], r["开放"]) for r in table["records"]] == [
            (1, 120, True),
            (2, 80, False),  # converted by column type, as an upload is
        ]

        # upsert (the default): key 2 is updated in place and keeps its _id; key 3 is new
        upserted = ckan.action.datastore_upsert(
            resource_id=rid,
            records=[{"编号": 2, "泊位": "95"}, {"编号": 3, "名称": "三里屯", "泊位": 60}],
            include_records=True,
        )
        assert upserted["method"] == "upsert"
        assert [(r["_id"], r["编号"], r["泊位"]) for r in upserted["records"]] == [
            (2, 2, 95),
            (3, 3, 60),
        ]
        ckan.action.datastore_upsert(
            resource_id=rid, method="insert", records=[{"编号": 4, "名称": "望京", "泊位": 40}]
        )
        ckan.action.datastore_upsert(
            resource_id=rid, method="update", records=[{"编号": 1, "开放": False}]
        )
        table = ckan.action.datastore_search(resource_id=rid, sort="_id")
        assert [(r["_id"], r["名称"], r["泊位"], r["开放"]) for r in table["records"]] == [
            (1, "西单", 120, False),
            (2, "国贸", 95, False),
            (3, "三里屯", 60, None),
            (4, "望京", 40, None),
        ]

        # datastore_create on an existing table adds fields and appends records, as CKAN does
        extended = ckan.action.datastore_create(
            resource_id=rid,
            fields=[{"id": "区县", "type": "text", "info": {"notes": "所在区"}}],
            records=[{"编号": 5, "名称": "五道口", "区县": "海淀区"}],
        )
        assert extended["fields"][-1] == {
            "id": "区县",
            "type": "text",
            "info": {"label": "区县", "notes": "所在区"},
        }
        assert extended["primary_key"] == ["编号"]
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_upsert(
                resource_id=rid, method="insert", records=[{"编号": 5, "名称": "重复"}]
            )

        deleted = ckan.action.datastore_delete(resource_id=rid, filters={"编号": [1, 3]})
        assert deleted == {"resource_id": rid, "filters": {"编号": [1, 3]}}
        table = ckan.action.datastore_search(resource_id=rid)
        assert [r["_id"] for r in table["records"]] == [2, 4, 5]  # row ids do not shift
        new = ckan.action.datastore_upsert(
            resource_id=rid, records=[{"编号": 6, "名称": "亦庄"}], include_records=True
        )
        assert new["records"][0]["_id"] == 6  # after the highest, so the order stays

        assert ckan.action.datastore_delete(resource_id=rid) == {"resource_id": rid}
        assert ckan.action.resource_show(id=rid)["datastore_active"] is False
        with pytest.raises(ckanapi.NotFound):
            ckan.action.datastore_search(resource_id=rid)
        assert not TableColumn.objects.filter(resource__uuid=rid).exists()

        # a new table without "fields" takes them from its records, typed by their values
        guessed = ckan.action.datastore_create(
            resource_id=rid, records=[{"名称": "西单", "泊位": 120, "均价": 7.5}]
        )
        assert [(f["id"], f["type"]) for f in guessed["fields"]] == [
            ("名称", "text"),
            ("泊位", "int"),
            ("均价", "numeric"),
        ]
        assert guessed["primary_key"] == []


def test_only_editors_of_the_dataset_may_write_its_datastore(
    catalogue: Any, client: Client
) -> None:
    world = catalogue.world
    resource = _lots(world.officer, catalogue.public)
    rid = str(resource.uuid)
    before = _rows(resource)
    calls = (
        ("datastore_create", {"resource_id": rid, "records": [{"编号": 9, "名称": "新"}]}),
        ("datastore_upsert", {"resource_id": rid, "records": [{"编号": 1, "泊位": 0}]}),
        ("datastore_delete", {"resource_id": rid, "filters": {"编号": 1}}),
        ("datastore_delete", {"resource_id": rid}),
    )
    _key, data_key = services.api_key_create(actor=world.officer, name="reader")
    tokens = [_token(u) for u in (world.member, world.outsider_officer, catalogue.researcher)]
    audited = AuditEntry.objects.count()
    for token in tokens:
        for action, data in calls:
            refused = _call(client, action, data, token=token)
            assert refused.status_code == 403, action
            assert refused.json()["error"]["__type"] == "Authorization Error"
    for action, data in calls:
        assert _call(client, action, data).status_code == 403  # anonymous
        assert _call(client, action, data, token=data_key).status_code == 403  # reads only
    assert _rows(resource) == before
    assert AuditEntry.objects.count() == audited
    # a dataset the caller cannot see is not found, not forbidden
    hidden = _lots(world.officer, catalogue.secret)
    outsider = _token(world.outsider_officer)
    missing = _call(client, "datastore_upsert", {"resource_id": str(hidden.uuid)}, token=outsider)
    assert missing.status_code == 404
    # the coordinator may write, as with every resource action
    allowed = _call(
        client,
        "datastore_upsert",
        {"resource_id": rid, "records": [{"编号": 1, "泊位": 100}]},
        token=_token(world.coordinator),
    )
    assert allowed.status_code == 200, allowed.json()
    assert TableRow.objects.get(resource=resource, number=1).data["泊位"] == 100


def test_the_table_of_an_uploaded_file_changes_only_with_a_new_file(
    catalogue: Any, client: Client
) -> None:
    token = _token(catalogue.world.officer)
    resource = catalogue.table
    rid = str(resource.uuid)
    before = _rows(resource)
    for action, data in (
        ("datastore_create", {"resource_id": rid, "fields": [{"id": "备注", "type": "text"}]}),
        ("datastore_upsert", {"resource_id": rid, "method": "insert", "records": [{"年份": 1}]}),
        ("datastore_delete", {"resource_id": rid}),
    ):
        response = _call(client, action, data, token=token)
        assert response.status_code == 409, action
        assert "credit.csv" in response.json()["error"]["resource_id"][0]
    resource.refresh_from_db()
    assert _rows(resource) == before and resource.datastore_active


def test_bad_datastore_input_names_the_field_or_the_record(catalogue: Any, client: Client) -> None:
    officer = catalogue.world.officer
    token = _token(officer)
    resource = _lots(officer, catalogue.public)
    rid = str(resource.uuid)
    keyless = str(_lots(officer, catalogue.public, primary_key=()).uuid)
    fresh = str(_endpoint(officer, catalogue.public).uuid)
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        (
            "datastore_create",
            {"resource_id": fresh, "fields": [{"id": "时刻", "type": "time"}]},
            "fields",
            '"时刻"',
        ),
        (
            "datastore_create",
            {"resource_id": fresh, "fields": [{"id": "_私有", "type": "text"}]},
            "fields",
            "_私有",
        ),
        (
            "datastore_create",
            {"resource_id": fresh, "fields": [{"type": "text"}]},
            "fields",
            "fields[0]",
        ),
        (
            "datastore_create",
            {"resource_id": fresh, "fields": [{"id": "甲"}, {"id": "甲"}]},
            "fields",
            "甲",
        ),
        (
            "datastore_create",
            {"resource_id": fresh, "fields": [{"id": "甲"}], "primary_key": "乙"},
            "primary_key",
            "乙",
        ),
        (
            "datastore_create",
            {"resource_id": rid, "fields": [{"id": "泊位", "type": "text"}]},
            "fields",
            "泊位",
        ),
        (
            "datastore_create",
            {"resource_id": rid, "primary_key": ["泊位"], "records": [{"编号": 7, "泊位": 80}]},
            "records",
            "80",
        ),
        ("datastore_create", {"resource": {"package_id": "bus-stops"}}, "resource", "resource_id"),
        ("datastore_create", {"resource_id": rid, "records": {"编号": 1}}, "records", "list"),
        (
            "datastore_upsert",
            {"resource_id": rid, "records": [{"编号": 3, "颜色": "红"}]},
            "records",
            "records[0]",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "records": [{"编号": 3, "泊位": 1}, {"编号": 4, "泊位": "很多"}]},
            "records",
            "records[1]",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "records": [{"名称": "无编号"}]},
            "records",
            "编号",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "records": [{"编号": 3, "名称": ["嵌", "套"]}]},
            "records",
            "名称",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "method": "update", "records": [{"编号": 99}]},
            "records",
            "99",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "method": "insert", "records": [{"编号": 1}]},
            "records",
            "records[0]",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "method": "replace", "records": []},
            "method",
            "replace",
        ),
        (
            "datastore_upsert",
            {"resource_id": keyless, "records": [{"编号": 1, "泊位": 0}]},
            "method",
            "upsert",
        ),
        ("datastore_delete", {"resource_id": rid, "filters": {"颜色": "红"}}, "filters", "颜色"),
        ("datastore_delete", {"resource_id": rid, "filters": {"编号": "一"}}, "filters", "编号"),
    ]
    for action, data, field, named in cases:
        response = _call(client, action, data, token=token)
        assert response.status_code == 409, (action, data, response.json())
        error = response.json()["error"]
        assert error["__type"] == "Validation Error" and field in error, (data, error)
        assert named in " ".join(map(str, error[field])), (data, error)
    # the second record's bad value is named by its index and field, in the caller's language
    english = client.post(
        "/api/3/action/datastore_upsert",
        json.dumps({"resource_id": rid, "records": [{"编号": 3}, {"编号": 4, "泊位": "很多"}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["error"]["records"] == [
        "records[1], field “泊位”: “很多” is not an integer"
    ]
    chinese = _call(
        client,
        "datastore_upsert",
        {"resource_id": rid, "records": [{"编号": 4, "泊位": "很多"}]},
        token=token,
    )
    assert chinese.json()["error"]["records"] == ["records[0]，字段“泊位”：“很多”不是整数"]
    for action in ("datastore_upsert", "datastore_delete"):
        assert _call(client, action, {"resource_id": fresh}, token=token).status_code == 404
        assert _call(client, action, {"resource_id": "no-such"}, token=token).status_code == 404
    assert [number for number, _data in _rows(resource)] == [1, 2]
    assert TableColumn.objects.filter(resource=resource, primary_key=True).count() == 1
    assert not Resource.objects.get(uuid=fresh).datastore_active


def test_a_batch_with_one_bad_record_writes_nothing(catalogue: Any, client: Client) -> None:
    officer = catalogue.world.officer
    token = _token(officer)
    resource = _lots(officer, catalogue.public)
    rid = str(resource.uuid)
    before = _rows(resource)
    audited = AuditEntry.objects.count()
    batch = [
        {"编号": 1, "泊位": 10},  # would update
        {"编号": 3, "名称": "三里屯"},  # would insert
        {"编号": 4, "泊位": "2024-05-01"},  # does not fit its column
    ]
    for method in ("upsert", "insert"):
        response = _call(
            client,
            "datastore_upsert",
            {"resource_id": rid, "records": batch, "method": method},
            token=token,
        )
        assert response.status_code == 409
    # an update of a missing key, after a record that would apply, is refused as a whole
    response = _call(
        client,
        "datastore_upsert",
        {"resource_id": rid, "method": "update", "records": [*batch[:1], {"编号": 77}]},
        token=token,
    )
    assert "77" in response.json()["error"]["records"][0]
    # a primary key that the stored rows do not fit is refused before anything is added
    response = _call(
        client,
        "datastore_create",
        {"resource_id": rid, "fields": [{"id": "区县"}], "primary_key": ["区县"]},
        token=token,
    )
    assert response.status_code == 409 and "primary_key" in response.json()["error"]
    resource.refresh_from_db()
    assert _rows(resource) == before and resource.row_count == 2
    assert list(resource.columns.values_list("name", "primary_key")) == [
        ("编号", True),
        ("名称", False),
        ("泊位", False),
    ]
    assert AuditEntry.objects.count() == audited


def test_personal_data_is_refused_through_the_datastore_api_too(
    catalogue: Any, client: Client
) -> None:
    officer = catalogue.world.officer
    token = _token(officer)
    resource = _lots(officer, catalogue.public)
    rid = str(resource.uuid)
    fresh = _endpoint(officer, catalogue.public)
    before = _rows(resource)
    audited = AuditEntry.objects.count()
    cases = [
        (
            "datastore_create",
            {
                "resource_id": str(fresh.uuid),
                "fields": [{"id": "联系人", "type": "text"}, {"id": "证件", "type": "text"}],
                "records": [{"联系人": "张伟", "证件": "110101199003074514"}],
            },
            "身份证号码",
        ),
        (
            "datastore_upsert",
            {"resource_id": rid, "records": [{"编号": 2, "名称": "国贸 联系 13812345678"}]},
            "手机号码",
        ),
        (
            "datastore_upsert",
            {
                "resource_id": rid,
                "method": "insert",
                "records": [
                    {"编号": 3, "名称": "三里屯"},
                    {"编号": 4, "名称": "管理员 360426199101010071"},
                ],
            },
            "身份证号码",
        ),
    ]
    for action, data, kind in cases:
        response = _call(client, action, data, token=token)
        assert response.status_code == 409, (action, response.json())
        message = response.json()["error"]["records"][0]
        assert kind in message and "实时泊位" in message
    fresh.refresh_from_db()
    assert not fresh.datastore_active and not fresh.columns.exists()
    assert _rows(resource) == before
    assert AuditEntry.objects.count() == audited


def test_datastore_writes_are_audited(catalogue: Any, client: Client) -> None:
    officer = catalogue.world.officer
    token = _token(officer)
    resource = _endpoint(officer, catalogue.public)
    rid = str(resource.uuid)
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "datastore_create",
            {
                "fields": FIELDS[:3],
                "primary_key": "编号",
                "records": [{"编号": 1, "名称": "西单", "泊位": 120}],
            },
        ),
        ("datastore_upsert", {"records": [{"编号": 1, "泊位": 110}, {"编号": 2, "名称": "国贸"}]}),
        ("datastore_delete", {"filters": {"名称": "国贸"}}),
        ("datastore_delete", {}),
    ]
    for action, data in steps:
        response = _call(client, action, {"resource_id": rid, **data}, token=token)
        assert response.status_code == 200, (action, response.json())
    entries = AuditEntry.objects.filter(
        object_type="opendata.resource", object_id=str(resource.pk), action__contains="datastore"
    ).order_by("seq")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("opendata.datastore.create", officer.pk),
        ("opendata.datastore.upsert", officer.pk),
        ("opendata.datastore.delete", officer.pk),
        ("opendata.datastore.delete", officer.pk),
    ]
    create, upsert, delete_rows, drop = (e.changes for e in entries)
    assert create == {
        "dataset": "bus-stops",
        "fields": ["编号", "名称", "泊位"],
        "primary_key": ["编号"],
        "inserted": 1,
    }
    assert (upsert["method"], upsert["inserted"], upsert["updated"]) == ("upsert", 1, 1)
    assert (delete_rows["filters"], delete_rows["deleted"]) == ({"名称": "国贸"}, 1)
    assert (drop["table"], drop["deleted"]) == ("dropped", 1)


def test_a_new_endpoint_url_keeps_the_table_written_through_the_datastore_api(
    catalogue: Any, client: Client
) -> None:
    officer = catalogue.world.officer
    resource = _lots(officer, catalogue.public)
    response = _call(
        client,
        "resource_patch",
        {"id": str(resource.uuid), "url": "https://api.example.cn/v2/parking"},
        token=_token(officer),
    )
    assert response.status_code == 200 and response.json()["result"]["datastore_active"] is True
    resource.refresh_from_db()
    assert resource.row_count == 2 and len(_rows(resource)) == 2


def test_an_id_number_in_an_integer_column_with_empty_cells_is_refused(
    catalogue: Any, client: Client
) -> None:
    # pandas used to turn such a column into floats (1.1010519900307124e+17), which the
    # privacy engine cannot read: found in review, for uploads and datastore writes alike
    officer = catalogue.world.officer
    fresh = _endpoint(officer, catalogue.public)
    response = _call(
        client,
        "datastore_create",
        {
            "resource_id": str(fresh.uuid),
            "fields": [{"id": "证件", "type": "int"}],
            "records": [{"证件": 110105199003071239}, {"证件": None}],
        },
        token=_token(officer),
    )
    assert response.status_code == 409 and "身份证号码" in json.dumps(
        response.json(), ensure_ascii=False
    )
    assert _rows(fresh) == []
    with pytest.raises(ValidationError, match="身份证号码"):
        services.resource_create(
            actor=officer,
            dataset=catalogue.public,
            name="证件",
            content="编号,证件\n1,110105199003071239\n2,\n".encode(),
            filename="ids.csv",
        )


def test_an_empty_filter_value_matches_null_cells_and_rows_without_the_field(
    catalogue: Any,
) -> None:
    officer = catalogue.world.officer
    resource = _lots(officer, catalogue.public)  # rows 1 and 2 have no field 备注
    tablestore.datastore_create(
        actor=officer,
        resource=resource,
        columns=[tabular.Column(name="备注", type="string")],
        records=[
            {"编号": 3, "名称": "三里屯", "泊位": 50, "备注": None},
            {"编号": 4, "名称": "望京", "泊位": 60, "备注": "夜间"},
        ],
    )
    deleted = tablestore.datastore_delete(actor=officer, resource=resource, filters={"备注": None})
    assert deleted == 3
    assert [data["编号"] for _n, data in _rows(resource)] == [4]


def test_non_finite_numbers_and_unqueryable_field_names_are_refused(catalogue: Any) -> None:
    officer = catalogue.world.officer
    resource = _endpoint(officer, catalogue.public)
    with pytest.raises(ValidationError) as nan:
        tablestore.datastore_create(
            actor=officer,
            resource=resource,
            columns=[tabular.Column(name="量", type="number")],
            records=[{"量": float("nan")}],
        )
    assert "records[0]" in nan.value.message_dict["records"][0]
    for name in ("_x", 'a"b', "a\x00b"):
        with pytest.raises(ValidationError) as refused:
            tablestore.datastore_create(
                actor=officer, resource=resource, columns=[tabular.Column(name=name, type="string")]
            )
        assert f"“{name}”" in refused.value.message_dict["fields"][0]
    assert _rows(resource) == [] and not resource.columns.exists()


# Names Django's ``data__<name>`` syntax misreads: an index, a lookup, a nested path.
AWKWARD = ("2023", "contains", "isnull", "a__b", "0", "a.b", "x[0]", "年 份")


def test_fields_named_like_years_lookups_or_paths_are_filtered_sorted_and_keyed(
    catalogue: Any,
) -> None:
    officer = catalogue.world.officer
    resource = _endpoint(officer, catalogue.public)
    records = [{name: n * 10 + i for i, name in enumerate(AWKWARD)} for n in (2, 1, 3)]
    tablestore.datastore_create(
        actor=officer,
        resource=resource,
        columns=[tabular.Column(name=name, type="integer") for name in AWKWARD],
        records=records,
        primary_key=("2023",),
    )
    for i, name in enumerate(AWKWARD):
        page = selectors.table_query(resource, filters={name: 10 + i})
        assert [r["_id"] for r in page.records] == [2], name
        ordered = selectors.table_query(resource, sort=f"{name} desc")
        assert [r[name] for r in ordered.records] == [30 + i, 20 + i, 10 + i], name
    # upsert matches rows by the all-digit primary key
    tablestore.datastore_upsert(
        actor=officer, resource=resource, records=[{**records[1], "contains": -1}]
    )
    assert selectors.table_query(resource, filters={"contains": -1}).total == 1
    assert len(_rows(resource)) == 3
    deleted = tablestore.datastore_delete(actor=officer, resource=resource, filters={"0": 24})
    assert deleted == 1 and len(_rows(resource)) == 2


def test_large_batches_match_keys_in_one_pass_and_have_a_cap(
    catalogue: Any, monkeypatch: Any
) -> None:
    officer = catalogue.world.officer
    resource = _lots(officer, catalogue.public)
    records = [{"编号": n, "名称": f"停车场{n}", "泊位": n} for n in range(1, 301)]
    tablestore.datastore_upsert(actor=officer, resource=resource, records=records)
    tablestore.datastore_upsert(
        actor=officer, resource=resource, records=[{**r, "泊位": 0} for r in records]
    )
    rows = _rows(resource)
    assert len(rows) == 300 and {data["泊位"] for _n, data in rows} == {0}
    assert [n for n, _data in rows[:2]] == [1, 2]  # the first two rows kept their numbers
    audited = AuditEntry.objects.count()
    tablestore.datastore_upsert(actor=officer, resource=resource, records=[])
    assert AuditEntry.objects.count() == audited  # an empty batch writes and logs nothing
    monkeypatch.setattr(tablestore, "MAX_RECORDS", 10)
    with pytest.raises(ValidationError) as capped:
        tablestore.datastore_upsert(actor=officer, resource=resource, records=records[:11])
    assert "10" in capped.value.message_dict["records"][0]


def test_records_sent_back_with_their_id_update_those_rows(catalogue: Any) -> None:
    """A client edits what datastore_search gave it and sends it back, ``_id`` and all."""
    officer = catalogue.world.officer
    resource = _lots(officer, catalogue.public)
    page = selectors.table_query(resource)
    edited = [{**record, "泊位": record["泊位"] + 1} for record in page.records]
    tablestore.datastore_upsert(actor=officer, resource=resource, records=edited)
    assert _rows(resource) == [
        (1, {"编号": 1, "名称": "西单", "泊位": 121}),
        (2, {"编号": 2, "名称": "国贸", "泊位": 81}),
    ]
    # by _id alone, in a table without a primary key too
    keyless = _lots(officer, catalogue.public, primary_key=())
    tablestore.datastore_upsert(
        actor=officer, resource=keyless, records=[{"_id": "2", "泊位": 0}], method="update"
    )
    assert [data["泊位"] for _n, data in _rows(keyless)] == [120, 0]
    # upsert with an _id no row has inserts a new row (as CKAN does)
    tablestore.datastore_upsert(
        actor=officer, resource=keyless, records=[{"_id": 99, "编号": 3, "名称": "三元桥"}]
    )
    assert [n for n, _data in _rows(keyless)] == [1, 2, 3]


def test_bad_ids_are_refused_and_nothing_is_written(catalogue: Any) -> None:
    officer = catalogue.world.officer
    resource = _lots(officer, catalogue.public)
    before = _rows(resource)
    cases = [
        ([{"_id": 1, "编号": 2}], "upsert", "key of row 1 cannot change"),
        ([{"_id": 7, "泊位": 1}], "update", "no row has _id 7"),
        ([{"_id": 7, "泊位": 1}], "upsert", "needs every field of the primary key"),
        ([{"_id": "x", "泊位": 1}], "upsert", "must be a row number"),
        ([{"_id": True, "泊位": 1}], "upsert", "must be a row number"),
        ([{"_id": 1, "编号": 9, "名称": "新"}], "insert", "insert takes no _id"),
    ]
    with translation.override("en"):
        for records, method, message in cases:
            with pytest.raises(ValidationError) as refused:
                tablestore.datastore_upsert(
                    actor=officer, resource=resource, records=records, method=method
                )
            assert message in refused.value.message_dict["records"][0], (records, method)
        keyless = _lots(officer, catalogue.public, primary_key=())
        with pytest.raises(ValidationError) as no_key:
            tablestore.datastore_upsert(actor=officer, resource=keyless, records=[{"泊位": 1}])
        assert "_id" in no_key.value.message_dict["method"][0]
    assert _rows(resource) == before


@pytest.mark.parametrize(
    ("kind", "values", "descending"),
    [
        ("integer", [3, -7, None, 10], [10, 3, -7, None]),
        ("number", [0.5, None, -2.5], [0.5, -2.5, None]),
        ("string", ["null", None, "b", "a"], ["null", "b", "a", None]),
        ("date", ["2024-01-02", None, "2023-12-31"], ["2024-01-02", "2023-12-31", None]),
        ("boolean", [True, None, False], [True, False, None]),
    ],
)
def test_empty_cells_sort_last_both_ways(
    catalogue: Any, kind: str, values: list[Any], descending: list[Any]
) -> None:
    officer = catalogue.world.officer
    resource = _endpoint(officer, catalogue.public)
    tablestore.datastore_create(
        actor=officer,
        resource=resource,
        columns=[tabular.Column(name="值", type=kind)],
        records=[{"值": v} for v in values],
    )

    def order(sort: str) -> list[Any]:
        return [r["值"] for r in selectors.table_query(resource, sort=sort).records]

    expected = [tabular.convert(v, kind) for v in descending]
    assert order("值 desc") == expected
    assert order("值") == [*reversed(expected[:-1]), None]


def test_a_column_of_names_cannot_be_assembled_by_batches_that_each_pass(catalogue: Any) -> None:
    """Each batch is scanned before it is written; the column as stored is checked after."""
    officer = catalogue.world.officer
    resource = _endpoint(officer, catalogue.public)
    names = ["张伟", "王芳", "李娜", "刘洋"]
    others = ["无", "待定", "空缺", "不详", "暂无", "同上"]
    tablestore.datastore_create(
        actor=officer,
        resource=resource,
        columns=[
            tabular.Column(name="编号", type="integer"),
            tabular.Column(name="联系人姓名", type="string"),
        ],
        records=[{"编号": i, "联系人姓名": v} for i, v in enumerate(names + others)],
        primary_key=("编号",),
    )  # 4 names in 10 values: under the half that makes it a column of names
    before = _rows(resource)
    with pytest.raises(ValidationError) as refused:
        tablestore.datastore_delete(
            actor=officer, resource=resource, filters={"联系人姓名": others}
        )
    assert "姓名" in refused.value.message_dict["filters"][0]
    assert _rows(resource) == before  # nothing deleted
    with pytest.raises(ValidationError):  # nor by turning the others into blanks
        tablestore.datastore_upsert(
            actor=officer,
            resource=resource,
            records=[{"编号": i, "联系人姓名": None} for i in range(4, 10)],
        )
    assert _rows(resource) == before
