"""The interface every training platform implements. Adapters know nothing of Django
requests; each builds its client per call from the credential it is handed."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from asthub_site.errors import HubError


class PlatformUnavailable(HubError):
    status = 400
    code = "platform_unavailable"


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


@dataclass
class PollResult:
    state: str  # "running" | "succeeded" | "failed"
    metrics: list[dict] = field(default_factory=list)
    failure_reason: str = ""


class PlatformAdapter(Protocol):
    name: str
    needs_credential: str | None

    def launch(self, job: JobHandle, credential: dict | None) -> str:
        """Start the run; return the platform's id for it."""

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult: ...

    def cancel(self, job: JobHandle, credential: dict | None) -> None: ...

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        """Return a folder holding the run's outputs."""
