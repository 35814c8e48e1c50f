"""Create (or find) the phone system's service account and print its API token (docs/cti.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from crews.services import sync_role_groups


class Command(BaseCommand):
    help = "Create the CTI service account (group cti: may only announce ringing calls) and print its token."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="cti")

    def handle(self, *args, username: str, **options):
        sync_role_groups()
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()  # a service account never signs in to the pages
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="cti"))
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
