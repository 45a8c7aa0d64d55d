"""Subscriptions, per-account limit overrides and the job-slot counters."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts import invalidation


class PlanRowQuerySet(models.QuerySet):
    """A bulk update sends no signal: it drops the affected accounts' plans kept in memory
    (billing.plan_cache) itself, as the models' signals do for a save or a delete."""

    # The fields that change the plan; None: every field does.
    plan_fields: frozenset[str] | None = None

    def update(self, **fields):
        if self.plan_fields is not None and not self.plan_fields.intersection(fields):
            return super().update(**fields)
        user_ids = list(self.values_list("user_id", flat=True))
        updated = super().update(**fields)
        for user_id in user_ids:
            invalidation.invalidate(invalidation.PLAN, user_id)
        return updated


class SubscriptionQuerySet(PlanRowQuerySet):
    plan_fields = frozenset({"plan"})


class PlanName(models.TextChoices):
    FREE = "free", "Free"
    PRO = "pro", "Pro"
    ENTERPRISE = "enterprise", "Enterprise"


class Subscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.CharField(max_length=20, choices=PlanName.choices, default=PlanName.FREE)
    # Stripe's subscription status (active, trialing, past_due, canceled, ...); "active"
    # for accounts that never subscribed.
    status = models.CharField(max_length=20, default="active")
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True)
    stripe_price_id = models.CharField(max_length=64, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Cancelled in the Customer Portal: Pro until current_period_end, then Free.
    cancel_at_period_end = models.BooleanField(default=False)
    # When the subscription went past_due; Pro lasts BILLING_PAST_DUE_GRACE_DAYS from here.
    past_due_since = models.DateTimeField(null=True, blank=True)
    # When the Stripe state above was last read from Stripe.
    stripe_synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user} · {self.get_plan_display()}"


class PlanOverride(models.Model):
    """Per-account exceptions to the plan, edited by operators in the admin.

    For each limit: empty means "as the plan says"; `unlimited_<name>` lifts it entirely.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_override"
    )
    monthly_jobs = models.PositiveIntegerField(null=True, blank=True)
    unlimited_monthly_jobs = models.BooleanField(default=False)
    concurrent_jobs = models.PositiveIntegerField(null=True, blank=True)
    unlimited_concurrent_jobs = models.BooleanField(default=False)
    max_runtime_hours = models.PositiveIntegerField(null=True, blank=True)
    unlimited_max_runtime_hours = models.BooleanField(default=False)
    artifact_storage_gb = models.PositiveIntegerField(null=True, blank=True)
    unlimited_artifact_storage_gb = models.BooleanField(default=False)
    api_tokens = models.PositiveIntegerField(null=True, blank=True)
    unlimited_api_tokens = models.BooleanField(default=False)
    api_requests_per_minute = models.PositiveIntegerField(null=True, blank=True)
    unlimited_api_requests_per_minute = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanRowQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Overrides for {self.user}"


class JobSlots(models.Model):
    """The counters that quota reservations update in one conditional statement.

    `period_start` is the first day of the month the `jobs_this_period` count belongs to;
    a reservation in a later month restarts the count in the same UPDATE.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_slots"
    )
    period_start = models.DateField(default=timezone.now)
    jobs_this_period = models.PositiveIntegerField(default=0)
    running_jobs = models.PositiveIntegerField(default=0)
    # Bytes held in the artifact store (runs' outputs and local copies of models),
    # counted as each file is written.
    artifact_bytes = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "job slots"

    def __str__(self) -> str:
        return f"{self.user}: {self.jobs_this_period} this month, {self.running_jobs} running"


class StripeEvent(models.Model):
    """A Stripe webhook event, stored in the transaction that applied it: its unique id
    makes a replayed or re-delivered event a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
