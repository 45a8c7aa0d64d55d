"""A local Kaggle that speaks the wire protocol kagglesdk speaks.

Every RPC is `POST /v1/{package.Service}/{Method}` with a camelCase JSON body (defaults
omitted, enums by name, durations like "3600s"); auth is `Bearer <token>` or HTTP Basic
`username:key`, and a wrong or missing credential is a 401 `{"code", "message"}`. The
state is per user: kernels and their versions (statuses advancing over time, a log that
grows and streams as SSE, outputs paged and served from signed-looking URLs that refuse
an Authorization header), accelerator quota, competitions and their submissions (scored
after a delay), blobs and models.

How a kernel version runs is the `runner`: `ScriptedRun` (log lines and outputs given by
the test, advancing with the clock) or `EngineRun` (the kernel's own text runs in a
subprocess with `/kaggle/` mapped to a temporary folder, so the log and outputs are the
real engine's). Faults are switchable: `fail(...)` answers given statuses (429 with
Retry-After, 500) to matching requests, `flaky(...)` fails every n-th request throughout,
`slow(...)` delays answers, `gpu_session_limit` makes SaveKernel refuse GPU runs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.fakes.clean_python import KAGGLE_IMAGE, job_python
from tests.fakes.kaggle_scoring import Solution
from tests.fakes.kaggle_scoring import score as score_against

ACTIVE = ("QUEUED", "RUNNING")
GPU_SESSION_LIMIT_MESSAGE = "Maximum batch GPU session count of {n} reached."


class Answer(Exception):
    """Raised inside a handler to answer with an error status and Kaggle's error body."""

    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --- how a kernel version runs ---------------------------------------------------------


class Run:
    """What a version reports: status, log events so far, failure and outputs."""

    def status(self) -> str:
        raise NotImplementedError

    def events(self) -> list[dict]:
        raise NotImplementedError

    def failure(self) -> str:
        return ""

    def outputs(self) -> dict[str, bytes]:
        return {}


@dataclass
class ScriptedRun(Run):
    """Queued for `queued_seconds`, then one log line every `line_seconds`, then `end`."""

    lines: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    queued_seconds: float = 0.0
    line_seconds: float = 0.0
    end: str = "COMPLETE"  # or "ERROR", or "RUNNING" (never ends)
    failure_message: str = ""
    started: float = field(default_factory=time.monotonic)

    def _elapsed(self) -> float:
        return time.monotonic() - self.started - self.queued_seconds

    def _shown(self) -> int:
        elapsed = self._elapsed()
        if elapsed < 0:
            return 0
        if self.line_seconds <= 0:
            return len(self.lines)
        return min(len(self.lines), int(elapsed / self.line_seconds) + 1)

    def status(self) -> str:
        if self._elapsed() < 0:
            return "QUEUED"
        if self._shown() < len(self.lines) or self.end == "RUNNING":
            return "RUNNING"
        if self.line_seconds > 0 and self._elapsed() < len(self.lines) * self.line_seconds:
            return "RUNNING"
        return self.end

    def events(self) -> list[dict]:
        return [
            {"stream_name": "stdout", "time": float(i), "data": line + "\n"}
            for i, line in enumerate(self.lines[: self._shown()])
        ]

    def failure(self) -> str:
        return self.failure_message if self.status() == "ERROR" else ""

    def outputs(self) -> dict[str, bytes]:
        return dict(self.files) if self.status() == "COMPLETE" else {}


class ManualRun(Run):
    """Moved along by the test: start(), emit(text), finish(files) or fail(message)."""

    def __init__(self) -> None:
        self._status = "QUEUED"
        self._events: list[dict] = []
        self._files: dict[str, bytes] = {}
        self._failure = ""
        self._lock = threading.Lock()

    def start(self) -> None:
        self._status = "RUNNING"

    def emit(self, text: str, stream: str = "stdout") -> None:
        with self._lock:
            self._events.append({"stream_name": stream, "time": len(self._events), "data": text})

    def finish(self, files: dict[str, bytes]) -> None:
        self._files = dict(files)
        self._status = "COMPLETE"

    def fail(self, message: str) -> None:
        self._failure = message
        self._status = "ERROR"

    def status(self) -> str:
        return self._status

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._events)

    def failure(self) -> str:
        return self._failure

    def outputs(self) -> dict[str, bytes]:
        return dict(self._files) if self._status == "COMPLETE" else {}


class EngineRun(Run):
    """Runs the kernel's text as Kaggle would: `python script.py` in /kaggle/working, on a
    fresh interpreter holding what Kaggle's image holds (clean_python.py), with pip able to
    reach an index only when the kernel was saved with internet on."""

    def __init__(
        self,
        text: str,
        inputs: dict[str, dict[str, bytes]],
        *,
        internet: bool = False,
        downloads: Path | None = None,
    ) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fake-kaggle-kernel-"))
        self.working = self.root / "working"
        self.working.mkdir()
        for mount, files in inputs.items():
            for name, data in files.items():
                path = self.root / "input" / mount / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        script = self.root / "src" / "script.py"
        script.parent.mkdir()
        script.write_text(text.replace("/kaggle/", f"{self.root}/"))
        self._events: list[dict] = []
        self._lock = threading.Lock()
        self._exit: int | None = None
        self._stderr_tail = ""
        image = job_python(KAGGLE_IMAGE, self.root, internet=internet)
        (self.root / "home").mkdir()
        env = {
            **image.env,
            "HOME": str(self.root / "home"),
            "PYTHONUNBUFFERED": "1",
            "KAGGLE_KERNEL_RUN_TYPE": "Batch",
        }
        if internet and downloads is not None:
            # This machine cannot reach download.pytorch.org: a kernel with internet finds
            # what those downloads would have left (pretrained weights) in torch's cache.
            env["TORCH_HOME"] = str(downloads)
        self.process = subprocess.Popen(
            [str(image.python), str(script)],
            cwd=self.working,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.started = time.monotonic()
        threading.Thread(target=self._read, args=("stderr",), daemon=True).start()
        threading.Thread(target=self._read, args=("stdout",), daemon=True).start()

    def _read(self, stream: str) -> None:
        pipe = getattr(self.process, stream)
        with pipe:
            self._copy(stream, pipe)
        if stream == "stdout":
            code = self.process.wait()
            with self._lock:
                self._exit = code

    def _copy(self, stream: str, pipe) -> None:
        for line in pipe:
            with self._lock:
                self._events.append(
                    {"stream_name": stream, "time": time.monotonic() - self.started, "data": line}
                )
                if stream == "stderr" and line.strip():
                    self._stderr_tail = line.strip()

    def status(self) -> str:
        with self._lock:
            if self._exit is None:
                return "RUNNING"
            return "COMPLETE" if self._exit == 0 else "ERROR"

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._events)

    def failure(self) -> str:
        if self.status() != "ERROR":
            return ""
        return self._stderr_tail or f"Kernel exited with code {self._exit}"

    def outputs(self) -> dict[str, bytes]:
        if self.status() != "COMPLETE":
            return {}
        return {
            str(path.relative_to(self.working)): path.read_bytes()
            for path in sorted(self.working.rglob("*"))
            if path.is_file()
        }

    def stop(self) -> None:
        """What Kaggle does to a session at its limit: the process is killed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


# --- per-user state --------------------------------------------------------------------


@dataclass
class FakeUser:
    username: str
    token: str | None = None
    key: str | None = None
    gpu_used_seconds: int = 0
    gpu_allowed_seconds: int = 30 * 3600
    tpu_used_seconds: int = 0
    tpu_allowed_seconds: int = 20 * 3600


@dataclass
class Version:
    number: int
    request: dict
    run: Run

    @property
    def uses_gpu(self) -> bool:
        return bool(self.request.get("enableGpu"))


@dataclass
class Kernel:
    owner: str
    slug: str
    title: str
    kernel_id: int
    versions: list[Version] = field(default_factory=list)


@dataclass
class Competition:
    name: str
    accepted: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)
    scoring_seconds: float = 0.0
    # The hidden answers the public score is computed on (kaggle_scoring), or a test's own
    # scoring function; a competition with neither cannot score anything.
    solution: Solution | None = None
    score: Callable[[bytes], str] | None = None

    def public_score(self, data: bytes) -> str:
        if self.score is not None:
            return self.score(data)
        if self.solution is None:
            raise ValueError("This competition has no solution to score against")
        return score_against(self.solution, data)


@dataclass
class Submission:
    ref: int
    owner: str
    competition: str
    file_name: str
    data: bytes
    description: str
    created: float = field(default_factory=time.monotonic)


@dataclass
class Seen:
    """One request as the fake saw it: who signed it and what it addressed."""

    method: str
    route: str
    user: str | None
    addressed_owner: str | None = None


@dataclass
class Fault:
    status: int
    count: int | None
    retry_after: float | None
    routes: tuple[str, ...] | None
    message: str = ""


class SessionTimeout(Run):
    """A version saved with sessionTimeoutSeconds: Kaggle stops a session still going
    past it, and the version ends in ERROR with a timeout message. The run it wraps is
    reached through it (start, emit, finish, ...) as before."""

    MESSAGE = "The kernel session ran past its timeout of {seconds:g} seconds and was stopped."

    def __init__(self, inner: Run, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.saved = time.monotonic()
        self.timed_out = False
        # Kaggle enforces the limit on its own clock, whether or not anyone asks about the
        # kernel (a kernel the hub stopped following is asked about by nobody).
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def _expire(self) -> None:
        if self.inner.status() in ACTIVE:
            self.timed_out = True
            if hasattr(self.inner, "stop"):
                self.inner.stop()  # Kaggle stops the session's process

    def status(self) -> str:
        status = self.inner.status()
        late = time.monotonic() - self.saved > self.seconds
        if not self.timed_out and status in ACTIVE and late:
            self._expire()
        return "ERROR" if self.timed_out else status

    def events(self) -> list[dict]:
        return self.inner.events()

    def failure(self) -> str:
        if self.status() == "ERROR" and self.timed_out:
            return self.MESSAGE.format(seconds=self.seconds)
        return self.inner.failure()

    def outputs(self) -> dict[str, bytes]:
        return {} if self.timed_out else self.inner.outputs()


class FakeKaggle:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.kernels: dict[tuple[str, str], Kernel] = {}
        self.datasets: dict[tuple[str, str], dict[str, bytes]] = {}
        self.competitions: dict[str, Competition] = {}
        self.submissions: dict[int, Submission] = {}
        self.uploads: dict[str, dict] = {}
        self.models: dict[tuple[str, str], dict] = {}
        self.outputs: dict[str, tuple[str, str, int, str]] = {}
        self.seen: list[Seen] = []
        self.faults: list[Fault] = []
        self.flaky_every = 0
        self.flaky_statuses: tuple[int, ...] = (429, 500)
        self.flaky_retry_after: float | None = None
        self._flaky_counter = itertools.count(1)
        self.latency = 0.0
        self.slow_rules: list[tuple[float, tuple[str, ...] | None, str | None]] = []
        self.output_page_size = 2
        self.max_gpu_sessions = 2
        self.gpu_session_limit = False
        self.runner: Callable[[dict, dict[str, dict[str, bytes]]], Run] = lambda request, inputs: (
            ScriptedRun()
        )
        self._ids = itertools.count(1001)
        self._engine_runs: list[EngineRun] = []
        # A TORCH_HOME holding what kernels with internet would download (run_engine).
        self.downloads: Path | None = None
        self.server: ThreadingHTTPServer | None = None
        self.base_url = ""

    # --- test controls ------------------------------------------------------------------

    def add_user(self, username: str, *, token: str | None = None, key: str | None = None,
                 gpu_used_hours: float = 0, gpu_allowed_hours: float = 30) -> FakeUser:  # fmt: skip
        user = FakeUser(
            username,
            token=token,
            key=key,
            gpu_used_seconds=int(gpu_used_hours * 3600),
            gpu_allowed_seconds=int(gpu_allowed_hours * 3600),
        )
        with self.lock:
            self.users[username] = user
        return user

    def add_dataset(self, owner: str, slug: str, files: dict[str, bytes]) -> None:
        with self.lock:
            self.datasets[(owner, slug)] = dict(files)

    def add_competition(self, name: str, **kwargs) -> Competition:
        competition = Competition(name, **kwargs)
        with self.lock:
            self.competitions[name] = competition
        return competition

    def fail(self, status: int, *, count: int | None = 1, retry_after: float | None = None,
             routes: tuple[str, ...] | None = None, message: str = "") -> None:  # fmt: skip
        """Answer `status` to the next `count` requests whose route contains one of
        `routes` (every route when None; for ever when count is None)."""
        with self.lock:
            self.faults.append(Fault(status, count, retry_after, routes, message))

    def flaky(self, every: int, statuses=(429, 500), retry_after: float | None = None) -> None:
        """Fail every `every`-th request throughout, cycling through `statuses`."""
        self.flaky_every = every
        self.flaky_statuses = tuple(statuses)
        self.flaky_retry_after = retry_after

    def slow(self, seconds: float, *, routes: tuple[str, ...] | None = None,
             owner: str | None = None) -> None:  # fmt: skip
        """Delay answers to matching routes (and kernels of `owner`, if given)."""
        self.slow_rules.append((seconds, routes, owner))

    def run_engine(self) -> None:
        """Run each saved kernel's real text (the engine bundle) in a subprocess."""

        def start(request: dict, inputs: dict[str, dict[str, bytes]]) -> Run:
            internet = bool(request.get("enableInternet"))
            run = EngineRun(
                request.get("text") or "", inputs, internet=internet, downloads=self.downloads
            )
            self._engine_runs.append(run)
            return run

        self.runner = start

    def run_manually(self) -> None:
        """Each saved version gets a ManualRun that the test moves along (see `run_of`)."""
        self.runner = lambda request, inputs: ManualRun()

    def run_of(self, owner: str, slug: str, version: int = -1) -> Run:
        kernel = self.kernels[(owner, slug)]
        return kernel.versions[version if version < 0 else version - 1].run

    def calls(self, method: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if method is None or s.route.endswith(method)]

    def kernel(self, owner: str, slug: str) -> Kernel:
        return self.kernels[(owner, slug)]

    # --- serving ------------------------------------------------------------------------

    def start(self) -> FakeKaggle:
        fake = self

        class Handler(_Handler):
            kaggle = fake

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for run in self._engine_runs:
            run.close()
        for kernel in list(self.kernels.values()):
            for version in kernel.versions:
                if isinstance(version.run, SessionTimeout):
                    version.run._timer.cancel()  # its engine, if any, was closed above

    # --- auth and faults ----------------------------------------------------------------

    def authenticate(self, header: str | None) -> FakeUser:
        if header and header.startswith("Bearer "):
            token = header[len("Bearer ") :]
            for user in self.users.values():
                if user.token and user.token == token:
                    return user
        elif header and header.startswith("Basic "):
            try:
                username, _, key = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                username, key = "", ""
            user = self.users.get(username)
            if user and user.key and user.key == key:
                return user
        raise Answer(401, "Unauthenticated: the request has no valid credential.")

    def inject_faults(self, route: str, owner: str | None) -> None:
        delay = self.latency
        for seconds, routes, slow_owner in self.slow_rules:
            if (routes is None or any(r in route for r in routes)) and (
                slow_owner is None or slow_owner == owner
            ):
                delay += seconds
        if delay:
            time.sleep(delay)
        with self.lock:
            for fault in self.faults:
                if fault.count == 0:
                    continue
                if fault.routes is None or any(r in route for r in fault.routes):
                    if fault.count is not None:
                        fault.count -= 1
                    raise _fault_answer(fault.status, fault.retry_after, fault.message)
            if self.flaky_every:
                n = next(self._flaky_counter)
                if n % self.flaky_every == 0:
                    status = self.flaky_statuses[(n // self.flaky_every) % len(self.flaky_statuses)]
                    raise _fault_answer(status, self.flaky_retry_after, "")

    # --- RPCs ---------------------------------------------------------------------------

    def rpc(self, method: str, body: dict, user: FakeUser | None, base: str) -> dict:
        handler = getattr(self, f"_rpc_{method}", None)
        if handler is None:
            raise Answer(404, f"Unknown method {method}")
        return handler(body, user, base)

    def _rpc_IntrospectToken(self, body, user, base):  # noqa: N802
        for candidate in self.users.values():
            if candidate.token and candidate.token == body.get("token"):
                return {"active": True, "username": candidate.username, "clientId": "kaggle-cli"}
        return {}

    def _rpc_Hello(self, body, user, base):  # noqa: N802
        return {"userName": user.username}

    def _own(self, user: FakeUser, owner: str) -> None:
        if owner != user.username:
            raise Answer(403, "Permission 'kernels.get' was denied")

    def _version(self, body: dict, user: FakeUser) -> tuple[Kernel, Version]:
        owner, slug = body.get("userName", ""), body.get("kernelSlug", "")
        self._own(user, owner)
        kernel = self.kernels.get((owner, slug))
        if kernel is None or not kernel.versions:
            raise Answer(404, f"Kernel {owner}/{slug} not found")
        label = body.get("versionLabel")
        if label is None:
            return kernel, kernel.versions[-1]
        match = re.fullmatch(r"v(\d+)", str(label))
        if not match or not 1 <= int(match.group(1)) <= len(kernel.versions):
            raise Answer(404, f"Version {label} of {owner}/{slug} not found")
        return kernel, kernel.versions[int(match.group(1)) - 1]

    def _active_gpu_sessions(self, username: str) -> int:
        return sum(
            1
            for kernel in self.kernels.values()
            if kernel.owner == username
            for version in kernel.versions
            if version.uses_gpu and version.run.status() in ACTIVE
        )

    def _rpc_SaveKernel(self, body, user, base):  # noqa: N802
        owner, _, slug = (body.get("slug") or "").partition("/")
        self._own(user, owner)
        title = body.get("newTitle") or ""
        if len(title) < 5:
            return {"error": "Title must be at least 5 characters long."}
        if re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") != slug:
            return {"error": f"The title's slug form does not match the slug {slug!r}."}
        inputs: dict[str, dict[str, bytes]] = {}
        invalid_datasets = []
        for ref in body.get("datasetDataSources", []):
            ds_owner, _, ds_slug = ref.partition("/")
            files = self.datasets.get((ds_owner, ds_slug))
            if files is None:
                invalid_datasets.append(ref)
            else:
                inputs[ds_slug] = files
        invalid_competitions = []
        for name in body.get("competitionDataSources", []):
            competition = self.competitions.get(name)
            if competition is None or user.username not in competition.accepted:
                invalid_competitions.append(name)
            else:
                inputs[name] = competition.files
        if invalid_datasets or invalid_competitions:
            answer = {"ref": "", "url": "", "error": "Invalid data sources"}
            if invalid_datasets:
                answer["invalidDatasetSources"] = invalid_datasets
            if invalid_competitions:
                answer["invalidCompetitionSources"] = invalid_competitions
            return answer
        with self.lock:
            if body.get("enableGpu") and (
                self.gpu_session_limit
                or self._active_gpu_sessions(user.username) >= self.max_gpu_sessions
            ):
                return {"error": GPU_SESSION_LIMIT_MESSAGE.format(n=self.max_gpu_sessions)}
            kernel = self.kernels.get((owner, slug))
            if kernel is None:
                kernel = Kernel(owner, slug, title, next(self._ids))
                self.kernels[(owner, slug)] = kernel
            run = self.runner(body, inputs)
            if body.get("sessionTimeoutSeconds"):
                run = SessionTimeout(run, float(body["sessionTimeoutSeconds"]))
            version = Version(len(kernel.versions) + 1, dict(body), run)
            kernel.versions.append(version)
        return {
            "ref": f"/code/{owner}/{slug}",
            "url": f"https://www.kaggle.com/code/{owner}/{slug}",
            "versionNumber": version.number,
            "kernelId": kernel.kernel_id,
        }

    def _rpc_GetKernel(self, body, user, base):  # noqa: N802
        kernel, version = self._version(body, user)
        return {
            "metadata": {
                "id": kernel.kernel_id,
                "ref": f"{kernel.owner}/{kernel.slug}",
                "slug": kernel.slug,
                "title": kernel.title,
                "author": kernel.owner,
                "currentVersionNumber": len(kernel.versions),
            }
        }

    def _rpc_GetKernelSessionStatus(self, body, user, base):  # noqa: N802
        _, version = self._version(body, user)
        status = version.run.status()
        answer: dict = {} if status == "QUEUED" else {"status": status}
        if status == "ERROR":
            answer["failureMessage"] = version.run.failure()
        return answer

    def _rpc_ListKernelSessionOutput(self, body, user, base):  # noqa: N802
        kernel, version = self._version(body, user)
        outputs = sorted(version.run.outputs().items())
        start = int(body.get("pageToken") or 0)
        size = min(int(body.get("pageSize") or 20), self.output_page_size)
        files = []
        for name, _ in outputs[start : start + size]:
            where = f"{kernel.kernel_id}/{version.number}/{name}"
            token = hashlib.sha256(where.encode()).hexdigest()
            with self.lock:
                self.outputs[token] = (kernel.owner, kernel.slug, version.number, name)
            signature = hashlib.md5(token.encode()).hexdigest()  # noqa: S324 (looks signed)
            files.append(
                {
                    "url": f"{base}/storage/kernel-outputs/{token}/{name}"
                    f"?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900"
                    f"&X-Goog-Signature={signature}",
                    "fileName": name,
                }
            )
        answer: dict = {"files": files}
        if start + size < len(outputs):
            answer["nextPageToken"] = str(start + size)
        if version.run.status() not in ACTIVE:
            answer["log"] = json.dumps(version.run.events())
        return answer

    def _rpc_GetAcceleratorQuotaStatistics(self, body, user, base):  # noqa: N802
        refresh = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)
        return {
            "quotaRefreshTime": refresh.isoformat(timespec="milliseconds") + "Z",
            "gpuQuota": {
                "timeUsed": f"{user.gpu_used_seconds}s",
                "totalTimeAllowed": f"{user.gpu_allowed_seconds}s",
            },
            "tpuQuota": {
                "timeUsed": f"{user.tpu_used_seconds}s",
                "totalTimeAllowed": f"{user.tpu_allowed_seconds}s",
            },
        }

    # competitions

    def _competition(self, name: str, user: FakeUser) -> Competition:
        competition = self.competitions.get(name or "")
        if competition is None:
            raise Answer(404, f"Competition '{name}' not found")
        if user.username not in competition.accepted:
            raise Answer(403, "You must accept this competition's rules before you can submit.")
        return competition

    def _upload_slot(self, base: str, **meta) -> dict:
        token = hashlib.sha256(f"{next(self._ids)}-{time.time()}".encode()).hexdigest()[:32]
        with self.lock:
            self.uploads[token] = {**meta, "data": None}
        return {"token": token, "createUrl": f"{base}/upload/{token}?upload_id=x{token[:8]}"}

    def _rpc_StartSubmissionUpload(self, body, user, base):  # noqa: N802
        self._competition(body.get("competitionName"), user)
        return self._upload_slot(
            base,
            owner=user.username,
            name=body.get("fileName", ""),
            length=int(body.get("contentLength") or 0),
            kind="SUBMISSION",
        )

    def _uploaded(self, token: str, user: FakeUser, kind: str) -> dict:
        upload = self.uploads.get(token)
        if not upload or upload["owner"] != user.username or upload["kind"] != kind:
            raise Answer(400, f"Unknown blob token {token!r}")
        if upload["data"] is None:
            raise Answer(400, "The file was never uploaded to its createUrl")
        return upload

    def _rpc_CreateSubmission(self, body, user, base):  # noqa: N802
        name = body.get("competitionName", "")
        self._competition(name, user)
        tokens = body.get("blobFileTokens")
        token = tokens[0] if isinstance(tokens, list) and tokens else tokens
        upload = self._uploaded(str(token or ""), user, "SUBMISSION")
        with self.lock:
            ref = next(self._ids)
            self.submissions[ref] = Submission(
                ref, user.username, name, upload["name"], upload["data"],
                body.get("submissionDescription", ""),
            )  # fmt: skip
        return {"message": f"Successfully submitted to {name}", "ref": ref}

    def _rpc_GetSubmission(self, body, user, base):  # noqa: N802
        submission = self.submissions.get(int(body.get("ref") or 0))
        if submission is None or submission.owner != user.username:
            raise Answer(404, "Submission not found")
        competition = self.competitions[submission.competition]
        answer = {
            "ref": submission.ref,
            "fileName": submission.file_name,
            "description": submission.description,
            "submittedBy": submission.owner,
        }
        if time.monotonic() - submission.created < competition.scoring_seconds:
            return answer  # PENDING is the default, so it is omitted
        try:
            answer.update(status="COMPLETE", publicScore=competition.public_score(submission.data))
        except ValueError as error:
            answer.update(status="ERROR", errorDescription=str(error))
        return answer

    # blobs and models

    def _rpc_StartBlobUpload(self, body, user, base):  # noqa: N802
        return self._upload_slot(
            base,
            owner=user.username,
            name=body.get("name", ""),
            length=int(body.get("contentLength") or 0),
            kind=body.get("type", ""),
        )

    def _rpc_CreateModel(self, body, user, base):  # noqa: N802
        owner, slug = body.get("ownerSlug", ""), body.get("slug", "")
        if owner != user.username:
            raise Answer(403, "You cannot create models for another owner")
        with self.lock:
            if (owner, slug) in self.models:
                return {"error": f"Model {owner}/{slug} already exists", "errorCode": 409}
            self.models[(owner, slug)] = {"meta": dict(body), "instances": {}}
        return {"id": next(self._ids), "ref": f"{owner}/{slug}",
                "url": f"https://www.kaggle.com/models/{owner}/{slug}"}  # fmt: skip

    def _model(self, owner: str, slug: str, user: FakeUser) -> dict:
        if owner != user.username:
            raise Answer(403, "Permission 'models.update' was denied")
        model = self.models.get((owner, slug))
        if model is None:
            raise Answer(404, f"Model {owner}/{slug} not found")
        return model

    def _files(self, files: list, user: FakeUser) -> dict[str, bytes]:
        stored = {}
        for entry in files:
            upload = self._uploaded(entry.get("token", ""), user, "MODEL")
            stored[upload["name"]] = upload["data"]
        if not stored:
            raise Answer(400, "A model instance version needs at least one file")
        return stored

    def _rpc_CreateModelInstance(self, body, user, base):  # noqa: N802
        owner, slug = body.get("ownerSlug", ""), body.get("modelSlug", "")
        model = self._model(owner, slug, user)
        payload = body.get("body") or {}
        key = (payload.get("framework", ""), payload.get("instanceSlug", ""))
        with self.lock:
            if key in model["instances"]:
                raise Answer(409, f"Instance {key[1]} already exists")
            files = self._files(payload.get("files", []), user)
            model["instances"][key] = {"meta": payload, "versions": [files]}
        return _instance_answer(owner, slug, key, 1)

    def _rpc_CreateModelInstanceVersion(self, body, user, base):  # noqa: N802
        owner, slug = body.get("ownerSlug", ""), body.get("modelSlug", "")
        model = self._model(owner, slug, user)
        key = (body.get("framework", ""), body.get("instanceSlug", ""))
        with self.lock:
            instance = model["instances"].get(key)
            if instance is None:
                raise Answer(404, f"Instance {key[1]} not found")
            files = self._files((body.get("body") or {}).get("files", []), user)
            instance["versions"].append(files)
            number = len(instance["versions"])
        return _instance_answer(owner, slug, key, number)


def _instance_answer(owner: str, slug: str, key: tuple[str, str], number: int) -> dict:
    framework = key[0].removeprefix("MODEL_FRAMEWORK_").replace("_", "").lower()
    ref = f"{owner}/{slug}/{framework}/{key[1]}/{number}"
    return {"ref": ref, "url": f"https://www.kaggle.com/models/{ref}"}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that stopped reading a live log stream is normal, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _fault_answer(status: int, retry_after: float | None, message: str) -> Answer:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    default = "RESOURCE_EXHAUSTED: too many requests" if status == 429 else "Internal error"
    return Answer(status, message or default, headers)


class _Handler(BaseHTTPRequestHandler):
    kaggle: FakeKaggle
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    @property
    def base(self) -> str:
        return self.kaggle.base_url

    def _send_json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, answer: Answer) -> None:
        self._send_json(
            answer.status, {"code": answer.status, "message": answer.message}, answer.headers
        )

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _record(self, route: str, user: FakeUser | None, owner: str | None) -> None:
        with self.kaggle.lock:
            self.kaggle.seen.append(
                Seen(self.command, route, user.username if user else None, owner)
            )

    def do_POST(self):  # noqa: N802
        raw = self._body()
        path = urlparse(self.path).path
        match = re.fullmatch(r"/v1/([\w.]+)/(\w+)", path)
        if not match:
            return self._error(Answer(404, f"No route {path}"))
        method = match.group(2)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return self._error(Answer(400, "Body is not JSON"))
        owner = body.get("userName") or (body.get("slug") or "").partition("/")[0] or None
        user = None
        try:
            if method != "IntrospectToken":
                user = self.kaggle.authenticate(self.headers.get("Authorization"))
            self._record(method, user, owner)
            self.kaggle.inject_faults(method, owner)
            answer = self.kaggle.rpc(method, body, user, self.base)
        except Answer as answer_error:
            if user is None and method != "IntrospectToken":
                self._record(method, None, owner)
            return self._error(answer_error)
        self._send_json(200, answer)

    def do_PUT(self):  # noqa: N802
        raw = self._body()
        match = re.fullmatch(r"/upload/(\w+)", urlparse(self.path).path)
        try:
            self.kaggle.inject_faults("upload", None)
            if not match or match.group(1) not in self.kaggle.uploads:
                raise Answer(404, "Upload expired")
            upload = self.kaggle.uploads[match.group(1)]
            if upload["length"] and upload["length"] != len(raw):
                raise Answer(400, "Content length does not match StartUpload")
            upload["data"] = raw
        except Answer as answer:
            return self._error(answer)
        self._send_json(200, {})

    def do_GET(self):  # noqa: N802
        parsed = urlparse(self.path)
        stream = re.fullmatch(r"/v1/kernels/logs/stream/([\w-]+)/([\w-]+)", parsed.path)
        output = re.fullmatch(r"/storage/kernel-outputs/(\w+)/(.+)", parsed.path)
        try:
            if stream:
                return self._log_stream(stream.group(1), stream.group(2), parse_qs(parsed.query))
            if output:
                return self._download(output.group(1), parse_qs(parsed.query))
            raise Answer(404, f"No route {parsed.path}")
        except Answer as answer:
            return self._error(answer)

    def _download(self, token: str, query: dict) -> None:
        if self.headers.get("Authorization"):
            # A signed URL carries its own authority; GCS refuses a second one.
            raise Answer(400, "Cannot have an Authorization header with a signed URL.")
        if not query.get("X-Goog-Signature"):
            raise Answer(403, "Missing signature")
        self.kaggle.inject_faults("storage", None)
        where = self.kaggle.outputs.get(token)
        if where is None:
            raise Answer(404, "No such object")
        owner, slug, number, name = where
        data = self.kaggle.kernels[(owner, slug)].versions[number - 1].run.outputs()[name]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _log_stream(self, owner: str, slug: str, query: dict) -> None:
        user = self.kaggle.authenticate(self.headers.get("Authorization"))
        self._record("logs/stream", user, owner)
        self.kaggle.inject_faults("logs/stream", owner)
        label = (query.get("versionLabel") or [None])[0]
        body = {"userName": owner, "kernelSlug": slug, "versionLabel": label}
        _, version = self.kaggle._version(body, user)
        if version.run.status() not in ACTIVE:
            # A finished session: the persisted log blob, not an event stream.
            return self._send_json(200, version.run.events())  # type: ignore[arg-type]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        quiet_since = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while True:
                events = version.run.events()
                for event in events[sent:]:
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    quiet_since = time.monotonic()
                sent = len(events)
                if time.monotonic() - quiet_since > 1.0:
                    # SSE keep-alive comment; it also tells us when the client has gone.
                    self.wfile.write(b": keep-alive\n\n")
                    quiet_since = time.monotonic()
                self.wfile.flush()
                if version.run.status() not in ACTIVE and len(version.run.events()) == sent:
                    self.wfile.write(b"data: END_OF_LOG\n\n")
                    self.wfile.flush()
                    break
                time.sleep(0.05)
        self.close_connection = True


@contextlib.contextmanager
def running_fake() -> Iterator[FakeKaggle]:
    fake = FakeKaggle().start()
    try:
        yield fake
    finally:
        fake.stop()
