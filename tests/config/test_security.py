import pytest
from django.test import override_settings

from tests import factories as f


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_brute_force_locks_the_account(client):
    f.UserFactory(username="desk", role="dispatcher")
    for _ in range(3):
        response = client.post("/login/", {"username": "desk", "password": "wrong"})
    # Now even the right password is refused, with the Chinese lock-out page.
    response = client.post("/login/", {"username": "desk", "password": "pw"})
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_good_login_before_the_limit_resets_the_count(client):
    f.UserFactory(username="desk", role="dispatcher")
    for _ in range(2):
        client.post("/login/", {"username": "desk", "password": "wrong"})
    assert client.post("/login/", {"username": "desk", "password": "pw"}).status_code == 302


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(dispatcher_client):
    csp = dispatcher_client.get("/overview/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_no_page_template_has_an_inline_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if "<script>" in p.read_text(encoding="utf-8") or " onclick=" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_are_served_offline(dispatcher_client):
    page = dispatcher_client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
