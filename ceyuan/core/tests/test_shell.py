"""The web shell: languages, health, error pages."""

from __future__ import annotations

from typing import Any

from django.test import Client

from ceyuan.accounts.models import User


def test_default_language_is_simplified_chinese(db: Any) -> None:
    page = Client().get("/").content.decode()
    assert '<html lang="zh-CN">' in page and "首页" in page


def test_language_per_request(db: Any) -> None:
    page = Client().get("/", {"lang": "en"}).content.decode()
    assert '<html lang="en">' in page and "Home" in page
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().count("Log in") >= 1


def test_switching_language_is_remembered_for_the_user(world: Any) -> None:
    client = Client()
    client.force_login(world.member)
    response = client.post("/i18n/language/", {"language": "en", "next": "/organisations/"})
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert User.objects.get(pk=world.member.pk).language == "en"
    # A new session (another browser) still gets English for this user.
    other = Client()
    other.force_login(world.member)
    assert "Organisations" in other.get("/organisations/").content.decode()


def test_language_switch_refuses_foreign_redirects(db: Any) -> None:
    response = Client().post("/i18n/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_health_and_readiness(db: Any) -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}


def test_not_found_page_in_both_languages(db: Any) -> None:
    zh = Client().get("/no-such-page/")
    assert zh.status_code == 404 and "页面不存在" in zh.content.decode()
    en = Client().get("/no-such-page/", {"lang": "en"})
    assert "Page not found" in en.content.decode()


def test_forbidden_page_in_both_languages(world: Any) -> None:
    client = Client()
    client.force_login(world.member)
    assert "无权访问" in client.get("/audit/").content.decode()
    assert "Access denied" in client.get("/audit/", {"lang": "en"}).content.decode()


def test_navigation_shows_only_what_the_role_opens(world: Any) -> None:
    client = Client()
    client.force_login(world.member)
    assert 'href="/audit/"' not in client.get("/").content.decode()
    client.force_login(world.coordinator)
    assert 'href="/audit/"' in client.get("/").content.decode()


def test_navigation_marks_only_the_closest_item_as_current(world: Any) -> None:
    from ceyuan.core.navigation import items_for

    current = [
        item["url"] for item in items_for(world.coordinator, "/plan/reports/7/") if item["active"]
    ]
    assert current == ["/plan/reports/"]
    assert [i["url"] for i in items_for(world.coordinator, "/") if i["active"]] == ["/"]


def test_server_error_page_in_both_languages(db: Any) -> None:
    from django.test import RequestFactory
    from django.utils import translation

    from ceyuan.core.views import error_500

    with translation.override("zh-hans"):
        assert "服务器错误" in error_500(RequestFactory().get("/x/")).content.decode()
    with translation.override("en"):
        page = error_500(RequestFactory().get("/x/"))
        assert page.status_code == 500 and "Server error" in page.content.decode()
        api = error_500(RequestFactory().get("/api/v1/x/"))
        assert api.status_code == 500 and b'"server_error"' in api.content
