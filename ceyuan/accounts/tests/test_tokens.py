from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from ceyuan.accounts import services
from ceyuan.accounts.models import ApiToken


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_shown_once_and_stored_only_as_digest(world: Any) -> None:
    client = Client()
    client.force_login(world.officer)
    response = client.post("/api/v1/tokens/", {"name": "ci"}, content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert raw not in (stored.digest, stored.prefix) and len(stored.digest) == 64
    listing = client.get("/api/v1/tokens/").json()
    assert "token" not in listing["results"][0]


def test_token_authenticates_api_requests(world: Any) -> None:
    _token, raw = services.token_create(actor=world.officer, name="script")
    response = Client().get("/api/v1/me/", **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "officer"


def test_revoked_token_is_refused_at_once(world: Any) -> None:
    token, raw = services.token_create(actor=world.officer, name="script")
    client = Client()
    assert client.get("/api/v1/me/", **_bearer(raw)).status_code == 200
    services.token_revoke(actor=world.officer, token=token)
    response = client.get("/api/v1/me/", **_bearer(raw))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_expired_and_forged_tokens_are_refused(world: Any) -> None:
    token, raw = services.token_create(
        actor=world.officer, name="short", expires_at=timezone.now() + timedelta(minutes=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/me/", **_bearer(raw)).status_code == 401
    forged = raw[:-4] + "AAAA"
    assert Client().get("/api/v1/me/", **_bearer(forged)).status_code == 401
    assert Client().get("/api/v1/me/", **_bearer("not-a-token")).status_code == 401


def test_revoking_someone_elses_token_is_refused(world: Any) -> None:
    token, _raw = services.token_create(actor=world.officer, name="mine")
    client = Client()
    client.force_login(world.member)
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_creates_and_revokes(world: Any) -> None:
    client = Client()
    client.force_login(world.member)
    page = client.post("/accounts/tokens/", {"name": "laptop"})
    assert page.status_code == 200
    raw = page.context["created_raw"]
    assert raw and raw.encode() in page.content
    token = ApiToken.objects.get(user=world.member)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
