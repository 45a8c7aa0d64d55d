"""The interface every training platform implements. Adapters know nothing of Django
requests; each builds its client per call from the credential it is handed."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from asthub_site.errors import HubError


class PlatformUnavailable(HubError):
    status = 400
    code = "platform_unavailable"


class PlatformBusy(Exception):
    """The platform asked us to slow down (429) or failed on its side (5xx, timeout).

    Not the user's fault and not the end of the job: the poller keeps the job and asks
    again after `retry_after` seconds (the platform's Retry-After when it sent one).
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class JobHandle:
    """What an adapter may know about a job: no ORM object crosses this line."""

    id: int
    owner_id: int
    config: dict
    is_baseline: bool
    hardware: str
    external_id: str = ""
    priority: bool = False
    max_runtime_seconds: int | None = None
    # Where a remote run should leave its model ("" lets the adapter choose).
    hf_repo: str = ""
    # What the adapter asked to keep between calls (kernel version, log cursor, ...).
    platform_state: dict = field(default_factory=dict)
    # The engine process group a local run started, and where (none for remote runs).
    engine_pgid: int | None = None
    engine_host: str = ""


@dataclass(frozen=True)
class Launched:
    """What `launch` reports: the platform's id for the run and any state to keep."""

    external_id: str
    platform_state: dict = field(default_factory=dict)
    # True: the platform runs it now and the poller follows it (Kaggle, HF Jobs).
    # False: it was handed to a training worker of this hub, whose supervisor reports.
    polled: bool = True


@dataclass(frozen=True)
class EngineData:
    """How a platform hands a catalog data source to the engine: the name the engine
    loads, and what the platform must arrange at launch (Kaggle: attachments)."""

    engine_dataset: str
    platform_state: dict = field(default_factory=dict)


@dataclass
class PollResult:
    state: str  # "running" | "succeeded" | "failed"
    metrics: list[dict] = field(default_factory=list)
    failure_reason: str = ""
    # Replaces the job's stored platform_state when not None (e.g. an advanced cursor).
    platform_state: dict | None = None


@dataclass(frozen=True)
class RunLog:
    """A run's log as the platform holds it now: its text from line `skipped_lines` on
    (a very long local log is read from its end), and where it came from."""

    source: str  # "engine" | "kaggle" | "huggingface"
    text: str = ""
    skipped_lines: int = 0


class PlatformAdapter(Protocol):
    name: str
    needs_credential: str | None
    # False where the platform has no API to stop a run (Kaggle): cancelling then only
    # stops tracking, after the user confirms they understand the run goes on.
    can_cancel: bool
    # True where `read_log` asks another service (rate-limited, slow): its text is kept
    # a few seconds and one reader at a time asks.
    log_is_remote: bool

    def hardware_name(self, requested: str) -> str:
        """The platform's own name for the hardware asked for; InvalidInput naming what
        it offers."""

    def has_gpu(self, hardware: str) -> bool:
        """Whether that hardware has an accelerator to train on."""

    def missing_packages(self, packages: tuple[str, ...]) -> list[str]:
        """Which of these Python packages a run on this platform cannot import."""

    def cannot_download(self) -> str:
        """Why a run on this platform cannot download when it starts, or "" if it can."""

    def engine_data(self, source: str) -> EngineData:
        """What the engine loads for a catalog source, and what the launch attaches."""

    def launch(self, job: JobHandle, credential: dict | None) -> Launched:
        """Start the run. Raise PlatformUnavailable/InvalidInput for what the user must fix."""

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult:
        """Report new metrics and the run's state; raise PlatformBusy to be asked later."""

    def cancel(self, job: JobHandle, credential: dict | None) -> None:
        """Stop the run where it runs; raise PlatformBusy when the platform did not answer."""

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        """Return a folder holding the run's outputs."""

    def read_log(self, job: JobHandle, credential: dict | None) -> RunLog:
        """The run's whole log so far ("" before it has one); PlatformBusy when the
        platform asks to slow down."""
