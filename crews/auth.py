"""Loading the signed-in user with what every request asks about them, in one written-out statement.

Every page and endpoint asks who the user is (session or token), which roles they hold (`roles_of`) and,
for lists and the caller screen, whether they may see full phone numbers (`can_see_full_phone`). Django's
ModelBackend and DRF's TokenAuthentication load the user alone, and the two questions then cost a query each.
Here the user row is read with their group names (one row per group) and the permission as two EXISTS, and
both answers are cached on the user object for the request (bench/README.md: −2 queries on every request).

The statement is written out once per process rather than built by the ORM on every request: on a page of
4–8 ms, composing the annotated queryset took ~0.8 ms of Python and PostgreSQL ~0.4 ms to plan its
OR-joined EXISTS; this one plans in ~0.15 ms. `tests/crews/test_auth.py` checks it against the ORM's answer
for every way of holding a role or the permission. Table and column names come from the
models' `_meta`, so it follows Django's auth schema rather than copying it."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from residents.selectors import FULL_PHONE, remember_full_phone

from .permissions import remember_roles


@cache
def _statement() -> tuple[dict[str, str], list[str]]:
    """({"pk" | "token": SQL}, the user's attnames in select order), from the models' `_meta`."""
    User = get_user_model()
    user_groups = User.groups.through._meta
    user_perms = User.user_permissions.through._meta
    group_perms = Group.permissions.through._meta
    fields = User._meta.concrete_fields
    q = connections[router.db_for_read(User)].ops.quote_name

    def col(meta, name):
        return q(meta.get_field(name).column)

    sql = f"""
        SELECT {", ".join("u." + q(f.column) for f in fields)}, g.{col(Group._meta, "name")},
               EXISTS (SELECT 1 FROM {q(user_perms.db_table)} up
                       WHERE up.{col(user_perms, "user")} = u.{q(User._meta.pk.column)}
                         AND up.{col(user_perms, "permission")} = perm.id)
               OR EXISTS (SELECT 1 FROM {q(group_perms.db_table)} gp
                          WHERE gp.{col(group_perms, "group")} = ug.{col(user_groups, "group")}
                            AND gp.{col(group_perms, "permission")} = perm.id)
        FROM {q(User._meta.db_table)} u
        LEFT JOIN {q(user_groups.db_table)} ug ON ug.{col(user_groups, "user")} = u.{q(User._meta.pk.column)}
        LEFT JOIN {q(Group._meta.db_table)} g ON g.{q(Group._meta.pk.column)} = ug.{col(user_groups, "group")}
        LEFT JOIN (SELECT p.{q(Permission._meta.pk.column)} AS id
                   FROM {q(Permission._meta.db_table)} p
                   JOIN {q(ContentType._meta.db_table)} ct
                     ON ct.{q(ContentType._meta.pk.column)} = p.{col(Permission._meta, "content_type")}
                   WHERE ct.{col(ContentType._meta, "app_label")} = %s
                     AND p.{col(Permission._meta, "codename")} = %s) perm ON TRUE
        WHERE {{where}}"""
    token = Token._meta
    wheres = {
        "pk": f"u.{q(User._meta.pk.column)} = %s",
        "token": f"u.{q(User._meta.pk.column)} = (SELECT t.{col(token, 'user')} FROM {q(token.db_table)} t"
        f" WHERE t.{col(token, 'key')} = %s)",
    }
    return {k: sql.format(where=w) for k, w in wheres.items()}, [f.attname for f in fields]


@cache
def _converters(alias: str) -> list[tuple[int, object, list]]:
    """The backend's and the fields' converters per user column (on SQLite: text → aware datetime; none on
    PostgreSQL), as the ORM's compiler would apply them."""
    User = get_user_model()
    connection = connections[alias]
    out = []
    for i, field in enumerate(User._meta.concrete_fields):
        col = field.get_col(User._meta.db_table)
        fns = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if fns:
            out.append((i, col, fns))
    return out


def load_user(*, pk=None, token_key=None):
    """The user with this pk (or token key), with roles and the full-phone answer cached on it, or None."""
    User = get_user_model()
    statements, attnames = _statement()
    by, value = ("pk", pk) if token_key is None else ("token", token_key)
    if by == "pk":
        try:
            value = User._meta.pk.to_python(value)
        except (
            ValidationError,
            TypeError,
            ValueError,
        ):  # a session naming a pk of another type: no such user
            return None
    db = router.db_for_read(User)
    with connections[db].cursor() as cursor:
        cursor.execute(statements[by], [*FULL_PHONE, value])
        rows = cursor.fetchall()
    if not rows:
        return None
    n = len(attnames)
    values = list(rows[0][:n])
    for i, col, fns in _converters(db):
        for fn in fns:
            values[i] = fn(values[i], col, connections[db])
    user = User.from_db(db, attnames, values)
    remember_roles(user, {row[n] for row in rows if row[n]})
    remember_full_phone(user, any(row[n + 1] for row in rows))
    return user


class RoleModelBackend(ModelBackend):
    """ModelBackend (passwords, permissions, inactive users refused) whose `get_user` — called on every
    request with a session — also loads the roles and the full-phone permission in the same statement."""

    def get_user(self, user_id):
        user = load_user(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class RoleTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`), loading the user with roles in one statement."""

    def authenticate_credentials(self, key):
        user = load_user(token_key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (user, Token(key=key, user=user))
