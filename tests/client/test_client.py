"""The SDK against a fake hub: retries, pagination, errors, event streams, waiting."""

import httpx
import pytest

from asthub_client import (
    AstHubError,
    AuthenticationError,
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    ServerError,
)
from tests.client.fake_hub import DROP, error, make_job, metric_point, sse


def test_get_retries_after_429_honouring_retry_after(client, hub, sleeps):
    hub.add_job(12, "running")
    hub.queue(
        "GET",
        "/api/v1/jobs/12/",
        error(429, "throttled", "Slow down.", headers={"Retry-After": "3"}),
    )

    job = client.get_job(12)

    assert job.id == 12 and job.status == "running"
    assert sleeps == [3.0]


def test_retry_after_beyond_the_cap_is_raised_with_its_delay(client, hub, sleeps):
    hub.queue(
        "GET", "/api/v1/me", error(429, "throttled", "Slow down.", headers={"Retry-After": "600"})
    )

    with pytest.raises(RateLimited) as raised:
        client.me()

    assert raised.value.retry_after == 600
    assert sleeps == []


def test_get_retries_connection_errors_with_backoff(client, hub, sleeps):
    hub.add_job(12)
    hub.queue("GET", "/api/v1/jobs/12/", httpx.ConnectError("refused"), httpx.ReadTimeout("slow"))

    assert client.get_job(12).id == 12
    assert sleeps == [0.5, 1.0]


def test_get_gives_up_after_repeated_connection_errors(client, hub):
    hub.queue("GET", "/api/v1/me", *[httpx.ConnectError("refused") for _ in range(4)])

    with pytest.raises(ConnectionFailed):
        client.me()
    assert len(hub.requests_to("GET", "/api/v1/me")) == 4


def test_post_is_never_retried_after_a_connection_error(client, hub):
    hub.queue("POST", "/api/v1/jobs/", httpx.ReadTimeout("no answer"))

    with pytest.raises(ConnectionFailed):
        client.start_training(dataset="digits")

    assert len(hub.requests_to("POST", "/api/v1/jobs/")) == 1
    assert hub.jobs == {}


def test_post_is_retried_after_429(client, hub, sleeps):
    hub.queue(
        "POST", "/api/v1/jobs/", error(429, "throttled", "Slow.", headers={"Retry-After": "1"})
    )

    job = client.start({"dataset": "digits", "epochs": 2})

    assert job.epochs == 2
    assert len(hub.jobs) == 1
    assert sleeps == [1.0]


def test_list_jobs_follows_pagination(client, hub):
    for job_id in range(1, 6):
        hub.add_job(job_id)

    jobs = list(client.list_jobs(page_size=2))

    assert [job.id for job in jobs] == [5, 4, 3, 2, 1]
    pages = hub.requests_to("GET", "/api/v1/jobs/")
    assert len(pages) == 3
    # The `next` links name an internal host; the client stays on the configured URL.
    assert {request.url.host for request in pages} == {"hub.test"}


def test_list_jobs_sends_filters(client, hub):
    hub.add_job(1, "failed", sweep_id=4)
    hub.add_job(2, "succeeded", sweep_id=4)
    hub.add_job(3, "failed")

    jobs = list(client.list_jobs(status="failed", is_baseline=False, sweep=4))

    assert [job.id for job in jobs] == [1]
    query = hub.requests_to("GET", "/api/v1/jobs/")[0].url.params
    assert query["status"] == "failed" and query["is_baseline"] == "false" and query["sweep"] == "4"


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid", InvalidRequest),
        (401, "authentication_failed", AuthenticationError),
        (403, "permission_denied", PermissionDenied),
        (403, "quota_exceeded", QuotaExceeded),
        (404, "not_found", NotFound),
        (409, "missing_credential", Conflict),
        (413, "too_large", InvalidRequest),
        (500, "server_error", ServerError),
    ],
)
def test_error_bodies_become_typed_exceptions(client, hub, status, code, expected):
    hub.queue(
        "POST",
        "/api/v1/jobs/",
        error(status, code, "Told by the server.", fields={"epochs": ["Too many."]}),
    )

    with pytest.raises(expected) as raised:
        client.start_training(epochs=10_000)

    assert (raised.value.status, raised.value.code) == (status, code)
    assert str(raised.value) == "Told by the server."
    assert raised.value.fields == {"epochs": ["Too many."]}


def test_non_json_error_page_is_a_server_error(client, hub):
    hub.queue("GET", "/api/v1/me", httpx.Response(502, text="<html>Bad gateway</html>"))

    with pytest.raises(ServerError) as raised:
        client.me()
    assert raised.value.status == 502


def test_job_tolerates_null_progress_and_unknown_fields(client, hub):
    hub.add_job(3, "queued", progress=None, brand_new_field=1)

    job = client.get_job(3)

    assert job.progress == {}
    assert not job.is_terminal


def test_cancel_of_finished_job_is_a_conflict(client, hub):
    hub.add_job(5, "succeeded")

    with pytest.raises(Conflict):
        client.cancel(5)


def test_metrics_after_epoch_returns_only_newer_points(client, hub):
    hub.add_job(4)
    hub.points[4] = [metric_point(1), metric_point(2), metric_point(3)]

    assert [point["epoch"] for point in client.metrics(4, after_epoch=1)] == [2, 3]


def test_events_parses_status_metric_and_end_skipping_keepalives(client, hub):
    hub.add_job(12, "running")
    hub.event_scripts[12] = [
        [
            sse("status", {"job_id": 12, "status": "running", "failure_reason": ""}),
            b": keepalive\n\n",
            sse("metric", {**metric_point(1), "job_id": 12}),
            sse("end", {"job_id": 12, "status": "succeeded"}),
        ]
    ]

    events = list(client.events(12))

    assert [event.kind for event in events] == ["status", "metric", "end"]
    assert events[1].data["val_accuracy"] == pytest.approx(0.81)


def test_events_resume_after_a_dropped_connection_without_duplicates(client, hub):
    hub.add_job(12, "running")
    running = sse("status", {"job_id": 12, "status": "running", "failure_reason": ""})
    hub.event_scripts[12] = [
        [running, sse("metric", metric_point(1)), sse("metric", metric_point(2)), DROP],
        # The server replays the status and, from after_epoch=1, epoch 2 again.
        [running, sse("metric", metric_point(2)), sse("metric", metric_point(3)),
         sse("end", {"job_id": 12, "status": "succeeded"})],
    ]  # fmt: skip

    events = list(client.events(12))

    assert [(e.kind, e.data.get("epoch")) for e in events] == [
        ("status", None),
        ("metric", 1),
        ("metric", 2),
        ("metric", 3),
        ("end", None),
    ]
    reconnect = hub.requests_to("GET", "/api/v1/jobs/12/events")[1]
    assert reconnect.url.params["after_epoch"] == "1"


def test_events_give_up_when_the_stream_keeps_dropping(client, hub):
    hub.add_job(12, "running")
    hub.event_scripts[12] = [[DROP] for _ in range(4)]

    with pytest.raises(ConnectionFailed):
        list(client.events(12))


def test_wait_returns_the_final_job_and_reports_progress(client, hub):
    hub.add_job(12, "running")

    def finish_then_end():
        # The job is done on the server by the time the stream says `end`.
        hub.jobs[12].update(status="succeeded", progress=metric_point(3))
        return sse("end", {"job_id": 12, "status": "succeeded"})

    hub.event_scripts[12] = [
        [
            sse("status", {"job_id": 12, "status": "running", "failure_reason": ""}),
            sse("metric", metric_point(1)),
            sse("metric", metric_point(2)),
            finish_then_end,
        ]
    ]
    updates = []

    job = client.wait(12, on_update=lambda j: updates.append((j.status, j.progress.get("epoch"))))

    assert job.status == "succeeded" and job.is_terminal
    assert updates == [("running", None), ("running", 1), ("running", 2), ("succeeded", 3)]


def test_wait_falls_back_to_polling_when_the_stream_is_unavailable(client, hub, sleeps):
    hub.add_job(12, "running")  # no event script: the events endpoint answers 404
    hub.status_sequence[12] = [
        ("running", ""),
        ("running", ""),
        ("running", ""),
        ("failed", "out of memory"),
    ]

    job = client.wait(12, poll=5.0)

    assert job.status == "failed" and job.failure_reason == "out of memory"
    assert sleeps == [5.0, 5.0]


def test_wait_raises_timeout_error_when_the_job_outlives_the_timeout(client, hub):
    hub.add_job(12, "running")

    with pytest.raises(TimeoutError):
        client.wait(12, poll=0.01, timeout=0)


def test_download_artifact_verifies_checksum_and_writes_the_file(client, hub, tmp_path):
    hub.add_job(12, "succeeded")
    hub.artifacts[12] = [("model.safetensors", b"weights" * 100, None)]

    path = client.download_artifact(12, "model.safetensors", tmp_path)

    assert path == tmp_path / "model.safetensors"
    assert path.read_bytes() == b"weights" * 100


def test_corrupt_download_leaves_no_file(client, hub, tmp_path):
    hub.add_job(12, "succeeded")
    hub.artifacts[12] = [("metrics.jsonl", b"{}", None)]
    hub.queue(
        "GET", "/api/v1/jobs/12/artifacts/0/download", httpx.Response(200, content=b"tampered")
    )

    with pytest.raises(AstHubError) as raised:
        client.download_artifact(12, "metrics.jsonl", tmp_path)

    assert raised.value.code == "checksum_mismatch"
    assert list(tmp_path.iterdir()) == []


def test_download_from_another_origin_does_not_send_the_token(client, hub, tmp_path):
    hub.add_job(12, "succeeded")
    storage_url = "https://storage.example.com/bucket/plot.png?signature=abc"
    hub.artifacts[12] = [("plot.png", b"png", storage_url)]

    client.download_artifact(12, "plot.png", tmp_path / "loss.png")

    fetched = [r for r in hub.requests if r.url.host == "storage.example.com"]
    assert len(fetched) == 1 and "authorization" not in fetched[0].headers
    assert (tmp_path / "loss.png").read_bytes() == b"png"


def test_download_follows_the_hubs_presigned_link_without_the_token(client, hub, tmp_path):
    hub.add_job(12, "succeeded")
    hub.artifacts[12] = [("model.safetensors", b"weights" * 100, None)]
    presigned = "https://minio.example.com/asthub-artifacts/hub/jobs/1/12/model.safetensors"
    hub.queue(
        "GET",
        "/api/v1/jobs/12/artifacts/0/download",
        httpx.Response(302, headers={"Location": presigned + "?X-Amz-Signature=abc"}),
    )
    hub.queue("GET", "/asthub-artifacts/hub/jobs/1/12/model.safetensors",
              httpx.Response(200, content=b"weights" * 100))  # fmt: skip

    path = client.download_artifact(12, "model.safetensors", tmp_path)

    assert path.read_bytes() == b"weights" * 100
    fetched = [r for r in hub.requests if r.url.host == "minio.example.com"]
    assert len(fetched) == 1 and "authorization" not in fetched[0].headers
    assert fetched[0].url.params["X-Amz-Signature"] == "abc"


def test_unknown_artifact_name_is_not_found(client, hub, tmp_path):
    hub.add_job(12, "succeeded")

    with pytest.raises(NotFound):
        client.download_artifact(12, "missing.bin", tmp_path)


def test_sweeps_compare_and_model_cards_return_server_documents(client, hub):
    sweep = client.start_sweep({"dataset": "digits"}, {"entropy_weight": [0.1, 0.3]})
    assert sweep["job_ids"] == [201, 202, 203, 204]

    comparison = client.compare(12)
    assert comparison["ast_run_id"] == 12 and comparison["estimated"] is True

    card = client.create_model_card(12, template="research")
    assert card["template"] == "research"


def test_rerun_creates_a_new_job_with_the_same_config(client, hub):
    hub.jobs[12] = make_job(12, "failed", epochs=7)

    rerun = client.rerun(12)

    assert rerun.id != 12 and rerun.epochs == 7 and rerun.status == "queued"


def test_wait_sweep_gives_up_after_the_timeout(client, hub):
    hub.add_job(201, "running", sweep_id=7)
    hub.add_job(202, "succeeded", sweep_id=7)

    with pytest.raises(TimeoutError, match="sweep 7"):
        client.wait_sweep(7, timeout=0)


def test_wait_sweep_returns_every_run_in_start_order_once_all_ended(client, hub):
    hub.add_job(202, "succeeded", sweep_id=7)
    hub.add_job(201, "running", sweep_id=7)
    hub.add_job(300, "running")  # another sweep's run or a plain job: not waited for
    hub.status_sequence[201] = [("running", ""), ("failed", "diverged")]
    seen = []

    runs = client.wait_sweep(7, on_update=lambda run: seen.append((run.id, run.status)))

    assert [(run.id, run.status) for run in runs] == [(201, "failed"), (202, "succeeded")]
    assert seen == [(201, "running"), (202, "succeeded"), (201, "failed")]
