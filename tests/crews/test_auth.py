"""crews.auth: the user, their roles and the full-phone permission loaded in one query, for sessions and tokens."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from crews.auth import RoleModelBackend, load_user
from crews.choices import Role
from crews.permissions import roles_of
from crews.tokens import digest_of, issue_token
from residents.selectors import can_see_full_phone

pytestmark = pytest.mark.django_db


def test_session_user_comes_with_roles_and_full_phone_in_one_query(dispatcher, django_assert_num_queries):
    dispatcher.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])
    with django_assert_num_queries(1):
        user = RoleModelBackend().get_user(dispatcher.pk)
        assert roles_of(user) == {Role.DISPATCHER, Role.MANAGER}
        assert can_see_full_phone(user) is True


def test_a_worker_has_no_full_phone_and_a_user_without_groups_has_no_roles(worker, db):
    user = RoleModelBackend().get_user(worker.user.pk)
    assert roles_of(user) == {Role.WORKER} and can_see_full_phone(user) is False
    loner = User.objects.create_user("loner", password="x")
    user = RoleModelBackend().get_user(loner.pk)
    assert roles_of(user) == frozenset() and can_see_full_phone(user) is False


def test_a_permission_granted_to_the_user_directly_counts(db):
    loner = User.objects.create_user("loner", password="x")
    loner.user_permissions.add(Permission.objects.get(codename="view_full_phone"))
    assert can_see_full_phone(RoleModelBackend().get_user(loner.pk)) is True


def test_inactive_and_unknown_users_are_not_loaded(dispatcher):
    assert RoleModelBackend().get_user(999_999) is None
    dispatcher.is_active = False
    dispatcher.save()
    assert RoleModelBackend().get_user(dispatcher.pk) is None


def test_token_authenticates_with_roles_and_refuses_unknown_or_inactive(
    dispatcher, django_assert_num_queries
):
    _row, key = issue_token(dispatcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/hotline/lookup/?phone=13800138000").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/work-orders/")
    assert response.status_code == 401 and "detail" in response.json()
    dispatcher.is_active = False
    dispatcher.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/work-orders/").status_code == 401


def test_token_request_loads_user_and_roles_in_one_query(dispatcher, make_order, django_assert_num_queries):
    make_order("received")
    _row, key = issue_token(dispatcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # 1 token → user with roles and view_full_phone, 2 COUNT, 3 the page (no session, no groups query)
    with django_assert_num_queries(3):
        assert client.get("/api/v1/work-orders/").status_code == 200


def _orm_answer(user_id):
    """The answer asked the long way (the groups and the permission through Django's own relations)."""
    user = User.objects.get(pk=user_id)
    return set(user.groups.values_list("name", flat=True)), user.has_perm("residents.view_full_phone")


def test_the_loaded_user_answers_as_django_for_every_way_of_holding_roles_and_the_permission(db):
    perm = Permission.objects.get(codename="view_full_phone")
    granting = Group.objects.create(name="电话全号")
    granting.permissions.add(perm)
    plain = Group.objects.create(name="普通组")
    plain.permissions.add(Permission.objects.exclude(pk=perm.pk).first())
    cases = {
        "nothing": ([], False),
        "plain group": ([plain], False),
        "granting group": ([granting], False),
        "both groups": ([plain, granting], False),
        "direct": ([], True),
        "direct and plain group": ([plain], True),
    }
    for name, (groups, direct) in cases.items():
        user = User.objects.create_user(name, password="x")
        user.groups.add(*groups)
        if direct:
            user.user_permissions.add(perm)
        loaded = load_user(pk=user.pk)
        roles, full_phone = _orm_answer(user.pk)
        assert (roles_of(loaded), can_see_full_phone(loaded)) == (roles, full_phone), name
        assert loaded.username == name and loaded.check_password("x")
        assert [getattr(loaded, f.attname) for f in User._meta.concrete_fields] == [
            getattr(user, f.attname) for f in User._meta.concrete_fields
        ]
    _row, key = issue_token(User.objects.get(username="both groups"))
    by_token = load_user(token_digest=digest_of(key))
    assert by_token.username == "both groups" and roles_of(by_token) == {"普通组", "电话全号"}
    assert can_see_full_phone(by_token) is True


def test_a_session_naming_no_valid_user_id_loads_nobody(db):
    assert load_user(pk="not-a-number") is None
    assert load_user(pk=None) is None
    assert load_user(token_digest=digest_of("missing")) is None
