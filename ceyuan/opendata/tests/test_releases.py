"""Safe publication: a table with names, IDs and phone numbers is published only processed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ceyuan.opendata import releases, services
from ceyuan.opendata.models import Release, Resource

from .conftest import grant_for

# Checksum-valid resident IDs (GB 11643-1999) and mobile numbers, with real-looking names.
PEOPLE = [
    ("张伟", "110101199003074514", "13812345678", "北京市海淀区中关村大街27号"),
    ("王芳", "11010519851212002X", "13987654321", "北京市朝阳区建国路88号"),
    ("李娜", "360426199101010071", "15011112222", "北京市东城区东长安街1号"),
]
RAW_VALUES = [value for person in PEOPLE for value in person]


def _csv(encoding: str = "utf-8") -> bytes:
    lines = ["姓名,身份证号,手机号,住址,申请事项"]
    lines += [f"{n},{i},{m},{a},人才公寓申请" for n, i, m, a in PEOPLE]
    return ("\n".join(lines) + "\n").encode(encoding)


def test_personal_table_is_published_only_in_processed_form(catalogue: Any) -> None:
    officer = catalogue.world.officer
    dataset = catalogue.restricted
    client = Client()
    client.force_login(officer)

    # A direct upload of the raw table is refused: personal data must take the safe route.
    direct = client.post(
        reverse("opendata:resource-create", args=[dataset.name]),
        {"upload": SimpleUploadedFile("people.csv", _csv())},
    )
    assert direct.status_code == 200 and "身份证号码" in direct.content.decode()

    response = client.post(
        reverse("opendata:release-create", args=[dataset.name]),
        {"upload": SimpleUploadedFile("people.csv", _csv("gbk"))},
    )
    assert response.status_code == 302
    release = Release.objects.get(dataset=dataset)
    assert release.raw_encoding.lower() in {"gbk", "gb18030"}
    report = releases.release_report(release)
    assert report.counts.get("cn_resident_id") == 3 and report.counts.get("cn_mobile") == 3
    # Nothing is public before approval.
    assert not Resource.objects.filter(dataset=dataset, name__startswith="Release").exists()
    page = client.get(reverse("opendata:release", args=[release.pk])).content.decode()
    assert not any(value in page for value in RAW_VALUES[1:3])

    approve = client.post(
        reverse("opendata:release", args=[release.pk]), {"decision": "approve", "note": "ok"}
    )
    assert approve.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.PUBLISHED and release.resource is not None

    researcher = catalogue.researcher
    grant_for(catalogue, researcher, dataset)
    reader = Client()
    reader.force_login(researcher)
    download = reader.get(reverse("opendata:download", args=[release.resource.uuid]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8")
    assert body.count("\n") >= len(PEOPLE)
    for value in RAW_VALUES:
        if value.startswith("北京市"):
            continue  # addresses are generalised to the district, which keeps this prefix
        assert value not in body, value
    assert "中关村大街" not in body and "建国路" not in body


def test_release_needs_the_publishing_unit_and_a_readable_file(catalogue: Any) -> None:
    dataset = catalogue.restricted
    with pytest.raises(Exception) as denied:
        releases.release_create(
            actor=catalogue.world.outsider_officer,
            dataset=dataset,
            content=_csv(),
            filename="p.csv",
        )
    assert denied.type.__name__ == "PermissionDenied"
    mixed = _csv() + "赵六,110101199003074514,13800000000,北京市西城区,申请\n".encode("gbk")
    with pytest.raises(ValidationError) as bad:
        releases.release_create(
            actor=catalogue.world.officer, dataset=dataset, content=mixed, filename="mixed.csv"
        )
    assert "mixed.csv" in " ".join(bad.value.messages)
    assert not Release.objects.exists()


def test_core_data_cannot_be_released_and_rejection_needs_a_reason(catalogue: Any) -> None:
    officer = catalogue.world.officer
    with pytest.raises(ValidationError):
        releases.release_create(
            actor=officer, dataset=catalogue.secret, content=_csv(), filename="p.csv"
        )
    release = releases.release_create(
        actor=officer, dataset=catalogue.restricted, content=_csv(), filename="p.csv"
    )
    with pytest.raises(ValidationError):
        releases.release_reject(actor=officer, release=release, note=" ")
    releases.release_reject(actor=officer, release=release, note="wrong columns")
    with pytest.raises(ValidationError):
        releases.release_approve(actor=officer, release=release)


def test_release_pages_are_hidden_from_other_units(catalogue: Any) -> None:
    release = releases.release_create(
        actor=catalogue.world.officer,
        dataset=catalogue.restricted,
        content=_csv(),
        filename="p.csv",
    )
    other = Client()
    other.force_login(catalogue.world.outsider_officer)
    assert other.get(reverse("opendata:release", args=[release.pk])).status_code == 404
    assert Client().get(reverse("opendata:release", args=[release.pk])).status_code == 302


def test_pseudonyms_differ_between_releases(catalogue: Any) -> None:
    officer = catalogue.world.officer
    first = releases.release_create(
        actor=officer, dataset=catalogue.restricted, content=_csv(), filename="p.csv"
    )
    second = releases.release_create(
        actor=officer, dataset=catalogue.restricted, content=_csv(), filename="p.csv"
    )
    a = releases.release_preview(first)["姓名"].tolist()
    b = releases.release_preview(second)["姓名"].tolist()
    assert len(set(a)) == len(PEOPLE) and set(a).isdisjoint(b)
    assert not set(a) & {n for n, *_ in PEOPLE}


def test_direct_upload_without_personal_data_is_still_accepted(catalogue: Any) -> None:
    resource = services.resource_create(
        actor=catalogue.world.officer,
        dataset=catalogue.public,
        content="区县,站点数\n海淀区,1200\n".encode(),
        filename="stops2.csv",
    )
    assert resource.row_count == 1
