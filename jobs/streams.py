"""GET /api/v1/jobs/{id}/events: status changes and metric points as server-sent events.

The database is read for every message sent, so nothing is lost or sent twice; Redis
pub/sub (when configured) only wakes the stream up the moment a worker writes, so an
epoch reaches the client well within a second. Without Redis the stream polls.
"""

import json
import time

from asgiref.sync import sync_to_async
from django.http import JsonResponse, StreamingHttpResponse

from accounts.models import ALL_SCOPES
from accounts.services import authenticate_token
from asthub_site.ids import MAX_ID, non_negative_int
from jobs.events import Waker, channel_for
from jobs.models import MetricPoint, TrainingJob
from jobs.state import TERMINAL

KEEPALIVE_SECONDS = 15.0


def _error(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _authenticate(request):
    """Return (user, scopes) from a bearer token or the portal session, else (None, [])."""
    header = request.headers.get("Authorization", "")
    if header:
        kind, _, raw = header.partition(" ")
        token = authenticate_token(raw.strip()) if kind.lower() == "bearer" else None
        return (token.owner, list(token.scopes)) if token else (None, [])
    if request.user.is_authenticated:
        return request.user, list(ALL_SCOPES)
    return None, []


def _snapshot(job_id: int, after_epoch: int) -> tuple[str, str, list[dict]]:
    status, reason = TrainingJob.objects.filter(pk=job_id).values_list("status", "failure_reason")[
        0
    ]
    points = [
        {**point.data, "job_id": job_id}
        for point in MetricPoint.objects.filter(job_id=job_id, epoch__gt=after_epoch).order_by(
            "epoch"
        )
    ]
    return status, reason, points


def _message(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n".encode()


async def _stream(job_id: int, after_epoch: int):
    async with Waker(channel_for(job_id)) as waker:
        last_status = None
        last_sent = time.monotonic()
        while True:
            # Subscribing before reading means a write between the two still wakes us.
            status, reason, points = await sync_to_async(_snapshot)(job_id, after_epoch)
            if status != last_status:
                yield _message("status", {"job_id": job_id, "status": status,
                                          "failure_reason": reason})  # fmt: skip
                last_status = status
                last_sent = time.monotonic()
            for point in points:
                yield _message("metric", point)
                after_epoch = max(after_epoch, int(point.get("epoch", after_epoch)))
                last_sent = time.monotonic()
            if status in TERMINAL:
                yield _message("end", {"job_id": job_id, "status": status})
                return
            if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                yield b": keepalive\n\n"
                last_sent = time.monotonic()
            await waker.wait()


async def job_events(request, job_id: int):
    user, scopes = await sync_to_async(_authenticate)(request)
    if user is None:
        return _error(401, "not_authenticated", "Invalid, revoked or expired token.",
                      WWW_Authenticate='Bearer realm="asthub"')  # fmt: skip
    if "jobs:read" not in scopes:
        return _error(403, "permission_denied", "This token lacks the 'jobs:read' scope.")
    exists = await TrainingJob.objects.for_user(user).filter(pk=job_id).aexists()
    if not exists:
        return _error(404, "not_found", f"No training job {job_id}.")
    after = non_negative_int(request.GET.get("after_epoch", "0"))
    if after is None:
        return _error(
            400, "invalid", f"after_epoch must be a non-negative integer (at most {MAX_ID})."
        )
    response = StreamingHttpResponse(_stream(job_id, after), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let nginx-like proxies pass events through at once
    return response
