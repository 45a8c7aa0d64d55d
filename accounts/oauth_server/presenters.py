"""How a registered client and a connected app are described, once, for the consent
page, the portal, REST, the CLI, the admin and audit rows."""

from urllib.parse import urlsplit

from oauth2_provider.models import Application

from accounts.models import AppConnection


def client_label(application: Application) -> str:
    return application.name or f"Unnamed client {application.client_id[:8]}"


def redirect_hosts(application: Application) -> list[str]:
    hosts = []
    for uri in application.redirect_uris.split():
        parts = urlsplit(uri)
        host = parts.netloc or f"{parts.scheme}:"
        if host not in hosts:
            hosts.append(host)
    return hosts


def present_connection(connection: AppConnection) -> dict:
    application = connection.application
    return {
        "id": connection.pk,
        "name": client_label(application),
        "client_id": application.client_id,
        "redirect_hosts": redirect_hosts(application),
        "scopes": list(connection.scopes),
        "connected_at": connection.connected_at,
        "last_used_at": connection.last_used_at,
    }
