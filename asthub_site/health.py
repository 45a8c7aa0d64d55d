"""GET /healthz: 200 when the database and the broker answer, 503 naming what failed.

Under `run_hub` it also reads the supervisor's status file: a child that is down (between
its exit and its restart) makes the answer 200 `degraded`, naming it, since the web still
serves. Without a recent status file (the web run on its own) children are not checked.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from asthub_site.celery import app as celery_app
from asthub_site.supervision import problems_from_status, status_path

log = logging.getLogger(__name__)


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; report its kind
        return f"database: {type(exc).__name__}: {exc}".strip()
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if conn.transport_cls in {"redis", "rediss"}:
                conn.default_channel.client.ping()
    except Exception as exc:  # any failure means "not healthy"; report its kind
        return f"broker: {type(exc).__name__}: {exc}".strip()
    return None


def healthz(request):
    problems = [problem for problem in (_check_database(), _check_broker()) if problem]
    if problems:
        log.warning("health check failed: %s", "; ".join(problems))
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    children = problems_from_status(status_path(settings.VAR_DIR))
    if children:
        return JsonResponse(
            {"status": "degraded", "problems": children, "database": "ok", "broker": "ok"}
        )
    return JsonResponse({"status": "ok", "database": "ok", "broker": "ok"})
