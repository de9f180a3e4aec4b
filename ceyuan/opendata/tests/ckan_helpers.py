"""Helpers of the CKAN Action API tests: calling an action, an API token, a named upload, the
transport commission's dataset and its parking table."""

from __future__ import annotations

import io
import json
from typing import Any

from django.test import Client

from ceyuan.accounts import services as account_services


def call(
    client: Client, action: str, data: Any = None, token: str = "", method: str = "post"
) -> Any:
    """``action`` through the test client: POST with a JSON body, or GET with a query string."""
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    if method == "get":
        return client.get(f"/api/3/action/{action}", data or {}, **headers)
    return client.post(
        f"/api/3/action/{action}",
        json.dumps(data or {}),
        content_type="application/json",
        **headers,
    )


def api_token(user: Any, name: str = "ckan") -> str:
    """A new API token of ``user``, as the client sends it."""
    _token, raw = account_services.token_create(actor=user, name=name)
    return raw


def named_file(name: str, content: bytes) -> Any:
    """A file object with a name, as requests uploads it (``ckanapi``'s ``upload``)."""
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def transport_officer() -> tuple[Any, Any]:
    """The municipal transport commission (市交通委), a publishing unit, and an officer of it."""
    from ceyuan.accounts.models import Role
    from ceyuan.testing import make_organisation, make_user

    dept = make_organisation("jtw", name_zh="市交通委", name_en="Transport Commission")
    return dept, make_user("jt-officer", organisation=dept, role=Role.UNIT_OFFICER)


def transport_dataset(name: str, title_zh: str) -> tuple[Any, Any]:
    """An officer of the transport commission and a public dataset it publishes."""
    from ceyuan.opendata import services

    dept, officer = transport_officer()
    dataset = services.dataset_create(
        actor=officer, name=name, title_zh=title_zh, publisher=dept, opening_level="public"
    )
    return officer, dataset


def parking_table(officer: Any, dataset: Any) -> Any:
    """An uploaded table resource “泊位表” (one row) of ``dataset``."""
    from ceyuan.opendata import services

    return services.resource_create(
        actor=officer,
        dataset=dataset,
        name="泊位表",
        description="旧说明",
        content="名称,泊位\n西单,120\n".encode(),
        filename="lots.csv",
    )
