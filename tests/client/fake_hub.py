"""An in-memory stand-in for the hub's REST API v1, per /work/contracts/jobs_api.md."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx

URL = "http://hub.test"
TOKEN = "asthub_test_token"
DROP = object()  # In an event script: the connection breaks here.
# In an event script a callable runs when the stream reaches it and returns the bytes to send,
# so a test can change the server's state at that moment.


def make_job(job_id: int, status: str = "queued", **overrides: Any) -> dict[str, Any]:
    job = {
        "id": job_id,
        "name": f"digits-{job_id}",
        "status": status,
        "platform": "local",
        "dataset": "digits",
        "model": "mlp",
        "epochs": 3,
        "batch_size": 128,
        "learning_rate": 0.001,
        "seed": 0,
        "hardware": "cpu",
        "ast_config": {"target_activation_rate": 0.4, "entropy_weight": 0.3},
        "is_baseline": False,
        "baseline_id": None,
        "sweep_id": None,
        "auto_upload_hf": False,
        "hf_repo": "",
        "external_id": "",
        "failure_reason": "",
        "created_at": "2026-11-24T10:00:00Z",
        "started_at": None,
        "finished_at": None,
        "engine_version": "1.0.0",
        "script_sha256": "ab" * 32,
        "progress": None,
    }
    job.update(overrides)
    return job


def metric_point(epoch: int, epochs: int = 3, **overrides: Any) -> dict[str, Any]:
    point = {
        "epoch": epoch,
        "epochs": epochs,
        "step": epoch * 10,
        "train_loss": 1.0 / epoch,
        "val_accuracy": 0.8 + epoch / 100,
        "activation_rate": 0.41,
        "threshold": 0.5,
        "compute_savings": 0.3,
        "energy_savings": 0.25,
        "eta_seconds": (epochs - epoch) * 6,
    }
    point.update(overrides)
    return point


def sse(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()


def error(status: int, code: str, message: str, **extra: Any) -> httpx.Response:
    headers = extra.pop("headers", None)
    return httpx.Response(
        status, json={"error": {"code": code, "message": message, **extra}}, headers=headers
    )


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: list[Any]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if chunk is DROP:
                raise httpx.ReadError("connection reset by peer")
            yield chunk() if callable(chunk) else chunk


class FakeHub:
    """Routes requests like the real server; tests script the parts under test.

    `upcoming[(method, path)]` holds responses (or exceptions) served before the normal
    route answers; `event_scripts[job_id]` holds one chunk list per SSE connection.
    """

    def __init__(self) -> None:
        self.jobs: dict[int, dict[str, Any]] = {}
        self.points: dict[int, list[dict[str, Any]]] = {}
        self.event_scripts: dict[int, list[list[Any]]] = {}
        self.artifacts: dict[int, list[tuple[str, bytes, str]]] = {}
        # Successive reads of a job see these statuses in turn (the last one sticks).
        self.status_sequence: dict[int, list[tuple[str, str]]] = {}
        self.upcoming: dict[tuple[str, str], list[Any]] = {}
        self.sweeps: dict[int, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.next_id = 100

    def add_job(self, job_id: int, status: str = "queued", **overrides: Any) -> dict[str, Any]:
        self.jobs[job_id] = make_job(job_id, status, **overrides)
        return self.jobs[job_id]

    def add_sweep(self, sweep_id: int, grid: dict[str, list[Any]], runs: list[dict]) -> None:
        """A sweep whose runs are the given jobs (make_job overrides), one per grid point."""
        self.sweeps[sweep_id] = {"id": sweep_id, "name": f"sweep-{sweep_id}", "grid": grid}
        for run in runs:
            job = dict(run)
            self.add_job(job.pop("id"), job.pop("status", "queued"), sweep_id=sweep_id, **job)

    def queue(self, method: str, path: str, *responses: Any) -> None:
        self.upcoming.setdefault((method, path), []).extend(responses)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def requests_to(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    # -- routing -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        scripted = self.upcoming.get((request.method, request.url.path))
        if scripted:
            answer = scripted.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if request.url.host != "hub.test":
            return self._foreign(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return error(401, "authentication_failed", "Invalid token.")
        for pattern, route in self._routes():
            match = re.fullmatch(pattern, f"{request.method} {request.url.path}")
            if match:
                return route(request, *(int(group) for group in match.groups()))
        return error(404, "not_found", "Not found.")

    def _routes(self):
        return [
            (r"GET /api/v1/me", self._me),
            (r"GET /api/v1/usage", self._usage),
            (r"POST /api/v1/jobs/", self._start),
            (r"GET /api/v1/jobs/", self._list),
            (r"GET /api/v1/jobs/(\d+)/", self._job),
            (r"POST /api/v1/jobs/(\d+)/cancel/", self._cancel),
            (r"POST /api/v1/jobs/(\d+)/rerun/", self._rerun),
            (r"GET /api/v1/jobs/(\d+)/metrics/", self._metrics),
            (r"GET /api/v1/jobs/(\d+)/events", self._events),
            (r"POST /api/v1/compare/", self._compare),
            (r"POST /api/v1/jobs/(\d+)/model-card/", self._create_card),
            (r"GET /api/v1/jobs/(\d+)/artifacts/", self._artifacts),
            (r"GET /api/v1/jobs/(\d+)/artifacts/(\d+)/download", self._download),
            (r"POST /api/v1/sweeps/", self._start_sweep),
            (r"GET /api/v1/sweeps/(\d+)/", self._sweep),
        ]

    def _me(self, request):
        return httpx.Response(
            200,
            json={
                "id": 1,
                "email": "alice@example.com",
                "plan": "free",
                "token_scopes": ["jobs:read"],
            },
        )

    def _usage(self, request):
        limits = {
            "jobs_per_month": {"label": "Training jobs a month", "limit": 10, "unlimited": False,
                               "used": 2, "unit": "jobs"},
        }  # fmt: skip
        return httpx.Response(
            200,
            json={"plan": "free", "plan_title": "Free", "resets_at": "2026-12-01T00:00:00Z",
                  "limits": limits},
        )  # fmt: skip

    def _start(self, request):
        body = json.loads(request.content)
        job_id = self.next_id
        self.next_id += 1
        overrides = {k: v for k, v in body.items() if k not in ("with_baseline",)}
        if body.get("with_baseline"):
            # The hub starts the paired plain run too; the AST run names it.
            overrides["baseline_id"] = job_id + 1000
            baseline = {**overrides, "baseline_id": None, "ast_config": {}}
            if job_id + 1000 not in self.jobs:
                self.add_job(job_id + 1000, is_baseline=True, **baseline)
        return httpx.Response(201, json=self.add_job(job_id, **overrides))

    def _list(self, request):
        query = parse_qs(request.url.query.decode())
        page = int(query.get("page", ["1"])[0])
        size = int(query.get("page_size", ["50"])[0])
        jobs = [self._advance(job_id) for job_id in sorted(self.jobs, reverse=True)]
        if "sweep" in query:
            jobs = [job for job in jobs if job["sweep_id"] == int(query["sweep"][0])]
        if "status" in query:
            jobs = [job for job in jobs if job["status"] == query["status"][0]]
        chunk = jobs[(page - 1) * size : page * size]
        more = page * size < len(jobs)
        # Like DRF behind a proxy: the link names the host the server saw, not the client's.
        next_url = f"http://internal:8000/api/v1/jobs/?page={page + 1}&page_size={size}"
        return httpx.Response(
            200,
            json={"count": len(jobs), "next": next_url if more else None, "previous": None,
                  "results": chunk},
        )  # fmt: skip

    def _job(self, request, job_id):
        if job_id not in self.jobs:
            return error(404, "not_found", f"No job {job_id}.")
        return httpx.Response(200, json=self._advance(job_id))

    def _advance(self, job_id):
        """The job as this read sees it: the next status of its status_sequence, if any."""
        sequence = self.status_sequence.get(job_id)
        if sequence:
            status, reason = sequence.pop(0) if len(sequence) > 1 else sequence[0]
            self.jobs[job_id].update(status=status, failure_reason=reason)
        return self.jobs[job_id]

    def _cancel(self, request, job_id):
        job = self.jobs[job_id]
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return error(409, "conflict", f"Job {job_id} has already finished.")
        job["status"] = "cancelled"
        return httpx.Response(200, json=job)

    def _rerun(self, request, job_id):
        source = dict(self.jobs[job_id])
        new_id = self.next_id
        self.next_id += 1
        source.update(id=new_id, status="queued", progress=None)
        self.jobs[new_id] = source
        return httpx.Response(201, json=source)

    def _metrics(self, request, job_id):
        after = int(parse_qs(request.url.query.decode()).get("after_epoch", ["0"])[0])
        points = [p for p in self.points.get(job_id, []) if p["epoch"] > after]
        return httpx.Response(200, json={"job_id": job_id, "points": points})

    def _events(self, request, job_id):
        scripts = self.event_scripts.get(job_id)
        if not scripts:
            return error(404, "not_found", "No event stream.")
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Stream(scripts.pop(0))
        )

    def _compare(self, request):
        body = json.loads(request.content)
        return httpx.Response(
            200,
            json={**body, "baseline_run_id": body.get("baseline_run_id"),
                  "estimated": "baseline_run_id" not in body, "energy_savings": 0.25,
                  "markdown": "| metric | AST | baseline |", "latex": "\\begin{tabular}{lll}"},
        )  # fmt: skip

    def _create_card(self, request, job_id):
        template = json.loads(request.content)["template"]
        return httpx.Response(
            201,
            json={"job_id": job_id, "template": template, "markdown": f"# Card ({template})\n",
                  "badges": [], "plots": [], "created_at": "2026-11-24T10:00:00Z"},
        )  # fmt: skip

    def _artifacts(self, request, job_id):
        listing = [
            {"name": name, "size": len(content), "sha256": sha, "url": url}
            for name, content, sha, url in self._artifact_rows(job_id)
        ]
        return httpx.Response(200, json=listing)

    def _artifact_rows(self, job_id):
        for index, (name, content, url) in enumerate(self.artifacts.get(job_id, [])):
            sha = hashlib.sha256(content).hexdigest()
            yield (
                name,
                content,
                sha,
                url or f"{URL}/api/v1/jobs/{job_id}/artifacts/{index}/download",
            )

    def _download(self, request, job_id, index):
        return httpx.Response(200, content=self.artifacts[job_id][index][1])

    def _foreign(self, request):
        for rows in self.artifacts.values():
            for _, content, url in rows:
                if url == str(request.url):
                    return httpx.Response(200, content=content)
        return httpx.Response(404)

    def _start_sweep(self, request):
        body = json.loads(request.content)
        return httpx.Response(
            201,
            json={"id": 7, "created_at": "2026-11-24T10:00:00Z", "spec": body["spec"],
                  "grid": body["grid"], "job_ids": [201, 202, 203, 204], "summary": {}},
        )  # fmt: skip

    def _sweep(self, request, sweep_id):
        """Ranked like the hub: succeeded runs by accuracy, then savings; others unranked."""
        if sweep_id not in self.sweeps:
            return error(404, "not_found", f"No sweep {sweep_id}.")
        sweep = self.sweeps[sweep_id]
        runs = sorted(
            (job for job in self.jobs.values() if job["sweep_id"] == sweep_id),
            key=lambda job: job["id"],
        )
        points = [
            {
                "job_id": job["id"],
                "params": {key: job["ast_config"].get(key) for key in sorted(sweep["grid"])},
                "status": job["status"],
                "val_accuracy": (job["progress"] or {}).get("val_accuracy"),
                "compute_savings": (job["progress"] or {}).get("compute_savings"),
                "rank": None,
            }
            for job in runs
        ]
        ranked = sorted(
            (p for p in points if p["status"] == "succeeded" and p["val_accuracy"] is not None),
            key=lambda p: (-p["val_accuracy"], -(p["compute_savings"] or 0.0), p["job_id"]),
        )
        for position, point in enumerate(ranked, start=1):
            point["rank"] = position
        others = [p for p in points if p["rank"] is None]
        summary = {
            "points": ranked + others,
            "best_job_id": ranked[0]["job_id"] if ranked else None,
        }
        return httpx.Response(
            200,
            json={**sweep, "created_at": "2026-11-24T10:00:00Z", "spec": {},
                  "job_ids": [job["id"] for job in runs], "summary": summary},
        )  # fmt: skip
