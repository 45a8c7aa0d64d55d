"""Billing's announcements to the apps above it (billing imports none of them)."""

from django.dispatch import Signal

# Sent after the transaction that changed an account's plan commits: user_id, old, new.
plan_changed = Signal()
