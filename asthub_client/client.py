"""The Python SDK: one method per endpoint of the hub's REST API v1."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from asthub_client.config import resolve_settings
from asthub_client.errors import (
    AstHubError,
    ConnectionFailed,
    NotFound,
    RateLimited,
    ServerError,
    error_from_response,
)
from asthub_client.models import Event, Job, progress_from_point
from asthub_client.retry import RetryPolicy
from asthub_client.sse import HEARTBEAT, parse_sse

USER_AGENT = "asthub-client/0.1"
# The server sends a keepalive comment every ~15 s; four missed ones mean the link is dead.
STREAM_READ_TIMEOUT = 60.0
# Failures worth a retry for a GET; others (a malformed URL, say) would fail the same way again.
_RETRYABLE_TRANSPORT_ERRORS = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

UpdateCallback = Callable[[Job], None]
# The most log lines the hub answers at once: a follower asks for that many after its cursor.
FOLLOW_PAGE_LINES = 2000


class Client:
    """A session with one hub for one API token.

    `url` and `token` default to ASTHUB_URL / ASTHUB_TOKEN, then the config file written by
    `asthub login`. `transport` replaces the network (tests pass an httpx.MockTransport).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        settings = resolve_settings(url, token)
        self.url = settings.url
        self.timeout = timeout
        self._retry = retry or RetryPolicy()
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        self._http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- account -----------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return self._get_json("/api/v1/me")

    def usage(self) -> dict[str, Any]:
        return self._get_json("/api/v1/usage")

    def start_checkout(self) -> str:
        """A Stripe Checkout URL that upgrades the account to Pro (open it in a browser)."""
        return self._json(self._send("POST", "/api/v1/billing/checkout"))["url"]

    def billing_portal(self) -> str:
        """A Stripe Customer Portal URL: card, invoices, cancellation."""
        return self._json(self._send("POST", "/api/v1/billing/portal"))["url"]

    # -- jobs --------------------------------------------------------------------------

    def start(self, spec: dict[str, Any]) -> Job:
        """Start a training job; `spec` is the body of POST /api/v1/jobs/."""
        return Job.from_dict(self._json(self._send("POST", "/api/v1/jobs/", json=spec)))

    def start_training(self, **spec: Any) -> Job:
        return self.start(spec)

    def check(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Check a spec against the catalog, the platform and the plan; starts nothing."""
        return self._json(self._send("POST", "/api/v1/jobs/check", json=spec))

    def catalog(
        self,
        query: str = "",
        kind: str | None = None,
        platform: str | None = None,
        page_size: int = 100,
    ) -> dict[str, Any]:
        """One page of catalog entries (data sets and models), best matches first."""
        params = {"q": query, "kind": kind, "platform": platform, "page_size": page_size}
        return self._get_json(
            "/api/v1/catalog", params={k: v for k, v in params.items() if v not in (None, "")}
        )

    def list_jobs(
        self,
        status: str | None = None,
        platform: str | None = None,
        is_baseline: bool | None = None,
        sweep: int | None = None,
        page_size: int = 50,
    ) -> Iterator[Job]:
        """Every matching job, newest first, fetching further pages only as they are needed."""
        params: dict[str, Any] = {"page_size": page_size}
        if status:
            params["status"] = status
        if platform:
            params["platform"] = platform
        if is_baseline is not None:
            params["is_baseline"] = "true" if is_baseline else "false"
        if sweep is not None:
            params["sweep"] = sweep
        for item in self._paginate("/api/v1/jobs/", params):
            yield Job.from_dict(item)

    def get_job(self, job_id: int) -> Job:
        return Job.from_dict(self._get_json(f"/api/v1/jobs/{int(job_id)}/"))

    def cancel(self, job_id: int, *, confirm: bool = False) -> Job:
        """Cancel a job. A Kaggle run cannot be stopped on Kaggle: without `confirm` the
        hub answers 409 (Conflict) saying so; with it the hub stops following the run."""
        body = {"confirm": True} if confirm else None
        path = f"/api/v1/jobs/{int(job_id)}/cancel/"
        return Job.from_dict(self._json(self._send("POST", path, json=body)))

    def rerun(self, job_id: int) -> Job:
        return Job.from_dict(self._json(self._send("POST", f"/api/v1/jobs/{int(job_id)}/rerun/")))

    def metrics(self, job_id: int, after_epoch: int | None = None) -> list[dict[str, Any]]:
        """The job's metric points in epoch order."""
        params = {} if after_epoch is None else {"after_epoch": after_epoch}
        body = self._get_json(f"/api/v1/jobs/{int(job_id)}/metrics/", params=params)
        return list(body.get("points") or [])

    def logs(
        self, job_id: int, tail: int | None = None, after: str | None = None
    ) -> dict[str, Any]:
        """A page of the job's log: {"job_id", "lines", "cursor", "complete", "source"}.

        Without `after`, the last `tail` lines (the hub's default 200, at most 2000); with
        a `cursor` from an earlier page, the lines written after it, oldest first."""
        params: dict[str, Any] = {}
        if tail is not None:
            params["tail"] = tail
        if after is not None:
            params["after"] = after
        return self._get_json(f"/api/v1/jobs/{int(job_id)}/logs", params=params)

    def follow_logs(self, job_id: int, tail: int | None = None, poll: float = 2.0) -> Iterator[str]:
        """The log's last `tail` lines, then each new line as it is written, until the run
        has ended and every line has been read. A hub or platform that is briefly busy
        (503, a dropped connection) is waited out, not raised."""
        page = self.logs(job_id, tail=tail)
        yield from page.get("lines") or []
        while not page.get("complete"):
            if len(page.get("lines") or []) < FOLLOW_PAGE_LINES:
                self._retry.sleep(poll)
            try:
                page = self.logs(job_id, tail=FOLLOW_PAGE_LINES, after=page["cursor"])
            except (ServerError, ConnectionFailed):
                page = {**page, "lines": []}
                continue
            yield from page.get("lines") or []

    def events(self, job_id: int, after_epoch: int | None = None) -> Iterator[Event]:
        """Live events of a job until its `end` event; a dropped stream is resumed."""
        for event in self._event_stream(job_id, after_epoch):
            if event is not HEARTBEAT:
                yield event

    def wait(
        self,
        job_id: int,
        poll: float = 2.0,
        timeout: float | None = None,
        on_update: UpdateCallback | None = None,
    ) -> Job:
        """Block until the job finishes and return it; `on_update` sees each change.

        Follows the event stream; if the stream cannot be used, polls get_job every `poll`
        seconds instead. Raises TimeoutError when `timeout` seconds pass first (checked as
        events and keepalives arrive, so it may overshoot by one keepalive interval).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        notify = on_update or (lambda job: None)
        job = self.get_job(job_id)
        notify(job)
        if job.is_terminal:
            return job
        try:
            for event in self._event_stream(job_id):
                _check_deadline(deadline, job_id)
                if event.kind == "end":
                    break
                if event.kind == "status" and event.data.get("status") != job.status:
                    job.status = str(event.data.get("status") or job.status)
                    job.failure_reason = str(event.data.get("failure_reason") or "")
                    notify(job)
                elif event.kind == "metric":
                    job.progress.update(progress_from_point(event.data))
                    notify(job)
        except AstHubError:
            pass  # The stream is a convenience; polling below reaches the same answer.
        last_seen = job
        while True:
            job = self.get_job(job_id)
            if job != last_seen:
                notify(job)
                last_seen = job
            if job.is_terminal:
                return job
            _check_deadline(deadline, job_id)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._retry.sleep(poll if remaining is None else min(poll, remaining))

    # -- comparison, model cards, artifacts --------------------------------------------

    def compare(self, ast_run_id: int, baseline_run_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"ast_run_id": int(ast_run_id)}
        if baseline_run_id is not None:
            body["baseline_run_id"] = int(baseline_run_id)
        return self._json(self._send("POST", "/api/v1/compare/", json=body))

    # -- publishing --------------------------------------------------------------------

    def sync_model(
        self,
        to_platform: str = "huggingface",
        job_id: int | None = None,
        from_platform: str | None = None,
        source_ref: str = "",
        target_ref: str = "",
        private: bool = True,
    ) -> dict[str, Any]:
        """Start publishing a model; returns the publication (follow it with
        `wait_publication`)."""
        body: dict[str, Any] = {"to_platform": to_platform, "private": private}
        if job_id is not None:
            body["job_id"] = int(job_id)
        if from_platform:
            body["from_platform"] = from_platform
        if source_ref:
            body["source_ref"] = source_ref
        if target_ref:
            body["target_ref"] = target_ref
        return self._json(self._send("POST", "/api/v1/models/sync", json=body))

    def create_collection(
        self,
        title: str,
        job_ids: Sequence[int] = (),
        repo_ids: Sequence[str] = (),
        description: str = "",
        private: bool | None = None,
    ) -> dict[str, Any]:
        """Gather published runs and Hub repos into a Hugging Face collection; with
        `private` None the hub makes it private when any of its models is private."""
        body: dict[str, Any] = {"title": title}
        if private is not None:
            body["private"] = private
        if job_ids:
            body["job_ids"] = [int(job_id) for job_id in job_ids]
        if repo_ids:
            body["repo_ids"] = list(repo_ids)
        if description:
            body["description"] = description
        return self._json(self._send("POST", "/api/v1/collections", json=body))

    def deploy_dashboard(
        self, job_ids: Sequence[int], space: str = "", private: bool = False
    ) -> dict[str, Any]:
        """Deploy a live dashboard Space for runs; returns its URL and share link id."""
        body: dict[str, Any] = {"job_ids": [int(job_id) for job_id in job_ids]}
        if space:
            body["space"] = space
        if private:
            body["private"] = True
        return self._json(self._send("POST", "/api/v1/dashboards", json=body))

    def publication(self, publication_id: int) -> dict[str, Any]:
        return self._get_json(f"/api/v1/publications/{int(publication_id)}/")

    def publications(self, job_id: int | None = None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"page_size": 50}
        if job_id is not None:
            params["job_id"] = int(job_id)
        yield from self._paginate("/api/v1/publications/", params)

    def wait_publication(
        self, publication_id: int, poll: float = 2.0, timeout: float | None = None
    ) -> dict[str, Any]:
        """Block until the publication succeeds or fails; TimeoutError after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            publication = self.publication(publication_id)
            if publication.get("status") in {"succeeded", "failed"}:
                return publication
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"publication {publication_id} still {publication['status']}")
            self._retry.sleep(poll)

    # -- competitions ------------------------------------------------------------------

    def submit_to_competition(
        self, run_id: int, competition: str, file: str, message: str = ""
    ) -> dict[str, Any]:
        """Submit one of a run's output files to a Kaggle competition; the score arrives
        later (`submission`, `wait_submission`)."""
        body = {"run_id": int(run_id), "competition": competition, "file": file}
        if message:
            body["message"] = message
        return self._json(self._send("POST", "/api/v1/competitions/submissions/", json=body))

    def submission(self, submission_id: int) -> dict[str, Any]:
        return self._get_json(f"/api/v1/competitions/submissions/{int(submission_id)}/")

    def wait_submission(
        self, submission_id: int, poll: float = 2.0, timeout: float | None = None
    ) -> dict[str, Any]:
        """Block until Kaggle has scored the submission (or failed it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            submission = self.submission(submission_id)
            if submission.get("status") != "pending":
                return submission
            if deadline is not None and time.monotonic() >= deadline:
                return submission
            self._retry.sleep(poll)

    def create_model_card(self, job_id: int, template: str = "standard") -> dict[str, Any]:
        path = f"/api/v1/jobs/{int(job_id)}/model-card/"
        return self._json(self._send("POST", path, json={"template": template}))

    def model_card(self, job_id: int) -> dict[str, Any]:
        return self._get_json(f"/api/v1/jobs/{int(job_id)}/model-card/")

    def artifacts(self, job_id: int) -> list[dict[str, Any]]:
        body = self._get_json(f"/api/v1/jobs/{int(job_id)}/artifacts/")
        if not isinstance(body, list):
            raise ServerError("the artifact listing is not a list", code="bad_response")
        return body

    def download_artifact(self, job_id: int, name: str, dest: str | os.PathLike[str]) -> Path:
        """Save one artifact to `dest` (a file path, or a directory to put it in).

        The file appears only once complete and, when the server gave a sha256, verified.
        """
        artifact = next((a for a in self.artifacts(job_id) if a.get("name") == name), None)
        if artifact is None:
            raise NotFound(f"job {job_id} has no artifact named {name!r}", 404, "not_found")
        target = Path(dest)
        if target.is_dir():
            # Only the base name: a server-sent name must not choose where the file lands.
            target = target / Path(name).name
        url = str(artifact.get("url") or "")
        on_hub = self._is_hub_url(url)
        response = self._send(
            "GET",
            self._path_under_base(url) if on_hub else url,
            stream=True,
            authenticated=on_hub,
            redirect_allowed=on_hub,
        )
        if response.is_redirect:
            # A hub that keeps artifacts in S3 answers with a short-lived presigned link;
            # the bytes come from the store, which never sees the hub token.
            location = response.headers.get("location", "")
            response.close()
            if not location or self._is_hub_url(location):
                raise ServerError(
                    f"unexpected redirect ({response.status_code}) to {location!r}",
                    response.status_code,
                    "unexpected_redirect",
                )
            response = self._send("GET", location, stream=True, authenticated=False)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                try:
                    for chunk in response.iter_bytes():
                        handle.write(chunk)
                        digest.update(chunk)
                except httpx.TransportError as exc:
                    raise ConnectionFailed(f"download of {name!r} was interrupted: {exc}") from exc
                finally:
                    response.close()
            expected = artifact.get("sha256")
            if expected and digest.hexdigest() != expected:
                raise AstHubError(
                    f"{name!r} does not match its sha256; the download is corrupt",
                    code="checksum_mismatch",
                )
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return target

    # -- sweeps ------------------------------------------------------------------------

    def start_sweep(
        self, spec: dict[str, Any], grid: dict[str, list[Any]], name: str = ""
    ) -> dict[str, Any]:
        body = {"spec": spec, "grid": grid, "name": name}
        return self._json(self._send("POST", "/api/v1/sweeps/", json=body))

    def list_sweeps(self) -> Iterator[dict[str, Any]]:
        return self._paginate("/api/v1/sweeps/", {})

    def get_sweep(self, sweep_id: int) -> dict[str, Any]:
        """The sweep with its grid, job ids and ranked `summary` (finished runs only)."""
        return self._get_json(f"/api/v1/sweeps/{int(sweep_id)}/")

    def sweep_jobs(self, sweep_id: int) -> list[Job]:
        """The sweep's runs in the order they were started (one request: a sweep has at
        most 50 points and a page holds 100)."""
        runs = self.list_jobs(sweep=int(sweep_id), page_size=100)
        return sorted(runs, key=lambda run: run.id)

    def wait_sweep(
        self,
        sweep_id: int,
        poll: float = 2.0,
        timeout: float | None = None,
        on_update: UpdateCallback | None = None,
    ) -> list[Job]:
        """Block until every run of the sweep has finished and return them; `on_update`
        sees each change of each run.

        Polls the sweep's runs every `poll` seconds rather than opening one event stream
        per run: a sweep may have 50 runs, and each stream holds a connection to the hub.
        Raises TimeoutError when `timeout` seconds pass first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        notify = on_update or (lambda job: None)
        last_seen: dict[int, Job] = {}
        while True:
            runs = self.sweep_jobs(sweep_id)
            for run in runs:
                if last_seen.get(run.id) != run:
                    notify(run)
                    last_seen[run.id] = run
            if all(run.is_terminal for run in runs):
                return runs
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"sweep {sweep_id} did not finish in time")
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._retry.sleep(poll if remaining is None else min(poll, remaining))

    # -- connected apps (OAuth clients allowed on /mcp) --------------------------------

    def connected_apps(self) -> list[dict[str, Any]]:
        return list(self._get_json("/api/v1/connected-apps"))

    def disconnect_app(self, connection_id: int) -> None:
        self._send("DELETE", f"/api/v1/connected-apps/{int(connection_id)}")

    # -- share links -------------------------------------------------------------------

    def create_share_link(self, job_ids: list[int], label: str = "") -> dict[str, Any]:
        """A read-only public link to these jobs; the answer's `token` is shown once."""
        body = {"job_ids": [int(job_id) for job_id in job_ids], "label": label}
        return self._json(self._send("POST", "/api/v1/shares", json=body))

    def share_links(self) -> list[dict[str, Any]]:
        return list(self._get_json("/api/v1/shares"))

    def revoke_share_link(self, share_id: int) -> None:
        self._send("DELETE", f"/api/v1/shares/{int(share_id)}")

    def shared(self, share_token: str) -> dict[str, Any]:
        """What a share link shows (the public read; needs no API token)."""
        # The share token replaces the API token for this request (in a header, so it
        # stays out of access logs).
        headers = {"Authorization": f"Bearer {share_token}"}
        return self._json(self._send("GET", "/api/v1/shared/", headers=headers))

    # -- leaderboard -------------------------------------------------------------------

    def leaderboard(self, dataset: str | None = None) -> dict[str, Any]:
        params = {"dataset": dataset} if dataset else None
        return self._get_json("/api/v1/leaderboard", params=params)

    def set_leaderboard_listing(
        self, job_id: int, listed: bool, display_name: str = ""
    ) -> dict[str, Any]:
        """List (or unlist) one of your finished AST runs on the public leaderboard."""
        body = {"listed": listed, "display_name": display_name}
        path = f"/api/v1/jobs/{int(job_id)}/leaderboard/"
        return self._json(self._send("PUT", path, json=body))

    # -- plumbing ----------------------------------------------------------------------

    def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._json(self._send("GET", path, params=params))

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page = self._get_json(path, params=params)
        while True:
            yield from page.get("results") or []
            next_url = page.get("next")
            if not next_url:
                return
            # Always re-based: a page link names this same endpoint, whatever host it shows.
            page = self._get_json(self._path_under_base(next_url))

    def _event_stream(self, job_id: int, after_epoch: int | None = None) -> Iterator[Event]:
        """Events plus HEARTBEATs; reconnects after a drop without replaying what was seen."""
        seen_points: set[tuple[Any, Any]] = set()
        last_status: Any = None
        newest_epoch = after_epoch
        failures = 0
        path = f"/api/v1/jobs/{int(job_id)}/events"
        while True:
            # Resume one epoch back: if an epoch has several points, none is skipped, and
            # the duplicates are recognised by (epoch, step).
            resume = after_epoch if newest_epoch is None else newest_epoch - 1
            if after_epoch is not None and resume is not None:
                resume = max(resume, after_epoch)
            params = {} if resume is None or resume < 0 else {"after_epoch": resume}
            response = self._send(
                "GET",
                path,
                params=params,
                stream=True,
                headers={"Accept": "text/event-stream"},
                timeout=httpx.Timeout(self.timeout, read=max(self.timeout, STREAM_READ_TIMEOUT)),
            )
            try:
                for event in parse_sse(response.iter_lines()):
                    if event is HEARTBEAT:
                        yield event
                        continue
                    failures = 0
                    if event.kind == "metric":
                        key = (event.data.get("epoch"), event.data.get("step"))
                        if key in seen_points:
                            continue
                        seen_points.add(key)
                        epoch = event.data.get("epoch")
                        if isinstance(epoch, int):
                            newest_epoch = max(epoch, newest_epoch or 0)
                    elif event.kind == "status":
                        # Every connection starts by replaying the status; report changes only.
                        if event.data.get("status") == last_status:
                            continue
                        last_status = event.data.get("status")
                    yield event
                    if event.kind == "end":
                        return
            except httpx.TransportError:
                pass  # Dropped mid-stream: reconnect below.
            finally:
                response.close()
            failures += 1
            if failures >= self._retry.connection_attempts:
                raise ConnectionFailed(f"the event stream of job {job_id} keeps dropping")
            self._retry.sleep(self._retry.backoff(failures))

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        authenticated: bool = True,
        timeout: httpx.Timeout | None = None,
        redirect_allowed: bool = False,
    ) -> httpx.Response:
        """Send with the retry rules of RetryPolicy; raise the mapped error for non-2xx
        (a redirect too, unless `redirect_allowed`: then the 3xx answer is returned)."""
        connection_failures = 0
        throttled = 0
        while True:
            request = self._http.build_request(
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            if not authenticated:
                # A URL on another origin (object storage) must never see the hub token.
                request.headers.pop("Authorization", None)
            try:
                response = self._http.send(request, stream=stream)
            except _RETRYABLE_TRANSPORT_ERRORS as exc:
                connection_failures += 1
                if method != "GET" or connection_failures >= self._retry.connection_attempts:
                    raise ConnectionFailed(f"cannot reach {self.url}: {exc}") from exc
                self._retry.sleep(self._retry.backoff(connection_failures))
                continue
            except httpx.HTTPError as exc:
                raise ConnectionFailed(f"cannot reach {self.url}: {exc}") from exc
            if response.is_success or (redirect_allowed and response.is_redirect):
                return response
            error = _error_of(response)
            if isinstance(error, RateLimited):
                throttled += 1
                wait = error.retry_after
                if wait is None:
                    wait = self._retry.backoff(throttled)
                if (
                    throttled < self._retry.throttle_attempts
                    and wait <= self._retry.max_retry_after
                ):
                    self._retry.sleep(wait)
                    continue
            raise error

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(
                f"the hub answered {response.status_code} without valid JSON",
                response.status_code,
                "bad_response",
            ) from exc

    def _is_hub_url(self, url: str) -> bool:
        target = httpx.URL(url)
        if not target.is_absolute_url:
            return True
        base = httpx.URL(self.url)
        return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)

    def _path_under_base(self, url: str) -> str:
        """A link from the server as a path relative to the configured base URL.

        Links the server builds (pagination, downloads) may name the host it saw behind a
        proxy; re-basing them keeps requests on the URL the user configured.
        """
        target = httpx.URL(url)
        path = target.path
        prefix = httpx.URL(self.url).path.rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        query = target.query.decode("ascii")
        return f"{path}?{query}" if query else path


def _error_of(response: httpx.Response) -> AstHubError:
    response.read()
    response.close()
    if 300 <= response.status_code < 400:
        return ServerError(
            f"unexpected redirect ({response.status_code}) to {response.headers.get('location')}",
            response.status_code,
            "unexpected_redirect",
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    return error_from_response(response.status_code, body, response.headers)


def _check_deadline(deadline: float | None, job_id: int) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise TimeoutError(f"job {job_id} did not finish in time")
