"""One shape of a connected app for the portal, REST and the CLI."""

from accounts.models import AppConnection
from accounts.oauth_server.services import client_label, redirect_hosts


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
