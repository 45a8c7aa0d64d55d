"""The operators' console. Secrets never appear: credentials and tokens show masks only."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.models import ApiToken, AppConnection, AuditEvent, PlatformCredential, User
from accounts.oauth_server.presenters import client_label
from accounts.oauth_server.services import revoke_connection
from accounts.sign_in_forms import AdminSignInForm
from billing.selectors import usage_for

# The admin's password form goes through the same sign-in throttle as the portal's.
admin.site.login_form = AdminSignInForm


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "plan", "jobs_this_month", "active_tokens", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_active", "subscription__plan"]
    search_fields = ["email"]
    list_select_related = ["subscription"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="Plan")
    def plan(self, user):
        return usage_for(user).plan_title

    @admin.display(description="Jobs this month")
    def jobs_this_month(self, user):
        line = next(line for line in usage_for(user).lines if line.name == "monthly_jobs")
        return f"{line.used} / {line.limit}"

    @admin.display(description="Active tokens")
    def active_tokens(self, user):
        return ApiToken.objects.for_user(user).active().count()


@admin.register(PlatformCredential)
class PlatformCredentialAdmin(ReadOnlyAdmin):
    list_display = ["owner", "provider", "label", "kind", "masked", "created_at", "last_used_at"]
    list_filter = ["provider", "kind"]
    search_fields = ["owner__email", "label"]
    # The ciphertext is left out on purpose: operators never need it, and it is a secret.
    fields = ["owner", "provider", "label", "kind", "masked", "external_username", "created_at"]
    readonly_fields = fields

    @admin.display(description="Secret")
    def masked(self, credential):
        return f"…{credential.last_four}"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["owner", "name", "masked", "scope_list", "created_at", "expires_at"]
    list_display += ["last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["owner__email", "name"]
    fields = ["owner", "name", "masked", "scopes", "created_at", "expires_at", "last_used_at"]
    fields += ["revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Scopes")
    def scope_list(self, token):
        return ", ".join(token.scopes)

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("owner"):
            services.revoke_token(user=token.owner, token_id=token.pk, actor=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # Needed for the revoke action to appear; every field stays read-only.
        return request.user.is_staff


@admin.register(AppConnection)
class AppConnectionAdmin(ReadOnlyAdmin):
    """OAuth clients people allowed on /mcp; disconnecting goes through the service, so
    every token dies and an audit row names the operator."""

    list_display = ["owner", "client", "scope_list", "connected_at", "last_used_at"]
    search_fields = ["owner__email", "application__name", "application__client_id"]
    fields = ["owner", "application", "scopes", "connected_at", "last_used_at"]
    readonly_fields = fields
    list_select_related = ["owner", "application"]
    actions = ["disconnect"]

    @admin.display(description="App")
    def client(self, connection):
        return client_label(connection.application)

    @admin.display(description="Scopes")
    def scope_list(self, connection):
        return ", ".join(connection.scopes)

    @admin.action(description="Disconnect selected apps (their tokens end)")
    def disconnect(self, request, queryset):
        count = 0
        for connection in queryset.select_related("owner"):
            revoke_connection(
                user=connection.owner, connection_id=connection.pk, actor=request.user
            )
            count += 1
        self.message_user(request, f"Disconnected {count} app(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff  # for the action; every field stays read-only


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["user__email", "actor__email", "action"]
    date_hierarchy = "created_at"
    fields = ["created_at", "user", "actor", "action", "target_type", "target_id", "detail"]
    readonly_fields = fields
