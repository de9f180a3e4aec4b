from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from ceyuan.accounts import services
from ceyuan.audit.models import AppendOnlyError, AuditEntry
from ceyuan.audit.selectors import audit_verify


def _make_entries(world: Any, n: int = 4) -> None:
    for i in range(n):
        services.organisation_create(
            actor=world.coordinator, code=f"unit-{i}", name_zh=f"单位{i}", kind="district"
        )


def test_service_writes_record_who_what_and_change(world: Any) -> None:
    org = services.organisation_create(
        actor=world.coordinator, code="hd", name_zh="海淀区", kind="district"
    )
    services.organisation_update(actor=world.coordinator, organisation=org, name_en="Haidian")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_repr, entry.action, entry.object_id) == (
        "coordinator",
        "organisation.update",
        str(org.pk),
    )
    assert entry.changes == {"name_en": {"from": "", "to": "Haidian"}}


def test_intact_chain_verifies(world: Any) -> None:
    _make_entries(world)
    assert audit_verify() == []
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_edited_entry_is_detected(world: Any) -> None:
    _make_entries(world)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_repr = 'mallory' WHERE seq = 2")
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(2, "edited")]
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_deleted_entry_is_detected(world: Any) -> None:
    _make_entries(world)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 3")
    kinds = {p.kind for p in audit_verify()}
    assert {"missing", "broken_link"} <= kinds


def test_cut_off_tail_is_detected(world: Any) -> None:
    _make_entries(world)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [last.seq])
    assert [p.kind for p in audit_verify()] == ["truncated"]


def test_entries_cannot_be_changed_through_the_orm(world: Any) -> None:
    _make_entries(world, 1)
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_failed_write_leaves_no_entry(world: Any) -> None:
    from django.core.exceptions import ValidationError

    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=world.coordinator, code="bad code!", name_zh="", kind="x"
        )
    assert AuditEntry.objects.count() == before


def test_audit_page_filters_and_exports_csv(world: Any) -> None:
    _make_entries(world, 3)
    services.token_create(actor=world.officer, name="t")
    client = Client()
    client.force_login(world.coordinator)
    page = client.get("/audit/", {"user": "officer"})
    assert page.status_code == 200
    assert [e.actor_repr for e in page.context["page"]] == ["officer"]
    csv_body = b"".join(client.get("/audit/export.csv", {"user": "coordinator"}).streaming_content)
    text = csv_body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("seq,time,user,action")
    assert len(text.strip().splitlines()) == 4
    assert "单位0" in text
    bad = client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.context["page"] is None


def test_recorded_changes_read_as_old_to_new_values() -> None:
    from ceyuan.audit.services import change as recorded
    from ceyuan.audit.templatetags.audit_tags import change

    assert change(recorded(None, "IRREG")) == "IRREG"  # created: the value alone
    assert change(recorded("", "x@example.cn")) == "x@example.cn"
    assert change(recorded("草稿", "已发布")) == "草稿 → 已发布"
    assert change(recorded(3, None)) == "3 → —"
    assert change(["2026-11-28", "2027-02-26"]) == "2026-11-28, 2027-02-26"  # a pair, no change
    assert change({"区县": "东城区"}) == '{"区县": "东城区"}'
    assert change(None) == "—" and change(12) == "12"
