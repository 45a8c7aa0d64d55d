"""The Celery application: broker and schedule come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

# Registers the "sqlite-broker://" scheme of the embedded broker (settings without REDIS_URL).
import asthub_site.embedded_broker  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")

app = Celery("asthub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_ambient_credentials(**kwargs) -> None:
    # Workers hold users' decrypted credentials: an operator's token in their
    # environment would be used whenever a user's is missing.
    from django.core.exceptions import ImproperlyConfigured

    from asthub_site.ambient_credentials import refuse_ambient_platform_credentials

    try:
        refuse_ambient_platform_credentials()
    except ImproperlyConfigured as error:
        # Celery logs and swallows an Exception raised by a signal handler; SystemExit is
        # what actually stops the worker.
        raise SystemExit(str(error)) from None
