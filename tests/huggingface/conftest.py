"""Hugging Face tests: the real `huggingface_hub` against the fake Hub (tests/fakes)."""

import time

import pytest

from accounts.services import CredentialInput, add_credential
from tests.jobs.conftest import eager_tasks, pro_alice  # noqa: F401 - shared fixtures


@pytest.fixture
def connect_hf(hf_hub):
    """Give `user` a Hugging Face credential the fake knows as `name`; returns the token."""

    def connect(user, name: str) -> str:
        token = hf_hub.add_user(name)
        add_credential(user=user, data=CredentialInput(provider="huggingface", token=token))
        return token

    return connect


@pytest.fixture
def poll_until_done(settings):
    """Drive the shared poller, as beat would, until the job ends (or time runs out).

    Due jobs are polled in this thread (the sweep's thread pool would open connections
    that cannot see the test's transaction)."""
    from jobs.models import TrainingJob
    from jobs.runs.poll import due_job_ids, poll_job

    settings.REMOTE_POLL_INTERVAL_SECONDS = 0

    def run(job_id: int, timeout: float = 120.0, until=lambda job: job.is_terminal):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for due in due_job_ids():
                poll_job(due)
            job = TrainingJob.objects.get(pk=job_id)
            if until(job):
                return job
            time.sleep(0.2)
        raise TimeoutError(f"job {job_id} still {TrainingJob.objects.get(pk=job_id).status}")

    return run
