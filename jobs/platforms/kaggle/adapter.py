"""Kaggle kernels as a training platform, behind the same interface as the local one.

launch: the engine bundle becomes a private script kernel `<owner>/ast-hub-job-<id>`
(a new version each time it is saved); its version number is kept for every later call.
poll: one status call per poll, with the version label; while the kernel runs (and once
more when it ends) the log is read from the kept cursor. fetch_artifacts: page through
the session's outputs and download each signed URL without credentials.

Stopping a kernel: Kaggle's API has CancelKernelSession, but it takes a kernel session id
that no public call returns (SaveKernel answers the version number, the status call only
status and failure message; a Kaggle maintainer: "A session ID is like a *nix PID, and is
not currently exposed outside the server", Kaggle/kaggle-cli PR #1174). So `can_cancel`
is False, and every kernel is saved with the job's runtime limit as its session timeout:
a kernel the hub stopped following still ends on its own instead of holding a GPU session.
"""

from datetime import timedelta
from pathlib import Path, PurePosixPath

import requests
from django.utils import timezone
from kagglesdk.kernels.types.kernels_api_service import (
    ApiGetAcceleratorQuotaStatisticsRequest,
    ApiGetKernelSessionStatusRequest,
    ApiListKernelSessionOutputRequest,
    ApiSaveKernelRequest,
)

from asthub_site.errors import InvalidInput, NotFound
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.base import (
    EngineData,
    JobHandle,
    Launched,
    PlatformBusy,
    PlatformUnavailable,
    PollResult,
    RunLog,
)
from jobs.platforms.kaggle.client import calling, kaggle_client, retrying, timeout_seconds
from jobs.platforms.kaggle.kernels import (
    accelerator,
    canonical_hardware,
    data_sources,
    kernel_slug,
    kernel_text,
    kernel_title,
    needs_internet,
)
from jobs.platforms.kaggle.logs import (
    LogCursor,
    error_lines_of,
    log_text_of,
    new_metrics,
    read_events,
)

MAX_SESSION_SECONDS = 12 * 3600  # Kaggle's own limit for one session
OUTPUT_PAGE_SIZE = 50
LAUNCH_ATTEMPTS = 3
MAX_LAUNCH_WAIT_SECONDS = 20.0
RUNNING = {"RUNNING"}
ENDED_BADLY = {"CANCEL_REQUESTED", "CANCEL_ACKNOWLEDGED"}


def kernel_url(owner: str, slug: str) -> str:
    return f"https://www.kaggle.com/code/{owner}/{slug}"


def owner_of(credential: dict | None) -> str:
    owner = (credential or {}).get("kaggle_username") or (credential or {}).get("username")
    if not owner:
        raise PlatformUnavailable(
            "The Kaggle credential has no verified username; remove it and connect it again."
        )
    return owner


class KaggleAdapter:
    name = "kaggle"
    needs_credential = "kaggle"
    can_cancel = False
    log_is_remote = True

    # --- launch ---------------------------------------------------------------------------

    def hardware_name(self, requested: str) -> str:
        return canonical_hardware(requested)

    def has_gpu(self, hardware: str) -> bool:
        return accelerator(hardware).kind != "cpu"

    def missing_packages(self, packages: tuple[str, ...]) -> list[str]:
        # Not checked here: Kaggle's image has torch, torchvision, timm and scikit-learn;
        # the kernel fetches anything else (mnist1d) with internet on.
        return []

    def cannot_download(self) -> str:
        # The kernel asks for internet (see launch); Kaggle grants it to phone-verified
        # accounts only, which no API shows, so the engine checks first thing in the kernel.
        return ""

    def engine_data(self, source: str) -> EngineData:
        sources = data_sources(source)
        return EngineData(
            engine_dataset=sources.engine_dataset,
            platform_state={"data_sources": sources.as_state()},
        )

    def launch(self, job: JobHandle, credential: dict | None) -> Launched:
        from jobs.training import build_script

        owner = owner_of(credential)
        slug = kernel_slug(job.id)
        chosen = accelerator(job.hardware)
        sources = job.platform_state.get("data_sources") or {}
        request = ApiSaveKernelRequest()
        request.slug = f"{owner}/{slug}"
        request.new_title = kernel_title(job.id)
        request.text = kernel_text(
            build_script(job.config), baseline=job.is_baseline, config=job.config
        )
        request.language = "python"
        request.kernel_type = "script"
        request.is_private = True
        request.enable_gpu = chosen.kind == "gpu"
        request.enable_tpu = chosen.kind == "tpu"
        request.enable_internet = needs_internet(job.config)
        request.dataset_data_sources = list(sources.get("datasets", []))
        request.competition_data_sources = list(sources.get("competitions", []))
        if chosen.machine_shape:
            request.machine_shape = chosen.machine_shape
        # The plan's runtime limit ends the session on Kaggle's side too: the hub cannot
        # stop a kernel, so one it stopped following must not hold a GPU past the limit.
        request.session_timeout_seconds = min(
            job.max_runtime_seconds or MAX_SESSION_SECONDS, MAX_SESSION_SECONDS
        )
        with kaggle_client(credential) as client:
            if chosen.kind != "cpu":
                self._check_quota(client, chosen.kind, job.hardware)
            answer = _with_retries(
                lambda: client.kernels.kernels_api_client.save_kernel(request), "saving the kernel"
            )
        _refuse_save_errors(answer, launching=job)
        return Launched(
            external_id=f"{owner}/{slug}",
            platform_state={
                "owner": owner,
                "slug": slug,
                "version": answer.version_number,
                "url": answer.url or kernel_url(owner, slug),
                "session_timeout_seconds": request.session_timeout_seconds,
                "data_sources": sources,
                **LogCursor().as_state(),
            },
        )

    def _check_quota(self, client, kind: str, hardware: str) -> None:
        answer = _with_retries(
            lambda: client.kernels.kernels_api_client.get_accelerator_quota_statistics(
                ApiGetAcceleratorQuotaStatisticsRequest()
            ),
            "reading the accelerator quota",
        )
        quota = answer.tpu_quota if kind == "tpu" else answer.gpu_quota
        if quota is None or quota.total_time_allowed is None:
            return
        allowed = quota.total_time_allowed.total_seconds()
        used = quota.time_used.total_seconds() if quota.time_used else 0.0
        left_hours = max(0.0, allowed - used) / 3600
        if left_hours <= 0:
            refresh = answer.quota_refresh_time
            when = f" It refreshes {refresh:%Y-%m-%d %H:%M} UTC." if refresh else ""
            raise PlatformUnavailable(
                f"Your Kaggle {kind.upper()} quota is used up: {left_hours:.1f} h of "
                f"{allowed / 3600:g} h left this week, so a {hardware} run cannot start.{when} "
                "Run it on cpu, or wait for the refresh."
            )

    # --- poll -----------------------------------------------------------------------------

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult:
        state = dict(job.platform_state)
        owner, slug, version = state["owner"], state["slug"], int(state["version"])
        request = ApiGetKernelSessionStatusRequest()
        request.user_name = owner
        request.kernel_slug = slug
        request.version_label = f"v{version}"
        with kaggle_client(credential) as client:
            answer = retrying(
                lambda: client.kernels.kernels_api_client.get_kernel_session_status(request),
                "checking the kernel's status",
            )
            status = answer.status.name
            if status == "QUEUED":
                return PollResult("running")
            events = retrying(
                lambda: read_events(client, owner=owner, slug=slug, version=version),
                "reading the kernel's log",
            )
        finished = status not in RUNNING
        points, cursor = new_metrics(events, LogCursor.of(state), finished=finished)
        state.update(cursor.as_state(), last_status=status)
        if status == "COMPLETE":
            return PollResult("succeeded", points, platform_state=state)
        if status == "ERROR":
            return PollResult(
                "failed",
                points,
                failure_reason=_failure_reason(
                    answer.failure_message or "", error_lines_of(events), state.get("url", "")
                ),
                platform_state=state,
            )
        if status in ENDED_BADLY:
            return PollResult(
                "failed",
                points,
                failure_reason="The kernel was stopped on Kaggle before it finished.",
                platform_state=state,
            )
        return PollResult("running", points, platform_state=state)

    def cancel(self, job: JobHandle, credential: dict | None) -> None:
        """Nothing to call: CancelKernelSession needs a session id no public call gives
        (see the module docstring). The hub only stops following the kernel, which ends
        at the latest at its session timeout."""

    def read_log(self, job: JobHandle, credential: dict | None) -> RunLog:
        """The kernel's log: the live stream while it runs, the saved log once it ended.
        One attempt: a busy Kaggle is the reader's to wait out, not a page's to sleep on."""
        state = job.platform_state
        if not state.get("owner") or not state.get("version"):
            return RunLog(source=self.name)  # never reached Kaggle
        try:
            with kaggle_client(credential) as client:
                events = read_events(
                    client, owner=state["owner"], slug=state["slug"], version=int(state["version"])
                )
        except NotFound:
            events = []  # no log for this version yet
        return RunLog(source=self.name, text=log_text_of(events))

    # --- outputs --------------------------------------------------------------------------

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        state = job.platform_state
        files: list[tuple[str, str]] = []
        with kaggle_client(credential) as client:
            token = None
            while True:
                request = ApiListKernelSessionOutputRequest()
                request.user_name = state["owner"]
                request.kernel_slug = state["slug"]
                request.version_label = f"v{int(state['version'])}"
                request.page_size = OUTPUT_PAGE_SIZE
                if token:
                    request.page_token = token
                page = retrying(
                    lambda request=request: (
                        client.kernels.kernels_api_client.list_kernel_session_output(request)
                    ),
                    "listing the kernel's outputs",
                )
                files += [(f.file_name, f.url) for f in page.files if f.file_name and f.url]
                token = page.next_page_token
                if not token:
                    break
        dest.mkdir(parents=True, exist_ok=True)
        # Signed URLs carry their own authority: a plain session, never the user's auth.
        with requests.Session() as plain:
            for name, url in files:
                target = dest / _safe_name(name)
                retrying(
                    lambda url=url, target=target: _download(plain, url, target),
                    f"downloading the output {name}",
                )
        return dest


def _safe_name(name: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInput(f"Kaggle listed an output with an unsafe name: {name!r}")
    return Path(*path.parts)


def _download(session: requests.Session, url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with (
        calling(f"downloading the output {target.name}"),
        session.get(url, stream=True, timeout=timeout_seconds()) as response,
    ):
        response.raise_for_status()
        with open(partial, "wb") as handle:
            for chunk in response.iter_content(1 << 20):
                handle.write(chunk)
    partial.replace(target)


def _with_retries(call, action: str):
    """Launch-time calls: a busy Kaggle is waited out a little, then the user is told to
    try again; a launch has no poller to come back to it later."""
    try:
        return retrying(call, action, attempts=LAUNCH_ATTEMPTS, max_wait=MAX_LAUNCH_WAIT_SECONDS)
    except PlatformBusy as busy:
        raise PlatformUnavailable(
            f"Kaggle stayed busy while {action} ({busy}); the run did not start. "
            "Try again in a few minutes."
        ) from busy


def _failure_reason(kaggle_message: str, error_lines: str, log_url: str) -> str:
    """What failed, in the log's own words when it has any, then where the whole log is."""
    said = f" ({kaggle_message})" if kaggle_message else ""
    if error_lines:
        reason = f"The Kaggle kernel failed{said}:\n{error_lines}"
    else:
        reason = f"The Kaggle kernel failed: {kaggle_message or 'it ended with an error'}."
    return f"{reason}\nLog: {log_url}" if log_url else reason


def _refuse_save_errors(answer, *, launching: JobHandle) -> None:
    invalid = list(answer.invalid_dataset_sources) + list(answer.invalid_competition_sources)
    if invalid:
        raise InvalidInput(
            f"Kaggle cannot attach {', '.join(invalid)}: check the name, that you can see "
            "it on Kaggle, and for a competition that you accepted its rules."
        )
    if not answer.error:
        return
    if "gpu session" in answer.error.lower():
        raise PlatformUnavailable(
            f"Kaggle refused another GPU session: {answer.error} " + _gpu_holders_advice(launching)
        )
    raise PlatformUnavailable(f"Kaggle refused the kernel: {answer.error}")


def _gpu_holders_advice(launching: JobHandle) -> str:
    """Name the user's GPU kernels this hub launched that may still be running: the ones
    it follows, and the ones it stopped following on a confirmed cancel (Kaggle cannot
    be told to stop them) whose session timeout has not passed yet."""
    now = timezone.now()
    holders = []
    candidates = (
        TrainingJob.objects.filter(
            owner_id=launching.owner_id,
            platform=KaggleAdapter.name,
            status__in=(JobStatus.LAUNCHING, JobStatus.RUNNING, JobStatus.CANCELLED),
        )
        .exclude(pk=launching.id)
        .exclude(external_id="")
        .only("pk", "status", "hardware", "platform_state", "launched_at")
        .order_by("pk")
    )
    for job in candidates:
        state = job.platform_state or {}
        if not state.get("url") or not KaggleAdapter().has_gpu(job.hardware):
            continue
        if job.status != JobStatus.CANCELLED:
            holders.append(f"job {job.pk} ({state['url']}, running)")
            continue
        timeout = int(state.get("session_timeout_seconds") or MAX_SESSION_SECONDS)
        ends_by = (job.launched_at or now) + timedelta(seconds=timeout)
        if ends_by > now:
            holders.append(
                f"job {job.pk} ({state['url']}, cancelled here but Kaggle cannot be told to "
                f"stop it: it may run until {ends_by:%Y-%m-%d %H:%M} UTC)"
            )
    if not holders:
        return (
            "None of the GPU kernels this hub started for you should still be running; a "
            "GPU session started on kaggle.com itself may hold the slot. Stop it there, or "
            "wait for it to finish, then start this run again."
        )
    return (
        "GPU kernels this hub started for you that may still be running: "
        + "; ".join(holders)
        + ". Stop the ones you do not need on kaggle.com (open the kernel and stop its "
        "session), or wait for one to finish, then start this run again."
    )
