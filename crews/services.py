"""Writes about crews and staff: role groups, staff accounts, duty shifts."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .choices import Role


def collect_role_permissions() -> dict[str, set[str]]:
    """Each app may declare `ROLE_MODEL_PERMISSIONS` in its permissions module; gathered like autodiscovery."""
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in django_apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        for role, codes in getattr(module, "ROLE_MODEL_PERMISSIONS", {}).items():
            wanted.setdefault(str(role), set()).update(codes)
    return wanted


@transaction.atomic
def sync_role_groups() -> None:
    """Create the four role groups and give each exactly the model permissions the apps declare.

    Idempotent; run after every migrate (crews.apps) so a newly landed app's permissions reach the groups.
    """
    for role, codes in collect_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for code in codes:
            app_label, codename = code.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
