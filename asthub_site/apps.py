from django.apps import AppConfig


class AsthubSiteConfig(AppConfig):
    name = "asthub_site"
    verbose_name = "AST Training Hub"

    def ready(self) -> None:
        # The web server configured its logging before it loaded the app.
        from asthub_site.log_redaction import install_on_server_handlers

        install_on_server_handlers()
