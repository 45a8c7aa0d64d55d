"""A local Hugging Face Hub that speaks the wire protocol `huggingface_hub` uses.

Tests point the real client at `FakeHuggingFace.url` (never at huggingface.co and never
by patching the library). What it implements is what the hub's code calls:

- `GET /api/whoami-v2` with per-user tokens (an unknown token is 401);
- repositories (models, datasets, Spaces): create (409 carrying `url`, and the Hub's
  default `.gitattributes`), validate-yaml, preupload, NDJSON commits kept per revision,
  info with siblings, tree (paginated by `Link`), `resolve` downloads (HEAD and GET with
  `X-Repo-Commit` and `ETag`), Space secrets;
- large files as on a Hub without Xet storage: preupload answers `lfs` for a file above
  10 MiB or one a `filter=lfs` pattern of the revision's `.gitattributes` names
  (`*.safetensors`, `*.bin`, `*.pt`, ...), else `regular`. The git-lfs batch API
  (`POST /{prefix}{id}.git/info/lfs/objects/batch`) answers the `basic` transfer: an
  object the repo already stores gets no actions (the client skips its upload), any
  other an `upload` action (a signed, token-free URL of this server, taking one PUT whose
  bytes must hash to the oid and have its size, else 400) and a `verify` action (200 once
  stored, else 404). A commit's `lfsFile` entry takes its bytes from that store (an
  object never uploaded is refused, 400, as the Hub refuses a pointer to a missing
  object), and a `file` entry inlining what must be LFS is refused as the Hub refuses
  binary files in git. `resolve` serves an LFS file with `X-Linked-Etag` (its sha256)
  and `X-Linked-Size`, the headers the Hub puts on its CDN redirect. `Commit.lfs` says
  which files of a revision are LFS (path -> sha256).

  Which upload path the tests exercise: huggingface_hub 2.4.0 decides that itself, not
  the Hub. With `hf_xet` importable (it is, in the hub's venv and on HF Jobs) the client
  sends every `lfs` file through Xet (`xet-write-token`, then the Xet CAS) and never
  asks the batch API; nothing the Hub answers (preupload, the batch's `transfer`, a 404
  on the token route) turns it back to LFS (huggingface_hub#4507). Only
  `HF_HUB_DISABLE_XET=1`, read once at import, does. This Hub has no Xet storage: its
  `xet-*-token` routes answer 404 as a Hub without Xet does, and `start()` sets that
  switch for the clients that talk to it (the variable for the processes started
  afterwards, hub servers included; the constant the already imported client read, for
  this process; the jobs it runs get the variable). So the tests exercise the LFS batch
  API's `basic` transfer (single PUT, then verify), never multipart and never Xet;
- Jobs: create, inspect, list, cancel, logs as SSE with exactly one `Date` header, and
  `GET /api/jobs/hardware`. A job really runs: its command is executed locally in a
  subprocess with its environment and secrets (as the container would run it), on a
  fresh interpreter holding only what the image holds (clean_python.py), so the
  engine's genuine output streams and whatever it uploads with the user's token lands in
  the repo as a commit;
- collections: create, get, add item.

Each token may only write to its own namespace and its organisations (403 otherwise);
another user's private repository is 404. Faults are switchable per path: a status
(401, 429 with Retry-After, 500) and/or a delay, for a number of requests.

Routing is a table of (method, regex, handler); `add_route` mounts more (the OAuth
provider lives in its own module and is mounted the same way).
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.fakes.clean_python import HF_JOBS_IMAGE, job_python

REPO_TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
SPACE_SDKS = ("gradio", "docker", "static", "streamlit")
TREE_PAGE_SIZE = 50
JOBS_PAGE_SIZE = 20
_ID = r"[\w.\-]+/[\w.\-]+"

HARDWARE = [
    # name, pretty name, cpu, ram, accelerator, USD per hour
    ("cpu-basic", "CPU Basic", "2 vCPU", "16 GB", None, 0.01),
    ("cpu-upgrade", "CPU Upgrade", "8 vCPU", "32 GB", None, 0.03),
    ("t4-small", "Nvidia T4 - small", "4 vCPU", "15 GB", ("T4", "16 GB"), 0.40),
    ("t4-medium", "Nvidia T4 - medium", "8 vCPU", "30 GB", ("T4", "16 GB"), 0.60),
    ("l4x1", "1x Nvidia L4", "8 vCPU", "30 GB", ("L4", "24 GB"), 0.80),
    ("a10g-small", "Nvidia A10G - small", "4 vCPU", "15 GB", ("A10G", "24 GB"), 1.00),
    ("a10g-large", "Nvidia A10G - large", "12 vCPU", "46 GB", ("A10G", "24 GB"), 1.50),
    ("l40sx1", "1x Nvidia L40S", "8 vCPU", "62 GB", ("L40S", "48 GB"), 1.80),
    ("a100-large", "Nvidia A100 - large", "12 vCPU", "142 GB", ("A100", "80 GB"), 2.50),
    ("h200", "1x Nvidia H200", "23 vCPU", "256 GB", ("H200", "141 GB"), 5.00),
]
FLAVORS = {row[0] for row in HARDWARE}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{int(ts * 1000) % 1000:03d}Z"
    )


def git_blob_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


# The Hub stores a file in LFS above this size, whatever its name.
LFS_THRESHOLD = 10 * 1024 * 1024
# The LFS patterns of the `.gitattributes` the Hub writes into every new repository.
DEFAULT_LFS_PATTERNS = (
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib",
    "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot",
    "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
    "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip",
    "*.zst", "*tfevents*",
)  # fmt: skip
DEFAULT_GITATTRIBUTES = "".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n" for pattern in DEFAULT_LFS_PATTERNS
).encode()
LFS_MEDIA_TYPE = "application/vnd.git-lfs+json"
LFS_URL_SECONDS = 900
_OID = re.compile(r"[0-9a-f]{64}")


def lfs_patterns(gitattributes: bytes) -> list[str]:
    """The patterns a `.gitattributes` sends through the LFS filter."""
    patterns = []
    for line in gitattributes.decode(errors="replace").splitlines():
        fields = line.split()
        if len(fields) > 1 and not fields[0].startswith("#") and "filter=lfs" in fields[1:]:
            patterns.append(fields[0])
    return patterns


def goes_to_lfs(path: str, size: int, patterns: list[str]) -> bool:
    """Whether the Hub stores `path` in LFS: too big for git, or named by a pattern
    (a pattern without a slash matches the file name at any depth, as in git)."""
    if size > LFS_THRESHOLD:
        return True
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(path if "/" in p else name, p.lstrip("/")) for p in patterns)


def disable_xet_in_clients() -> None:
    """Make the huggingface_hub clients that talk to this Hub use LFS, not Xet (see the
    module docstring): the switch the client reads at import, for processes started from
    now on, and the value this process's client already read."""
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_XET = True


class HubError(Exception):
    """Raised by a handler to answer with an error the client parses like the Hub's."""

    def __init__(self, status: int, message: str, code: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    match: re.Match | None = None
    hub: FakeHuggingFace | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            raise HubError(400, "Body is not JSON.") from None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def user(self, required: bool = True) -> User | None:
        token = self.token
        if token is None:
            if required:
                raise HubError(401, "Invalid username or password.")
            return None
        assert self.hub is not None
        user = self.hub.user_for_token(token)
        if user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return user


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON, bytes → raw
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None  # server-sent events, written as they come


@dataclass
class User:
    name: str
    tokens: set[str]
    orgs: list[str] = field(default_factory=list)

    def can_write(self, namespace: str) -> bool:
        return namespace == self.name or namespace in self.orgs


@dataclass
class Commit:
    oid: str
    summary: str
    files: dict[str, bytes]
    at: float
    lfs: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the LFS files


@dataclass
class Repo:
    repo_type: str
    repo_id: str
    private: bool
    sdk: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    commits: list[Commit] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    lfs_objects: dict[str, bytes] = field(default_factory=dict)  # the repo's LFS store by oid

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/", 1)[0]

    @property
    def head(self) -> Commit:
        return self.commits[-1]

    def at(self, revision: str) -> Commit:
        if revision in ("main", "HEAD"):
            return self.head
        for commit in self.commits:
            if commit.oid == revision:
                return commit
        raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


@dataclass
class LogLine:
    at: float
    text: str


@dataclass
class Job:
    id: str
    owner: User
    spec: dict[str, Any]
    created_at: float
    stage: str = "SCHEDULING"
    message: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    logs: list[LogLine] = field(default_factory=list)
    process: subprocess.Popen | None = None
    cancel_requested: bool = False
    workdir: Path | None = None

    def as_json(self) -> dict[str, Any]:
        now = time.time()
        durations: dict[str, int] = {"totalSecs": int((self.finished_at or now) - self.created_at)}
        if self.started_at:
            durations["schedulingSecs"] = int(self.started_at - self.created_at)
            durations["runningSecs"] = int((self.finished_at or now) - self.started_at)
        info = {
            "id": self.id,
            "createdAt": iso(self.created_at),
            "dockerImage": self.spec.get("dockerImage"),
            "spaceId": self.spec.get("spaceId"),
            "command": self.spec.get("command"),
            "arguments": self.spec.get("arguments", []),
            "environment": self.spec.get("environment", {}),
            # The Hub never shows secret values back, only which ones are set.
            "secrets": {key: None for key in self.spec.get("secrets") or {}},
            "flavor": self.spec.get("flavor", "cpu-basic"),
            "labels": self.spec.get("labels"),
            "status": {"stage": self.stage, "message": self.message},
            "durations": durations,
            "owner": {"id": f"id-{self.owner.name}", "name": self.owner.name, "type": "user"},
            "initiator": {"type": "user", "id": f"id-{self.owner.name}", "name": self.owner.name},
        }
        if self.started_at:
            info["startedAt"] = iso(self.started_at)
        if self.finished_at:
            info["finishedAt"] = iso(self.finished_at)
        return info


@dataclass
class Fault:
    path: re.Pattern
    method: str | None
    status: int | None
    times: int
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class Collection:
    slug: str
    namespace: str
    title: str
    description: str | None
    private: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    updated: float = field(default_factory=time.time)

    def as_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "owner": {"name": self.namespace, "type": "user"},
            "items": self.items,
            "lastUpdated": iso(self.updated),
            "position": 0,
            "private": self.private,
            "theme": "indigo",
            "upvotes": 0,
        }


Handler = Callable[[Request], Response]


class FakeHuggingFace:
    """The fake Hub: state, routes and a ThreadingHTTPServer on 127.0.0.1."""

    def __init__(self, *, scheduling_seconds: float = 0.2, log_hold_seconds: float = 0.3) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.jobs: dict[str, Job] = {}
        self.collections: dict[str, Collection] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, token)
        self.scheduling_seconds = scheduling_seconds
        # How long a log stream of a running job stays open for new lines before closing.
        self.log_hold_seconds = log_hold_seconds
        self._ids = itertools.count(1)
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.oauth = None  # a mounted FakeHFOAuth, whose access tokens the Hub accepts
        self._lfs_key = secrets.token_bytes(32)  # signs the LFS upload URLs it hands out
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._install_routes()

    # -- life cycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHuggingFace:
        disable_xet_in_clients()
        hub = self

        class _Handler(_RequestHandler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            jobs = list(self.jobs.values())
        for job in jobs:
            if job.process and job.process.poll() is None:
                _stop_container(job.process, signal.SIGKILL)
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # -- test controls ------------------------------------------------------------------

    def add_user(self, name: str, token: str | None = None, orgs: list[str] | None = None) -> str:
        token = token or f"hf_{name}_{git_blob_oid(name.encode())[:24]}"
        with self.lock:
            user = self.users.setdefault(name, User(name=name, tokens=set()))
            user.tokens.add(token)
            user.orgs = list(orgs or user.orgs)
        return token

    def revoke(self, token: str) -> None:
        with self.lock:
            for user in self.users.values():
                user.tokens.discard(token)

    def user_for_token(self, token: str) -> User | None:
        with self.lock:
            user = next((u for u in self.users.values() if token in u.tokens), None)
        if user is None and self.oauth is not None and self.oauth.token_is_valid(token):
            # An OAuth access token from the mounted provider acts for the Hub user of the
            # same name, as on huggingface.co; an expired one is refused like a bad token.
            account = self.oauth.users[self.oauth.access_tokens[token].sub]
            self.add_user(account.preferred_username)
            with self.lock:
                user = self.users[account.preferred_username]
        return user

    def fail(
        self,
        status: int | None,
        *,
        path: str = r".*",
        method: str | None = None,
        times: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next `times` requests matching `path` (a regex) get `status` (after `delay`)."""
        with self.lock:
            self.faults.append(Fault(re.compile(path), method, status, times, retry_after, delay))

    def slow(self, seconds: float, *, path: str = r".*", times: int = 1) -> None:
        self.fail(None, path=path, times=times, delay=seconds)

    def files(self, repo_id: str, repo_type: str = "model", revision: str = "main") -> dict:
        with self.lock:
            return dict(self.repos[(repo_type, repo_id)].at(revision).files)

    def repo(self, repo_id: str, repo_type: str = "model") -> Repo | None:
        with self.lock:
            return self.repos.get((repo_type, repo_id))

    def wait_for_job(self, job_id: str, timeout: float = 120.0) -> Job:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.jobs[job_id]
            if job.stage in ("COMPLETED", "ERROR", "CANCELED"):
                return job
            time.sleep(0.05)
        raise TimeoutError(f"job {job_id} still {self.jobs[job_id].stage}")

    def add_route(self, method: str, pattern: str, handler: Handler, *, first: bool = True) -> None:
        """Mount another handler (e.g. the OAuth provider); `first` lets it win over ours."""
        entry = (method.upper(), re.compile(pattern), handler)
        if first:
            self.routes.insert(0, entry)
        else:
            self.routes.append(entry)

    def mount_oauth(self, provider) -> None:
        """Serve a `tests.fakes.huggingface_oauth.FakeHFOAuth` from this Hub, as
        huggingface.co serves its OIDC provider from the same origin (issuer = Hub URL)."""
        from tests.fakes.huggingface_oauth import OAUTH_ROUTES, FakeRequest

        provider.issuer = self.url
        self.oauth = provider

        def serve(request: Request) -> Response:
            answer = provider.dispatch(
                FakeRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=request.headers,
                    body=request.body,
                    base_url=self.url,
                )
            )
            if answer is None:
                raise HubError(404, f"Not found: {request.method} {request.path}")
            return Response(answer.status, answer.body, dict(answer.headers))

        for method, pattern, _ in OAUTH_ROUTES:
            self.add_route(method, pattern.pattern, serve)

    # -- dispatch -----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        request.hub = self
        with self.lock:
            self.requests.append((request.method, request.path, request.token))
            fault = next(
                (
                    f
                    for f in self.faults
                    if f.times > 0
                    and f.path.search(request.path)
                    and (f.method is None or f.method == request.method)
                ),
                None,
            )
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = f"{fault.retry_after:g}"
                return Response(fault.status, {"error": f"Injected fault {fault.status}"}, headers)
        method = "GET" if request.method == "HEAD" else request.method
        for route_method, pattern, handler in self.routes:
            if route_method != method:
                continue
            match = pattern.fullmatch(request.path)
            if match:
                request.match = match
                try:
                    return handler(request)
                except HubError as error:
                    return self._error(error)
        return self._error(HubError(404, f"Not found: {request.method} {request.path}"))

    @staticmethod
    def _error(error: HubError) -> Response:
        headers = {"X-Error-Message": error.message}
        if error.code:
            headers["X-Error-Code"] = error.code
        return Response(error.status, {"error": error.message, **error.extra}, headers)

    def _install_routes(self) -> None:
        types = "(?P<type>models|datasets|spaces)"
        rev = "(?P<rev>[^/]+)"
        lfs = rf"/(?:(?P<type>datasets|spaces)/)?(?P<id>{_ID})\.git/info/lfs/objects"
        storage = rf"/lfs-storage/(?P<type>model|dataset|space)/(?P<id>{_ID})/(?P<oid>[0-9a-f]+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/api/whoami-v2", self.whoami),
            ("POST", r"/api/repos/create", self.create_repo),
            ("DELETE", r"/api/repos/delete", self.delete_repo),
            ("POST", r"/api/validate-yaml", self.validate_yaml),
            ("POST", rf"/api/{types}/(?P<id>{_ID})/preupload/(?P<rev>[^/]+)", self.preupload),
            ("POST", rf"/api/{types}/(?P<id>{_ID})/commit/(?P<rev>[^/]+)", self.commit),
            ("GET", rf"/api/{types}/(?P<id>{_ID})/xet-(?:read|write)-token/(?P<rev>.+)",
             self.xet_token),
            ("POST", rf"{lfs}/batch", self.lfs_batch),
            ("POST", rf"{lfs}/verify", self.lfs_verify),
            ("PUT", storage, self.lfs_put),
            ("GET", rf"/api/{types}/(?P<id>{_ID})/tree/{rev}(?:/(?P<path>.*))?", self.tree),
            ("GET", rf"/api/{types}/(?P<id>{_ID})(?:/revision/(?P<rev>[^/]+))?", self.repo_info),
            ("POST", rf"/api/spaces/(?P<id>{_ID})/secrets", self.add_space_secret),
            ("DELETE", rf"/api/spaces/(?P<id>{_ID})/secrets", self.delete_space_secret),
            ("GET", r"/api/jobs/hardware", self.jobs_hardware),
            ("POST", r"/api/jobs/(?P<ns>[\w.\-]+)", self.create_job),
            ("GET", r"/api/jobs/(?P<ns>[\w.\-]+)", self.list_jobs),
            ("GET", r"/api/jobs/(?P<ns>[\w.\-]+)/(?P<job>\w+)", self.inspect_job),
            ("POST", r"/api/jobs/(?P<ns>[\w.\-]+)/(?P<job>\w+)/cancel", self.cancel_job),
            ("GET", r"/api/jobs/(?P<ns>[\w.\-]+)/(?P<job>\w+)/logs", self.job_logs),
            ("POST", r"/api/collections", self.create_collection),
            ("GET", r"/api/collections/(?P<slug>[\w.\-]+/[\w.\-]+)", self.get_collection),
            ("POST", r"/api/collections/(?P<slug>[\w.\-]+/[\w.\-]+)/items", self.add_item),
            ("GET", rf"/(?:(?P<type>datasets|spaces)/)?(?P<id>{_ID})/resolve/{rev}/(?P<path>.+)",
             self.resolve),
        ]  # fmt: skip
        for method, pattern, handler in table:
            self.add_route(method, pattern, handler, first=False)

    # -- accounts -----------------------------------------------------------------------

    def whoami(self, request: Request) -> Response:
        user = request.user()
        return Response(
            body={
                "type": "user",
                "id": f"id-{user.name}",
                "name": user.name,
                "fullname": user.name.title(),
                "email": f"{user.name}@example.com",
                "orgs": [{"type": "org", "name": org, "roleInOrg": "write"} for org in user.orgs],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": "asthub", "role": "write"},
                },
            }
        )

    # -- repositories -------------------------------------------------------------------

    def _repo_url(self, repo: Repo) -> str:
        return f"{self._public_base}/{URL_PREFIX[repo.repo_type]}{repo.repo_id}"

    @property
    def _public_base(self) -> str:
        return self.url

    def _readable(self, request: Request, repo_type: str, repo_id: str) -> Repo:
        user = request.user(required=False)
        with self.lock:
            repo = self.repos.get((repo_type, repo_id))
        if repo is None or (repo.private and not (user and user.can_write(repo.namespace))):
            raise HubError(
                404, f"Repository Not Found for url: {repo_type}s/{repo_id}.", "RepoNotFound"
            )
        return repo

    def _writable(self, request: Request, repo_type: str, repo_id: str) -> tuple[User, Repo]:
        user = request.user()
        repo = self._readable(request, repo_type, repo_id)
        if not user.can_write(repo.namespace):
            raise HubError(403, f"You don't have the rights to write to {repo_id}.")
        return user, repo

    def _new_commit(
        self, repo: Repo, summary: str, files: dict[str, bytes], lfs: dict[str, str] | None = None
    ) -> Commit:
        seed = f"{repo.repo_id}:{len(repo.commits)}:{time.time_ns()}".encode()
        oid = hashlib.sha1(seed, usedforsecurity=False).hexdigest()
        commit = Commit(oid, summary, files, time.time(), dict(lfs or {}))
        repo.commits.append(commit)
        return commit

    def create_repo(self, request: Request) -> Response:
        user = request.user()
        body = request.json()
        name, organization = body.get("name"), body.get("organization")
        repo_type = body.get("type") or "model"
        if repo_type not in URL_PREFIX or not isinstance(name, str) or not name:
            raise HubError(400, "Invalid repo name or type.")
        namespace = organization or user.name
        if not user.can_write(namespace):
            raise HubError(403, f"You don't have the rights to create a repo under {namespace}.")
        repo_id = f"{namespace}/{name}"
        if not re.fullmatch(_ID, repo_id):
            raise HubError(400, f"Invalid repo id {repo_id!r}.")
        if repo_type == "space" and body.get("sdk") not in SPACE_SDKS:
            raise HubError(400, f"A Space needs an sdk among {', '.join(SPACE_SDKS)}.")
        private = body.get("visibility", "private" if body.get("private") else "public") != "public"
        with self.lock:
            existing = self.repos.get((repo_type, repo_id))
            if existing is not None:
                return Response(
                    409,
                    {"error": "You already created this repo", "url": self._repo_url(existing)},
                    {"X-Error-Message": "You already created this repo"},
                )
            repo = Repo(repo_type, repo_id, private, sdk=body.get("sdk"))
            for secret in body.get("secrets") or []:
                repo.secrets[secret["key"]] = secret["value"]
            for variable in body.get("variables") or []:
                repo.variables[variable["key"]] = variable["value"]
            self._new_commit(repo, "initial commit", {".gitattributes": DEFAULT_GITATTRIBUTES})
            self.repos[(repo_type, repo_id)] = repo
        return Response(body={"url": self._repo_url(repo), "name": repo_id, "id": repo_id})

    def delete_repo(self, request: Request) -> Response:
        user = request.user()
        body = request.json()
        repo_type = body.get("type") or "model"
        repo_id = f"{body.get('organization') or user.name}/{body.get('name')}"
        self._writable(request, repo_type, repo_id)
        with self.lock:
            del self.repos[(repo_type, repo_id)]
        return Response(body={})

    def validate_yaml(self, request: Request) -> Response:
        request.user()
        content = request.json().get("content", "")
        if content.startswith("---"):
            front = content.split("---", 2)[1] if content.count("---") >= 2 else ""
            try:
                data = yaml.safe_load(front)
            except yaml.YAMLError as error:
                raise HubError(400, f"Invalid YAML in README.md: {error}") from None
            if data is not None and not isinstance(data, dict):
                raise HubError(400, "README.md metadata must be a YAML mapping.")
        return Response(body={"errors": [], "warnings": []})

    def preupload(self, request: Request) -> Response:
        repo_type = REPO_TYPES[request.match["type"]]
        _, repo = self._writable(request, repo_type, request.match["id"])
        at = repo.at(unquote(request.match["rev"]))
        patterns = lfs_patterns(at.files.get(".gitattributes", b""))
        answer = []
        for item in request.json().get("files", []):
            path, size = item["path"], item.get("size")
            if not isinstance(size, int) or size < 0:
                raise HubError(400, f"A file to preupload needs its size: {path}.")
            existing = at.files.get(path)
            if path in at.lfs:
                oid = at.lfs[path]  # an LFS file's oid is its sha256, as the client compares
            else:
                oid = git_blob_oid(existing) if existing is not None else None
            answer.append(
                {
                    "path": path,
                    "uploadMode": "lfs" if goes_to_lfs(path, size, patterns) else "regular",
                    "shouldIgnore": False,
                    "oid": oid,
                }
            )
        return Response(body={"files": answer, "commitOid": repo.head.oid})

    def commit(self, request: Request) -> Response:
        repo_type = REPO_TYPES[request.match["type"]]
        _, repo = self._writable(request, repo_type, request.match["id"])
        if request.headers.get("content-type", "").split(";")[0] != "application/x-ndjson":
            raise HubError(400, "A commit is sent as application/x-ndjson.")
        summary = "commit"
        with self.lock:
            parent = repo.at(unquote(request.match["rev"]))
            files, lfs = dict(parent.files), dict(parent.lfs)
            patterns = lfs_patterns(files.get(".gitattributes", b""))
            for line in request.body.splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                key, value = item["key"], item["value"]
                if key == "header":
                    summary = value.get("summary") or summary
                    parent = value.get("parentCommit")
                    if parent and parent != repo.head.oid:
                        raise HubError(412, "The parent commit is not the head of the branch.")
                elif key == "file":
                    content = base64.b64decode(value["content"])
                    if content and goes_to_lfs(value["path"], len(content), patterns):
                        raise HubError(
                            400,
                            "Your push was rejected because it contains binary files. Offending "
                            f"files: {value['path']} (upload them as LFS files).",
                        )
                    files[value["path"]] = content
                    lfs.pop(value["path"], None)
                elif key == "lfsFile":
                    path, oid = value.get("path"), value.get("oid")
                    if value.get("algo", "sha256") != "sha256" or oid not in repo.lfs_objects:
                        raise HubError(
                            400,
                            "Your push was rejected because an LFS pointer pointed to a file "
                            f"that does not exist. Offending file: {path}",
                        )
                    content = repo.lfs_objects[oid]
                    if value.get("size", len(content)) != len(content):
                        raise HubError(400, f"The size of {path} is not that of its LFS object.")
                    files[path], lfs[path] = content, oid
                elif key == "deletedFile":
                    if value["path"] not in files:
                        raise HubError(404, "A file with this name doesn't exist", "EntryNotFound")
                    del files[value["path"]]
                    lfs.pop(value["path"], None)
                elif key == "deletedFolder":
                    prefix = value["path"].rstrip("/") + "/"
                    files = {p: c for p, c in files.items() if not p.startswith(prefix)}
                    lfs = {p: o for p, o in lfs.items() if p in files}
                else:
                    raise HubError(400, f"This fake Hub does not take {key} entries.")
            commit = self._new_commit(repo, summary, files, lfs)
        return Response(
            body={
                "commitUrl": f"{self._repo_url(repo)}/commit/{commit.oid}",
                "commitOid": commit.oid,
                "pullRequestUrl": None,
                "success": True,
            }
        )

    def repo_info(self, request: Request) -> Response:
        repo_type = REPO_TYPES[request.match["type"]]
        repo = self._readable(request, repo_type, request.match["id"])
        commit = repo.at(unquote(request.match["rev"] or "main"))
        info: dict[str, Any] = {
            "_id": f"id-{repo.repo_id}",
            "id": repo.repo_id,
            "author": repo.namespace,
            "sha": commit.oid,
            "private": repo.private,
            "disabled": False,
            "gated": False,
            "lastModified": iso(commit.at),
            "createdAt": iso(repo.created_at),
            "tags": [],
            "downloads": 0,
            "likes": 0,
            "siblings": [{"rfilename": path} for path in sorted(commit.files)],
        }
        if repo_type == "model":
            info["modelId"] = repo.repo_id
        if repo_type == "space":
            info["sdk"] = repo.sdk
            info["runtime"] = {"stage": "BUILDING", "hardware": {"current": None}}
        return Response(body=info)

    def tree(self, request: Request) -> Response:
        repo_type = REPO_TYPES[request.match["type"]]
        repo = self._readable(request, repo_type, request.match["id"])
        files = repo.at(unquote(request.match["rev"])).files
        base = (request.match["path"] or "").strip("/")
        prefix = f"{base}/" if base else ""
        recursive = request.arg("recursive", "false").lower() in ("1", "true")
        entries: dict[str, dict[str, Any]] = {}
        for path in sorted(files):
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            if "/" in rest:
                folder = prefix + rest.split("/", 1)[0]
                entries.setdefault(
                    folder, {"type": "directory", "oid": "0" * 40, "size": 0, "path": folder}
                )
                if not recursive:
                    continue
            content = files[path]
            entries[path] = {
                "type": "file",
                "oid": git_blob_oid(content),
                "size": len(content),
                "path": path,
            }
        if base and not entries and base not in files:
            raise HubError(404, f"{base} does not exist", "EntryNotFound")
        ordered = list(entries.values())
        start = int(request.arg("cursor", "0") or 0)
        page = ordered[start : start + TREE_PAGE_SIZE]
        headers = {}
        if start + TREE_PAGE_SIZE < len(ordered):
            query = f"recursive={str(recursive).lower()}&cursor={start + TREE_PAGE_SIZE}"
            next_url = f"{self.url}{request.path}?{query}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response(body=page, headers=headers)

    def resolve(self, request: Request) -> Response:
        prefixed = {"datasets": "dataset", "spaces": "space"}
        repo_type = prefixed.get(request.match["type"] or "", "model")
        repo = self._readable(request, repo_type, request.match["id"])
        commit = repo.at(unquote(request.match["rev"]))
        path = unquote(request.match["path"])
        if path not in commit.files:
            raise HubError(404, f"Entry not found: {path}", "EntryNotFound")
        content = commit.files[path]
        headers = {
            "X-Repo-Commit": commit.oid,
            "ETag": f'"{git_blob_oid(content)}"',
            "Content-Type": "application/octet-stream",
        }
        sha256 = commit.lfs.get(path)
        if sha256 is not None:
            # The Hub answers an LFS file with a redirect to its CDN that carries these (the
            # git ETag being the pointer's); the client reads the linked ones first. This
            # fake serves the bytes itself: a redirect to this same origin would be followed
            # and lose them.
            pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\n"
            pointer += f"size {len(content)}\n"
            headers["ETag"] = f'"{git_blob_oid(pointer.encode())}"'
            headers["X-Linked-Etag"] = f'"{sha256}"'
            headers["X-Linked-Size"] = str(len(content))
        return Response(body=content, headers=headers)

    # -- large files (git-lfs batch API; no Xet) ---------------------------------------

    def xet_token(self, request: Request) -> Response:
        """A Hub without Xet storage has no Xet token to give (huggingface_hub#4507)."""
        self._readable(request, REPO_TYPES[request.match["type"]], request.match["id"])
        raise HubError(
            404,
            "Xet storage is not enabled for this repository; upload large files through the "
            "LFS batch API (HF_HUB_DISABLE_XET=1).",
        )

    def _lfs_signature(self, repo: Repo, oid: str, size: int, expires: int) -> str:
        message = f"{repo.repo_type}:{repo.repo_id}:{oid}:{size}:{expires}".encode()
        return hmac.new(self._lfs_key, message, hashlib.sha256).hexdigest()

    def _lfs_repo(self, request: Request) -> Repo:
        prefixed = {"datasets": "dataset", "spaces": "space"}
        return self._readable(
            request, prefixed.get(request.match["type"] or "", "model"), request.match["id"]
        )

    def lfs_batch(self, request: Request) -> Response:
        if LFS_MEDIA_TYPE not in request.headers.get("accept", ""):
            raise HubError(406, f"The LFS batch API answers {LFS_MEDIA_TYPE} only.")
        repo = self._lfs_repo(request)
        body = request.json()
        if body.get("operation") != "upload":
            # The client downloads through `resolve`; this fake's batch API takes uploads.
            raise HubError(422, "This fake Hub's LFS batch API answers uploads only.")
        self._writable(request, repo.repo_type, repo.repo_id)
        if body.get("hash_algo", "sha256") != "sha256":
            raise HubError(422, "The Hub stores LFS objects by sha256.")
        objects = body.get("objects")
        if not isinstance(objects, list):
            raise HubError(422, "An LFS batch needs its objects.")
        answers = []
        base = f"{self.url}/{URL_PREFIX[repo.repo_type]}{repo.repo_id}.git/info/lfs/objects"
        for item in objects:
            oid, size = item.get("oid"), item.get("size")
            answer: dict[str, Any] = {"oid": oid, "size": size}
            if not isinstance(oid, str) or not _OID.fullmatch(oid):
                answer["error"] = {"code": 422, "message": "Invalid oid: not a sha256."}
            elif not isinstance(size, int) or size < 0:
                answer["error"] = {"code": 422, "message": "Invalid size."}
            elif oid in repo.lfs_objects:
                answer["authenticated"] = True  # stored: no actions, the client skips it
            else:
                expires = int(time.time()) + LFS_URL_SECONDS
                signature = self._lfs_signature(repo, oid, size, expires)
                href = (
                    f"{self.url}/lfs-storage/{repo.repo_type}/{repo.repo_id}/{oid}"
                    f"?size={size}&X-Amz-Expires={expires}&X-Amz-Signature={signature}"
                )
                answer["authenticated"] = True
                answer["actions"] = {
                    "upload": {"href": href, "expires_in": LFS_URL_SECONDS},
                    "verify": {"href": f"{base}/verify", "expires_in": LFS_URL_SECONDS},
                }
            answers.append(answer)
        # Only the basic transfer is offered (the fallback every git-lfs client has), also
        # to a client that asked for nothing else: this Hub has no multipart and no Xet.
        return Response(
            body={"transfer": "basic", "objects": answers, "hash_algo": "sha256"},
            headers={"Content-Type": LFS_MEDIA_TYPE},
        )

    def lfs_put(self, request: Request) -> Response:
        """The signed upload URL (S3 on the Hub): one PUT of the object's bytes."""
        with self.lock:
            repo = self.repos.get((request.match["type"], request.match["id"]))
        oid = request.match["oid"]
        try:
            size = int(request.arg("size", ""))
            expires = int(request.arg("X-Amz-Expires", ""))
        except ValueError:
            raise HubError(403, "SignatureDoesNotMatch") from None
        signature = request.arg("X-Amz-Signature", "")
        if repo is None or not hmac.compare_digest(
            signature, self._lfs_signature(repo, oid, size, expires)
        ):
            raise HubError(403, "SignatureDoesNotMatch")
        if time.time() > expires:
            raise HubError(403, "Request has expired")
        if len(request.body) != size:
            raise HubError(400, f"IncompleteBody: got {len(request.body)} bytes, not {size}.")
        if hashlib.sha256(request.body).hexdigest() != oid:
            raise HubError(400, "BadDigest: the bytes do not hash to the object's oid.")
        with self.lock:
            repo.lfs_objects[oid] = request.body
        return Response(body=b"", headers={"ETag": f'"{oid}"'})

    def lfs_verify(self, request: Request) -> Response:
        repo = self._lfs_repo(request)
        self._writable(request, repo.repo_type, repo.repo_id)
        body = request.json()
        with self.lock:
            stored = repo.lfs_objects.get(body.get("oid"))
        if stored is None or len(stored) != body.get("size"):
            raise HubError(404, "Object not found")
        return Response(body={"success": True})

    def add_space_secret(self, request: Request) -> Response:
        _, repo = self._writable(request, "space", request.match["id"])
        body = request.json()
        if not isinstance(body.get("key"), str) or not isinstance(body.get("value"), str):
            raise HubError(400, "A secret needs a key and a value.")
        with self.lock:
            repo.secrets[body["key"]] = body["value"]
        return Response(body={})

    def delete_space_secret(self, request: Request) -> Response:
        _, repo = self._writable(request, "space", request.match["id"])
        with self.lock:
            repo.secrets.pop(request.json().get("key"), None)
        return Response(body={})

    # -- jobs ---------------------------------------------------------------------------

    def jobs_hardware(self, request: Request) -> Response:
        rows = []
        for name, pretty, cpu, ram, accelerator, per_hour in HARDWARE:
            micro = round(per_hour / 60 * 1_000_000)
            rows.append(
                {
                    "name": name,
                    "prettyName": pretty,
                    "cpu": cpu,
                    "ram": ram,
                    "ephemeralStorage": "50 GB",
                    "accelerator": {
                        "type": "gpu",
                        "model": accelerator[0],
                        "quantity": "1",
                        "vram": accelerator[1],
                        "manufacturer": "Nvidia",
                    }
                    if accelerator
                    else None,
                    "unitCostMicroUSD": micro,
                    "unitCostUSD": micro / 1_000_000,
                    "unitLabel": "minute",
                }
            )
        return Response(body=rows)

    def _job(self, request: Request) -> Job:
        user = request.user()
        namespace = request.match["ns"]
        with self.lock:
            job = self.jobs.get(request.match["job"])
        if job is None or job.owner.name != namespace or not user.can_write(namespace):
            raise HubError(404, f"Job {request.match['job']} not found", "JobNotFound")
        return job

    def create_job(self, request: Request) -> Response:
        user = request.user()
        namespace = request.match["ns"]
        if not user.can_write(namespace):
            raise HubError(403, f"You cannot run jobs under {namespace}.")
        spec = request.json()
        command = spec.get("command")
        if not isinstance(command, list) or not all(isinstance(c, str) for c in command or [0]):
            raise HubError(400, "command must be a non-empty list of strings.")
        if spec.get("flavor", "cpu-basic") not in FLAVORS:
            raise HubError(400, f"Unknown flavor {spec.get('flavor')!r}.")
        if not spec.get("dockerImage") and not spec.get("spaceId"):
            raise HubError(400, "A job needs a dockerImage or a spaceId.")
        job_id = f"{next(self._ids):024x}"
        job = Job(job_id, user, spec, time.time())
        with self.lock:
            self.jobs[job_id] = job
        threading.Thread(target=self._run_job, args=(job,), daemon=True).start()
        return Response(body=job.as_json())

    def list_jobs(self, request: Request) -> Response:
        user = request.user()
        namespace = request.match["ns"]
        if not user.can_write(namespace):
            raise HubError(403, f"You cannot list jobs of {namespace}.")
        with self.lock:
            mine = [j.as_json() for j in self.jobs.values() if j.owner.name == namespace]
        return Response(body=mine)

    def inspect_job(self, request: Request) -> Response:
        return Response(body=self._job(request).as_json())

    def cancel_job(self, request: Request) -> Response:
        job = self._job(request)
        with self.lock:
            if job.stage in ("SCHEDULING", "RUNNING"):
                job.cancel_requested = True
                if job.process and job.process.poll() is None:
                    _stop_container(job.process, signal.SIGTERM)
        return Response(body={})

    def job_logs(self, request: Request) -> Response:
        job = self._job(request)
        return Response(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
            stream=self._log_events(job),
        )

    def _log_events(self, job: Job) -> Iterator[bytes]:
        sent = 0
        hold_until = time.monotonic() + self.log_hold_seconds
        while True:
            with self.lock:
                lines = job.logs[sent:]
                running = job.stage in ("SCHEDULING", "RUNNING")
            for line in lines:
                event = {"data": line.text, "timestamp": iso(line.at)}
                yield f"data: {json.dumps(event)}\n\n".encode()
            sent += len(lines)
            if not running or time.monotonic() > hold_until:
                return
            time.sleep(0.05)

    def _log(self, job: Job, text: str) -> None:
        with self.lock:
            job.logs.append(LogLine(time.time(), text))

    def _finish(self, job: Job, stage: str, message: str | None = None) -> None:
        with self.lock:
            job.stage, job.message, job.finished_at = stage, message, time.time()

    def _run_job(self, job: Job) -> None:
        """What the Jobs infrastructure does: schedule, then run the container's command."""
        time.sleep(self.scheduling_seconds)
        with self.lock:
            if job.cancel_requested:
                job.stage, job.finished_at = "CANCELED", time.time()
                return
            job.stage, job.started_at = "RUNNING", time.time()
        self._log(job, f"===== Job started at {datetime.now(UTC).isoformat()} =====")
        job.workdir = Path(tempfile.mkdtemp(prefix=f"fake-hf-job-{job.id}-"))
        # The image's interpreter: torch and pip, nothing of the hub's (clean_python.py).
        image = job_python(HF_JOBS_IMAGE, job.workdir)
        env = {
            **image.env,
            "HOME": str(job.workdir),
            "HF_HOME": str(job.workdir / ".hf"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "JOB_ID": job.id,
            "ACCELERATOR": "none",
            # This Hub has no Xet storage: the job's client must upload through LFS.
            "HF_HUB_DISABLE_XET": "1",
            **{k: str(v) for k, v in (job.spec.get("environment") or {}).items()},
            **{k: str(v) for k, v in (job.spec.get("secrets") or {}).items()},
        }
        python = str(image.python)
        command = [python if c in ("python", "python3") else c for c in job.spec["command"]]
        command += list(job.spec.get("arguments") or [])
        try:
            process = subprocess.Popen(
                command,
                cwd=job.workdir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                # The container: stopping the job stops every process in it, the engine the
                # bootstrap started included, as the Jobs infrastructure does.
                start_new_session=True,
            )
        except OSError as error:
            self._log(job, f"exec {shlex.join(command[:1])}: {error}")
            self._finish(job, "ERROR", f"Failed to start the container: {error}")
            return
        with self.lock:
            job.process = process
            if job.cancel_requested:
                _stop_container(process, signal.SIGTERM)
        timeout = job.spec.get("timeoutSeconds")
        timer = None
        if timeout:
            timer = threading.Timer(float(timeout), self._time_out, args=(job,))
            timer.daemon = True
            timer.start()
        assert process.stdout is not None
        with process.stdout:
            for raw in process.stdout:
                self._log(job, raw.rstrip("\n"))
        code = process.wait()
        if timer:
            timer.cancel()
        with self.lock:
            timed_out = job.message == "timeout"
        if job.cancel_requested:
            self._finish(job, "CANCELED")
        elif timed_out:
            self._finish(job, "ERROR", f"Job timeout: exceeded {timeout} seconds")
        elif code == 0:
            self._finish(job, "COMPLETED")
        else:
            self._finish(job, "ERROR", f"Job failed with exit code: {code}")

    def _time_out(self, job: Job) -> None:
        with self.lock:
            job.message = "timeout"
            if job.process and job.process.poll() is None:
                _stop_container(job.process, signal.SIGKILL)

    # -- collections --------------------------------------------------------------------

    def create_collection(self, request: Request) -> Response:
        user = request.user()
        body = request.json()
        namespace, title = body.get("namespace") or user.name, body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise HubError(400, "A collection needs a title.")
        if not user.can_write(namespace):
            raise HubError(403, f"You cannot create collections under {namespace}.")
        stem = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "collection"
        with self.lock:
            for collection in self.collections.values():
                if collection.namespace == namespace and collection.title == title:
                    return Response(
                        409, {"error": "Collection already exists", "slug": collection.slug}
                    )
            slug = f"{namespace}/{stem}-{next(self._ids):024x}"
            collection = Collection(
                slug, namespace, title, body.get("description"), bool(body.get("private"))
            )
            self.collections[slug] = collection
        return Response(body=collection.as_json())

    def _collection(self, request: Request, write: bool) -> Collection:
        user = request.user(required=write)
        with self.lock:
            collection = self.collections.get(request.match["slug"])
        visible = collection is not None and (
            not collection.private or (user is not None and user.can_write(collection.namespace))
        )
        if not visible:
            raise HubError(404, "Collection not found")
        if write and not user.can_write(collection.namespace):
            raise HubError(403, "You cannot edit this collection.")
        return collection

    def get_collection(self, request: Request) -> Response:
        return Response(body=self._collection(request, write=False).as_json())

    def add_item(self, request: Request) -> Response:
        collection = self._collection(request, write=True)
        body = request.json()
        item = body.get("item") or {}
        item_type, item_id = item.get("type"), item.get("id")
        if item_type not in ("model", "dataset", "space", "paper", "collection"):
            raise HubError(400, f"Unknown item type {item_type!r}.")
        if item_type in ("model", "dataset", "space"):
            self._readable(request, item_type, item_id)
        with self.lock:
            if any(i["id"] == item_id and i["type"] == item_type for i in collection.items):
                raise HubError(409, "Item already in the collection")
            entry: dict[str, Any] = {
                "_id": f"item-{next(self._ids):024x}",
                "id": item_id,
                "type": item_type,
                "position": len(collection.items),
            }
            if body.get("note"):
                entry["note"] = {"text": body["note"], "html": body["note"]}
            collection.items.append(entry)
            collection.updated = time.time()
        return Response(body=collection.as_json())


class _RequestHandler(BaseHTTPRequestHandler):
    fake: FakeHuggingFace
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response = self.fake.dispatch(request)
        # send_response adds the one and only Date header (the logs client reads it).
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.stream is not None:
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for chunk in response.stream:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if isinstance(response.body, bytes):
            payload = response.body
        elif response.body is None:
            payload = b""
        else:
            payload = json.dumps(response.body).encode()
            if "Content-Type" not in response.headers:
                self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = do_DELETE = do_PUT = do_PATCH = _handle


def _stop_container(process: subprocess.Popen, sig: signal.Signals) -> None:
    """Signal the job's whole process group (its "container"), not only its first process."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, sig)
