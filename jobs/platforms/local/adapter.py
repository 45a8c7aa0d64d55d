"""The local platform behind the same interface as Kaggle and HF Jobs.

`launch` hands the run to a training worker (the supervisor in jobs.runs starts the
engine through `start_engine` and reports as it goes); `poll` reads what the run's folder
says; `cancel` stops the engine's process group, wherever its worker went, if it runs on
this machine; `fetch_artifacts` is the run's output folder.
"""

import importlib.util
from pathlib import Path

from django.conf import settings

from asthub_site.errors import InvalidInput
from jobs import dispatch
from jobs.platforms.base import EngineData, JobHandle, Launched, PollResult, RunLog
from jobs.platforms.local.engine import LocalRun
from jobs.platforms.local.folders import STOP_REQUEST_FILE, job_dir, out_dir
from jobs.platforms.local.log_file import read_engine_log
from jobs.platforms.local.processes import ask_engine_to_stop, this_host
from jobs.training import build_script
from jobs.training.contract import COMPLETED, METRICS_FILE, MetricFileTail, read_summary

# Distribution names whose module is called something else.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pillow": "PIL"}


class LocalAdapter:
    name = "local"
    needs_credential = None
    can_cancel = True
    log_is_remote = False

    def hardware_name(self, requested: str) -> str:
        if requested != "cpu":
            raise InvalidInput(
                f"This hub's workers train on their CPU; hardware {requested!r} is for "
                "kaggle or huggingface runs. Use hardware 'cpu' on local.",
                fields={"hardware": ["local runs use cpu"]},
            )
        return requested

    def has_gpu(self, hardware: str) -> bool:
        return False

    def missing_packages(self, packages: tuple[str, ...]) -> list[str]:
        # The workers run in this hub's own environment, so what imports here imports
        # there; find_spec looks without importing (no torch in the web process).
        return [
            package
            for package in packages
            if importlib.util.find_spec(IMPORT_NAMES.get(package, package)) is None
        ]

    def cannot_download(self) -> str:
        if settings.LOCAL_RUNS_HAVE_INTERNET:
            return ""
        return (
            "this hub's workers may not download (its operator allows it with "
            "LOCAL_RUNS_HAVE_INTERNET=1)."
        )

    def engine_data(self, source: str) -> EngineData:
        return EngineData(engine_dataset=source)

    def launch(self, job: JobHandle, credential: dict | None) -> Launched:
        queue = "training_priority" if job.priority else "training"
        task_id = dispatch.supervise_local_run(job.id, queue=queue)
        return Launched(external_id=f"celery:{task_id}", polled=False)

    def start_engine(self, job: JobHandle) -> LocalRun:
        """Start the job's engine (resuming from its checkpoint if the folder has one)."""
        run = LocalRun(job, build_script(job.config))
        run.start()
        return run

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult:
        """The run's state as its folder tells it: every metric line so far, and the end
        once summary.json is written."""
        out = out_dir(job.id)
        metrics = MetricFileTail(out / METRICS_FILE).read_new()
        summary = read_summary(out)
        if summary is None:
            return PollResult(state="running", metrics=metrics)
        if summary.get("status") == COMPLETED:
            return PollResult(state="succeeded", metrics=metrics)
        return PollResult(
            state="failed",
            metrics=metrics,
            failure_reason=f"The engine stopped early ({summary.get('status')}).",
        )

    def cancel(self, job: JobHandle, credential: dict | None) -> None:
        """Stop the engine here and now, even if the worker that started it is gone. An
        engine on another machine is stopped by its supervisor, which sees the status."""
        if job.engine_pgid and job.engine_host == this_host():
            (job_dir(job.id) / STOP_REQUEST_FILE).touch()
            # Not waited for: its supervisor reaps it, and if the supervisor is gone the
            # reconciler kills whatever of it is left once the job has ended.
            ask_engine_to_stop(job.engine_pgid, job.id)

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        return out_dir(job.id)

    def read_log(self, job: JobHandle, credential: dict | None) -> RunLog:
        # The engine writes its output into the run's folder on this hub's disk.
        return read_engine_log(job.id)
