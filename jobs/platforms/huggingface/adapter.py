"""Training on Hugging Face Jobs.

launch: commit the engine bundle and config to a private repo `<user>/asthub-job-<id>`
(pinned by commit, see bootstrap.py), make sure the output repo exists, and start a job
with the user's token as its `HF_TOKEN` secret and the plan's runtime as its timeout.
poll: inspect the job and read its log stream; the number of log lines already read is
kept in platform_state, so each `AST_METRIC` line is reported once. The job's own start
and end times are kept too: they are what Hugging Face bills, hence the run's cost.
cancel: the Jobs API's cancel. fetch_artifacts: download the output repo's files.
Every job call names its namespace (the library would otherwise ask whoami, and
`list_jobs` would even ask the global endpoint).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.conf import settings
from huggingface_hub import CommitOperationAdd

from asthub_site.errors import InvalidInput, NotFound
from jobs.platforms.base import EngineData, JobHandle, Launched, PollResult, RunLog
from jobs.platforms.huggingface.bootstrap import BOOTSTRAP, requirements_variable
from jobs.platforms.huggingface.client import hub_api, hub_errors, token_of
from jobs.platforms.huggingface.flavors import DEFAULT_FLAVOR, check_flavor
from jobs.platforms.log_errors import last_error_lines
from jobs.training import ENGINE_VERSION, build_script, script_sha256
from jobs.training.contract import parse_metric_line

# Files of the output repo that are not the run's outputs.
NOT_OUTPUTS = ("asthub/*", ".gitattributes", "README.md")
RUNNING_STAGES = ("SCHEDULING", "RUNNING")
DEFAULT_TIMEOUT_SECONDS = 30 * 60


def code_repo_name(job_id: int) -> str:
    return f"asthub-job-{job_id}"


class HuggingFaceJobsAdapter:
    name = "huggingface"
    needs_credential = "huggingface"
    can_cancel = True
    log_is_remote = True

    def hardware_name(self, requested: str) -> str:
        # "cpu", every spec's default, names each platform's plain CPU machine.
        return check_flavor(DEFAULT_FLAVOR if requested == "cpu" else requested)

    def has_gpu(self, hardware: str) -> bool:
        return not hardware.startswith("cpu")

    def missing_packages(self, packages: tuple[str, ...]) -> list[str]:
        # Not checked here: the job's image and its bootstrap (bootstrap.py) decide.
        return []

    def cannot_download(self) -> str:
        return ""  # HF Jobs containers reach the internet

    def engine_data(self, source: str) -> EngineData:
        return EngineData(engine_dataset=source)

    def launch(self, job: JobHandle, credential: dict | None) -> Launched:
        flavor = check_flavor(job.hardware)
        token = token_of(credential)
        api = hub_api(token)
        script = build_script(job.config)
        # A busy Hub (PlatformBusy) propagates: launch_job retries with backoff and
        # fails the job with the reason only if the Hub stays busy.
        with hub_errors("starting the HF job"):
            namespace = api.whoami()["name"]
            code_repo = f"{namespace}/{code_repo_name(job.id)}"
            output_repo = job.hf_repo or code_repo
            api.create_repo(code_repo, private=True, exist_ok=True)
            if output_repo != code_repo:
                api.create_repo(output_repo, private=True, exist_ok=True)
            commit = api.create_commit(
                code_repo,
                [
                    CommitOperationAdd("asthub/script.py", script.encode("utf-8")),
                    CommitOperationAdd(
                        "asthub/config.json",
                        json.dumps(job.config, indent=2, sort_keys=True).encode(),
                    ),
                ],
                commit_message=f"Engine {ENGINE_VERSION} bundle for asthub job {job.id}",
            )
            info = api.run_job(
                image=settings.HF_JOBS_IMAGE,
                command=["python", "-c", BOOTSTRAP],
                env={
                    "HF_ENDPOINT": settings.HF_ENDPOINT,
                    "HF_HUB_DISABLE_TELEMETRY": "1",
                    "PYTHONUNBUFFERED": "1",
                    "ASTHUB_JOB_ID": str(job.id),
                    "ASTHUB_CODE_REPO": code_repo,
                    "ASTHUB_REVISION": commit.oid,
                    "ASTHUB_SCRIPT_SHA256": script_sha256(script),
                    "ASTHUB_OUTPUT_REPO": output_repo,
                    "ASTHUB_BASELINE": "1" if job.is_baseline else "0",
                    "ASTHUB_REQUIREMENTS": requirements_variable(job.config),
                },
                secrets={"HF_TOKEN": token},
                flavor=flavor,
                timeout=job.max_runtime_seconds or DEFAULT_TIMEOUT_SECONDS,
                labels={"asthub-job": str(job.id)},
                name=code_repo_name(job.id),
                namespace=namespace,
            )
        return Launched(
            external_id=info.id,
            platform_state={
                "namespace": namespace,
                "code_repo": code_repo,
                "revision": commit.oid,
                "output_repo": output_repo,
                "flavor": flavor,
                "job_url": info.url,
                "log_cursor": 0,
            },
        )

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult:
        state = dict(job.platform_state)
        namespace = state.get("namespace")
        if not namespace or not job.external_id:
            raise InvalidInput(f"Job {job.id} has no Hugging Face job to follow.")
        api = hub_api(token_of(credential))
        with hub_errors("checking the HF job"):
            info = api.inspect_job(job_id=job.external_id, namespace=namespace)
            lines = list(api.fetch_job_logs(job_id=job.external_id, namespace=namespace))
        cursor = int(state.get("log_cursor", 0))
        new_lines = lines[cursor:]
        metrics = [point for point in map(parse_metric_line, new_lines) if point is not None]
        state["log_cursor"] = max(cursor, len(lines))
        state["stage"] = info.status.stage
        if info.started_at:
            state["started_at"] = info.started_at.isoformat()
        if info.finished_at:
            state["finished_at"] = info.finished_at.isoformat()
        tail = [line for line in lines if line.strip() and parse_metric_line(line) is None][-3:]
        if tail:
            state["log_tail"] = tail
        stage = str(info.status.stage)
        if stage in RUNNING_STAGES:
            return PollResult("running", metrics, platform_state=state)
        if stage == "COMPLETED":
            return PollResult("succeeded", metrics, platform_state=state)
        if stage == "CANCELED":
            reason = "The job was cancelled on Hugging Face."
        elif stage == "DELETED":
            reason = "The job was deleted on Hugging Face."
        else:
            reason = _failure_reason(
                info.status.message or stage, last_error_lines(lines), state.get("job_url", "")
            )
        return PollResult("failed", metrics, failure_reason=reason[:2000], platform_state=state)

    def cancel(self, job: JobHandle, credential: dict | None) -> None:
        namespace = job.platform_state.get("namespace")
        if not job.external_id or not namespace:
            return  # never reached Hugging Face: nothing runs there
        api = hub_api(token_of(credential))
        with hub_errors("cancelling the HF job"):
            api.cancel_job(job_id=job.external_id, namespace=namespace)

    def read_log(self, job: JobHandle, credential: dict | None) -> RunLog:
        """The job's log lines as the Jobs API replays them (what it has now, not waiting
        for more)."""
        namespace = job.platform_state.get("namespace")
        if not namespace or not job.external_id:
            return RunLog(source=self.name)  # never reached Hugging Face
        api = hub_api(token_of(credential))
        try:
            with hub_errors("reading the HF job's log"):
                lines = list(api.fetch_job_logs(job_id=job.external_id, namespace=namespace))
        except NotFound:
            lines = []  # no log for this job yet
        text = "".join(line.rstrip("\n") + "\n" for line in lines)
        return RunLog(source=self.name, text=text)

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        output_repo = job.platform_state.get("output_repo")
        if not output_repo:
            raise InvalidInput(f"Job {job.id} has no output repository on Hugging Face.")
        api = hub_api(token_of(credential))
        download = dest / "download"
        with hub_errors("downloading the run's outputs"):
            api.snapshot_download(
                repo_id=output_repo, local_dir=download, ignore_patterns=list(NOT_OUTPUTS)
            )
        # snapshot_download keeps its bookkeeping in .cache/ beside the files.
        outputs = dest / "outputs"
        outputs.mkdir()
        for path in download.iterdir():
            if path.name != ".cache":
                shutil.move(str(path), outputs / path.name)
        return outputs


def _failure_reason(hub_message: str, error_lines: str, log_url: str) -> str:
    """The Hub's word on the failure, the log's own last error lines, and where the log is."""
    reason = f"The Hugging Face job failed: {hub_message}."
    if error_lines:
        reason += f"\n{error_lines}"
    return f"{reason}\nLog: {log_url}" if log_url else reason
