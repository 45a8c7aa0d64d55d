from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the OpenAPI auth extension; connects what drops cached tokens.
        from accounts import auth_cache, schema  # noqa: F401
