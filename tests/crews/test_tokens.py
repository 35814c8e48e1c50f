"""API tokens (issue 17 finding 4, API.md v1.1): stored hashed, expire, end on a password change, deactivation
or logout; admins list and revoke them; integrations get a token with a lifetime of their own."""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from crews import tokens

pytestmark = pytest.mark.django_db

ME = "/api/v1/categories/"  # any endpoint every signed-in role may read


def _sign_in(user, client=None, **extra):
    client = client or APIClient(**extra)
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "pw"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _as(key: str, **extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_endpoint_answers_token_and_expiry_and_the_key_works(dispatcher):
    body = _sign_in(dispatcher)
    assert set(body) == {"token", "expiry"} and len(body["token"]) == 64
    expiry = parse_datetime(body["expiry"])
    assert body["expiry"].endswith("+08:00")
    assert abs(expiry - (timezone.now() + timedelta(hours=12))) < timedelta(seconds=5)
    assert _as(body["token"]).get(ME).status_code == 200


def test_a_new_sign_in_gives_a_new_token_and_the_earlier_one_still_works(dispatcher):
    first, second = _sign_in(dispatcher)["token"], _sign_in(dispatcher)["token"]
    assert first != second
    assert _as(first).get(ME).status_code == 200 and _as(second).get(ME).status_code == 200


def test_the_database_never_holds_the_key(dispatcher):
    key = _sign_in(dispatcher)["token"]
    table = AuthToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored and not any(key in value for value in stored)
    assert not any(
        value.startswith(key[:20]) for value in stored
    )  # at most knox's 15-character lookup prefix
    assert AuthToken.objects.get().digest == tokens.digest_of(key) != key


def test_a_token_expires_after_the_lifetime_with_a_clear_401(dispatcher):
    key = _sign_in(dispatcher)["token"]
    with time_machine.travel(timezone.now() + timedelta(hours=11, minutes=59), tick=False):
        assert _as(key).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=12, seconds=1), tick=False):
        response = _as(key).get(ME)
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "令牌已过期：请重新登录获取新令牌。"}
        english = _as(key, HTTP_ACCEPT_LANGUAGE="en").get(ME)
    assert english.status_code == 401  # the row went with the first refusal: now simply unknown
    assert not AuthToken.objects.exists()


def test_an_expired_token_says_so_in_english_too(dispatcher):
    key = _sign_in(dispatcher)["token"]
    with time_machine.travel(timezone.now() + timedelta(hours=13), tick=False):
        response = _as(key, HTTP_ACCEPT_LANGUAGE="en").get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "Token expired: sign in again for a new one."


def test_the_lifetime_is_configurable(dispatcher, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    expiry = parse_datetime(_sign_in(dispatcher)["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(hours=2))) < timedelta(seconds=5)


def test_the_setting_refuses_a_lifetime_below_an_hour(monkeypatch):
    import subprocess
    import sys

    env = {"API_TOKEN_TTL_HOURS": "0", "DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "API_TOKEN_TTL_HOURS must be 1 or more" in result.stderr


def test_a_password_change_ends_every_token_of_that_user_only(dispatcher, manager):
    keys = [_sign_in(dispatcher)["token"], _sign_in(dispatcher)["token"]]
    others = _sign_in(manager)["token"]
    dispatcher.set_password("a-New-passw0rd")
    dispatcher.save(update_fields=["password"])
    assert [_as(key).get(ME).status_code for key in keys] == [401, 401]
    assert _as(others).get(ME).status_code == 200
    # A full save() with a new password does the same.
    key = (
        APIClient()
        .post(
            "/api/v1/auth/token/",
            {"username": dispatcher.username, "password": "a-New-passw0rd"},
            format="json",
        )
        .json()["token"]
    )
    dispatcher.refresh_from_db()
    dispatcher.set_password("third-Passw0rd")
    dispatcher.save()
    assert _as(key).get(ME).status_code == 401


def test_saves_that_change_neither_password_nor_activity_keep_the_tokens(dispatcher):
    key = _sign_in(dispatcher)["token"]
    dispatcher.refresh_from_db()
    dispatcher.first_name = "小王"
    dispatcher.save()
    dispatcher.save(update_fields=["last_login"])
    assert _as(key).get(ME).status_code == 200


def test_deactivation_ends_every_token_and_reactivation_brings_none_back(dispatcher, manager):
    key = _sign_in(dispatcher)["token"]
    others = _sign_in(manager)["token"]
    dispatcher.is_active = False
    dispatcher.save()
    assert not AuthToken.objects.filter(user=dispatcher).exists()
    dispatcher.is_active = True
    dispatcher.save()
    assert _as(key).get(ME).status_code == 401
    assert _as(others).get(ME).status_code == 200


def test_an_inactive_user_bulk_updated_past_the_signal_is_still_refused(dispatcher):
    key = _sign_in(dispatcher)["token"]
    User.objects.filter(pk=dispatcher.pk).update(is_active=False)
    response = _as(key).get(ME)
    assert response.status_code == 401 and response.json()["detail"]


def test_logout_ends_only_the_token_it_is_sent_with(dispatcher, manager, django_assert_num_queries):
    used, kept = _sign_in(dispatcher)["token"], _sign_in(dispatcher)["token"]
    others = _sign_in(manager)["token"]
    client = _as(used)
    with django_assert_num_queries(2):  # the user with roles and the token's expiry; the DELETE
        response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert client.get(ME).status_code == 401
    assert client.post("/api/v1/auth/logout/").status_code == 401  # nothing left to log out of
    assert _as(kept).get(ME).status_code == 200 and _as(others).get(ME).status_code == 200


def test_logout_needs_a_token_and_never_reaches_anyone_elses(dispatcher, manager):
    others = _sign_in(manager)["token"]
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401
    session = APIClient()
    session.force_login(dispatcher)
    response = session.post("/api/v1/auth/logout/")
    assert response.status_code == 400 and response.json()["detail"]
    # The body cannot name another token: only the one the request is signed with ends.
    mine = _as(_sign_in(dispatcher)["token"])
    assert mine.post("/api/v1/auth/logout/", {"token": others}, format="json").status_code == 204
    assert _as(others).get(ME).status_code == 200


def test_admins_list_tokens_without_their_keys_and_revoke_them(dispatcher, client):
    key = _sign_in(dispatcher)["token"]
    admin = User.objects.create_superuser("t_admin", password="pw")
    client.force_login(admin)
    page = client.get("/admin/knox/authtoken/")
    assert page.status_code == 200
    html = page.content.decode()
    assert dispatcher.username in html and key not in html and key[:8] in html
    assert client.get("/admin/knox/authtoken/add/").status_code == 403  # a key is issued by signing in
    digest = AuthToken.objects.get(user=dispatcher).digest
    response = client.post(
        "/admin/knox/authtoken/", {"action": "delete_selected", "_selected_action": [digest], "post": "yes"}
    )
    assert response.status_code == 302
    assert _as(key).get(ME).status_code == 401


def test_non_admins_cannot_list_or_revoke_tokens(dispatcher, manager, client):
    key = _sign_in(manager)["token"]
    digest = AuthToken.objects.get().digest
    client.force_login(dispatcher)
    assert client.get("/admin/knox/authtoken/").status_code == 302  # to the admin's login
    dispatcher.is_staff = True
    dispatcher.save()
    client.force_login(dispatcher)
    assert client.get("/admin/knox/authtoken/").status_code == 403
    client.post(
        "/admin/knox/authtoken/", {"action": "delete_selected", "_selected_action": [digest], "post": "yes"}
    )
    assert _as(key).get(ME).status_code == 200


def test_issue_token_gives_an_integration_its_own_lifetime(dispatcher):
    out, err = StringIO(), StringIO()
    call_command("issue_token", dispatcher.username, "--days", "30", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert "valid until" in err.getvalue() and key not in err.getvalue()
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert _as(key).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1), tick=False):
        assert _as(key).get(ME).status_code == 401
    for bad in (["--days", "400"], ["--hours", "0"]):
        with pytest.raises(CommandError):
            call_command("issue_token", dispatcher.username, *bad, stdout=out, stderr=err)
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody", stdout=out, stderr=err)


def test_the_cti_token_lasts_ninety_days_and_rotates(db):
    out, err = StringIO(), StringIO()
    call_command("cti_account", "pbx", stdout=out, stderr=err)
    old = out.getvalue().strip()
    expiry = AuthToken.objects.get().expiry
    assert abs(expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    new = StringIO()
    call_command("cti_account", "pbx", "--revoke-others", stdout=new, stderr=err)
    body = {"phone": "13800138000", "agent": "nobody"}
    assert _as(old).post("/api/v1/cti/ringing/", body, format="json").status_code == 401
    assert _as(new.getvalue().strip()).post("/api/v1/cti/ringing/", body, format="json").status_code == 400


def test_the_upgrade_keeps_plain_text_tokens_as_digests_and_drops_their_table(dispatcher):
    migration = importlib.import_module("crews.migrations.0005_tokens_to_knox")
    old_key = "a" * 40
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, created timestamp)"
        )
        cursor.execute("INSERT INTO authtoken_token (key, user_id) VALUES (%s, %s)", [old_key, dispatcher.pk])
    from django.apps import apps

    migration.keys_to_digests(apps, connection.schema_editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    row = AuthToken.objects.get(user=dispatcher)
    assert row.digest == tokens.digest_of(old_key)
    assert abs(row.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert _as(old_key).get(ME).status_code == 200


def test_the_schema_documents_the_token_lifetime_and_logout():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert "API_TOKEN_TTL_HOURS" in scheme["description"] and "logout" in scheme["description"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Token")
    assert "expiry" in schema["components"]["schemas"]["Token"]["required"]
    assert "API_TOKEN_TTL_HOURS" in token["description"]
    assert "204" in schema["paths"]["/api/v1/auth/logout/"]["post"]["responses"]
