from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client, override_settings

from ceyuan.audit.models import AuditEntry
from ceyuan.testing import PASSWORD


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_and_logout(world: Any) -> None:
    client = Client()
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_account(world: Any) -> None:
    client = Client()
    for _ in range(2):
        assert _login(client, "officer", "wrong").status_code == 200  # form with an error
    locked = _login(client, "officer", "wrong")
    assert locked.status_code == 429
    # Even the right password is refused while locked, from another address too.
    again = Client(REMOTE_ADDR="10.1.2.3")
    assert _login(again, "officer", PASSWORD).status_code == 429
    # Another account is not affected.
    assert _login(Client(), "member", PASSWORD).status_code == 302


def test_password_change_is_audited(world: Any) -> None:
    client = Client()
    client.force_login(world.member)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="user.password_change", actor_repr="member").exists()


def test_password_reset_sends_mail(world: Any) -> None:
    world.member.email = "member@example.org"
    world.member.save()
    response = Client().post("/accounts/password/reset/", {"email": "member@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_forms_refuse_posts_without_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert (
        client.post(
            "/organisations/new/", {"code": "x", "name_zh": "x", "kind": "district"}
        ).status_code
        == 403
    )
    assert client.post("/i18n/language/", {"language": "en"}).status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 403
