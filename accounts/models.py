"""Users, platform credentials, API tokens and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from accounts import invalidation


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A tenant. People sign in with their e-mail address; there is no username."""

    username = None
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class TenantQuerySet(models.QuerySet):
    def for_user(self, user) -> "TenantQuerySet":
        return self.filter(owner=user)


class Provider(models.TextChoices):
    KAGGLE = "kaggle", "Kaggle"
    HUGGINGFACE = "huggingface", "Hugging Face"


class CredentialKind(models.TextChoices):
    ACCESS_TOKEN = "access_token", "Access token"
    USERNAME_KEY = "username_key", "Username and key"
    OAUTH = "oauth", "OAuth connection"


class PlatformCredential(models.Model):
    """A secret for an external platform, encrypted at rest and bound to its owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    label = models.CharField(max_length=64)
    # MultiFernet token of a JSON object; the owner's id is part of the plaintext so a
    # ciphertext copied onto another user's row refuses to decrypt for them.
    ciphertext = models.TextField()
    last_four = models.CharField(max_length=4)
    external_username = models.CharField(max_length=150, blank=True)
    # OAuth connections: the provider's stable account id (OIDC `sub`). "Sign in with
    # Hugging Face" finds the hub account by it, so one HF account links one hub account.
    external_subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "label"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "provider", "label"], name="unique_label"),
            models.UniqueConstraint(
                fields=["provider", "external_subject"],
                condition=~models.Q(external_subject=""),
                name="one_hub_account_per_provider_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.label} (…{self.last_four})"


class Scope(models.TextChoices):
    JOBS_READ = "jobs:read", "Read jobs, metrics and credentials (names only)"
    JOBS_WRITE = "jobs:write", "Start and cancel jobs, manage credentials"
    MODELS_WRITE = "models:write", "Publish models and cards"
    BILLING_READ = "billing:read", "Read plan and usage"
    BILLING_WRITE = "billing:write", "Start an upgrade and open billing management"


ALL_SCOPES = [scope.value for scope in Scope]


class ApiTokenQuerySet(TenantQuerySet):
    def active(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def update(self, **fields):
        # A bulk update sends no signal: drop the lookups kept in memory (accounts.auth_cache)
        # of the tokens it changes, unless it only notes when they were last used.
        if set(fields) <= {"last_used_at"}:
            return super().update(**fields)
        digests = list(self.values_list("digest", flat=True))
        updated = super().update(**fields)
        for digest in digests:
            invalidation.invalidate(invalidation.API_TOKEN, digest)
        return updated


class ApiToken(models.Model):
    """One token serves REST, MCP and the CLI. Only its HMAC digest is stored."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    last_four = models.CharField(max_length=4)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (asthub_…{self.last_four})"

    @property
    def masked(self) -> str:
        return f"asthub_…{self.last_four}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class AuditEvent(models.Model):
    """An append-only record of every change to credentials, tokens and plans."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="audit_events",
        help_text="The tenant whose data changed.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made the change (an operator, or the tenant).",
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class AppConnection(models.Model):
    """A person's consent to one OAuth client (an MCP connector): what the Connected apps
    page lists and revokes. Its tokens live in django-oauth-toolkit's tables."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_connections"
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scopes = models.JSONField(default=list)
    connected_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-connected_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "application"], name="one_connection_per_app")
        ]

    def __str__(self) -> str:
        return f"{self.application.name or self.application.client_id} for {self.owner}"
