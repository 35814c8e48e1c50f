"""Create (or find) the phone system's service account and print a new API token for it (docs/cti.md)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from crews.management.commands.issue_token import issue, lifetime_of
from crews.services import sync_role_groups

# A phone system must not lose its token in the middle of a shift: its token lasts 90 days unless told
# otherwise, and is rotated before then (docs/cti.md) — not the API_TOKEN_TTL_HOURS of a person's sign-in.
CTI_DAYS = 90


class Command(BaseCommand):
    help = (
        "Create the CTI service account (group cti: may only announce ringing calls) and print a new token "
        f"for it (default lifetime {CTI_DAYS} days; its expiry goes to stderr). Run again to rotate."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="cti")
        parser.add_argument("--days", type=int, default=CTI_DAYS, help=f"token lifetime (default {CTI_DAYS})")
        parser.add_argument(
            "--revoke-others", action="store_true", help="end the account's earlier tokens (after the switch)"
        )

    def handle(self, *args, username: str, days: int, revoke_others: bool, **options):
        sync_role_groups()
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()  # a service account never signs in to the pages
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="cti"))
        lifetime = lifetime_of(None, days) or timedelta(days=CTI_DAYS)
        self.stdout.write(issue(self, user, lifetime, revoke_others=revoke_others))
