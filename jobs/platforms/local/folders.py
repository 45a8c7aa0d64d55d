"""Where a local run lives: one folder per job, its engine's outputs in `out/`."""

from pathlib import Path

from django.conf import settings

SCRIPT_FILE = "script.py"
LOG_FILE = "engine.log"
# Written before a cancel signals the engine, so its supervisor knows the exit was asked
# for (and does not report the run as failed).
STOP_REQUEST_FILE = "stop-requested"


def job_dir(job_id: int) -> Path:
    return Path(settings.LOCAL_JOBS_DIR) / str(job_id)


def out_dir(job_id: int) -> Path:
    return job_dir(job_id) / "out"
