"""Reads for OAuth connections. Every query starts from the user."""

from accounts.models import AppConnection


def connections_for(user):
    return AppConnection.objects.for_user(user).select_related("application")
