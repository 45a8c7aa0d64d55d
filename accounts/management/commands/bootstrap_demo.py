"""Create the demo account on first start and print how to use it (`make run`)."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import ApiToken, User
from accounts.services import create_token, revoke_token, sign_up
from billing.payments.config import billing_configured

DEMO_EMAIL = "demo@asthub.local"
DEMO_TOKEN_NAME = "make-run"  # noqa: S105 (a label, not a secret)


class Command(BaseCommand):
    help = "Ensure a demo account exists and print its credentials and a fresh API token."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=settings.PUBLIC_BASE_URL)

    def handle(self, *args, base_url, **options):
        user = User.objects.filter(email=DEMO_EMAIL).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = sign_up(email=DEMO_EMAIL, password=password)
        # Each start replaces the previous make-run token so the free plan's token limit
        # is never used up by restarts.
        for old in ApiToken.objects.for_user(user).active().filter(name=DEMO_TOKEN_NAME):
            revoke_token(user=user, token_id=old.pk)
        _, raw = create_token(
            user=user,
            name=DEMO_TOKEN_NAME,
            scopes=["jobs:read", "jobs:write", "models:write", "billing:read", "billing:write"],
        )
        base_url = base_url.rstrip("/")
        lines = [
            "",
            "AST Training Hub is starting at " + base_url + "/",
            f"  demo account : {DEMO_EMAIL}",
            f"  password     : {password}"
            if password
            else "  password     : (set on first start; reset it with "
            "`.venv/bin/python manage.py changepassword demo@asthub.local`)",
            f"  API token    : {raw}",
            f'  REST         : curl -H "Authorization: Bearer {raw}" {base_url}/api/v1/me',
            f"  MCP (OAuth)  : claude mcp add --transport http asthub {base_url}/mcp "
            "(no token: the client sends you here to allow it)",
            f"  MCP (Claude) : claude mcp add --transport http asthub {base_url}/mcp "
            f'--header "Authorization: Bearer {raw}"',
            f"  API docs     : {base_url}/api/docs/",
            "  billing      : "
            + (
                f"Stripe; point its webhook at {base_url}/billing/stripe/webhook/"
                if billing_configured()
                else "off (set STRIPE_SECRET_KEY and STRIPE_PRICE_PRO to bill)"
            ),
            "",
        ]
        self.stdout.write("\n".join(lines))
