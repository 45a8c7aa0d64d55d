from django.apps import AppConfig


class AsthubSiteConfig(AppConfig):
    name = "asthub_site"
    verbose_name = "AST Training Hub"
