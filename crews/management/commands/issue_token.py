"""Issue an API token for a user with a chosen lifetime and print the key (it is shown this once)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crews import tokens


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print its key on stdout (its expiry on stderr). For integrations "
        "(a phone system, a script) that must not depend on a person signing in: give the lifetime with --hours "
        "or --days and issue the next token before this one ends (the admin lists every token's expiry)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        lifetime = parser.add_mutually_exclusive_group()
        lifetime.add_argument("--hours", type=int, help="lifetime in hours (default: API_TOKEN_TTL_HOURS)")
        lifetime.add_argument("--days", type=int, help="lifetime in days (at most 366)")
        parser.add_argument(
            "--revoke-others",
            action="store_true",
            help="end the user's other tokens (a rotation's last step)",
        )

    def handle(self, *args, username: str, hours, days, revoke_others: bool, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        self.stdout.write(issue(self, user, lifetime_of(hours, days), revoke_others=revoke_others))


def lifetime_of(hours: int | None, days: int | None) -> timedelta | None:
    """The lifetime asked for, bounded to 1 hour .. 366 days; None for the default."""
    if hours is None and days is None:
        return None
    lifetime = timedelta(hours=hours) if hours is not None else timedelta(days=days)
    if not timedelta(hours=1) <= lifetime <= timedelta(days=366):
        raise CommandError("A token lasts between 1 hour and 366 days.")
    return lifetime


def issue(command: BaseCommand, user, lifetime: timedelta | None, *, revoke_others: bool = False) -> str:
    """Issue the token, say on stderr until when it lasts, and return the key."""
    if revoke_others:
        ended = tokens.revoke_all_tokens(user)
        command.stderr.write(f"{ended} earlier token(s) of {user.username} revoked.")
    instance, key = tokens.issue_token(user, lifetime=lifetime)
    command.stderr.write(
        f"Token of {user.username} valid until {instance.expiry.isoformat(timespec='minutes')}."
    )
    return key
