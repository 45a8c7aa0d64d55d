"""Print a new API token for a user (for operators and scripts)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.services import create_token
from asthub_site.errors import HubError


class Command(BaseCommand):
    help = "Create an API token for EMAIL and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--scopes", default="jobs:read,jobs:write,models:write,billing:read,billing:write"
        )
        parser.add_argument("--name", default="cli")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, email, scopes, name, expires_in_days, **options):
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email!r}.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            _, raw = create_token(
                user=user,
                name=name,
                scopes=[scope.strip() for scope in scopes.split(",") if scope.strip()],
                expires_at=expires_at,
            )
        except HubError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
