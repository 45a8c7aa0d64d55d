"""deploy_dashboard: a Gradio Space fed by a read-only share link, on every surface."""

import io
import json
import types
import urllib.error

import pytest
import yaml

from asthub_client.cli import main as cli_main
from jobs import services
from jobs.models import JobStatus, ShareToken
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _finished_job(user, capture):
    with capture(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | {"name": "live"}))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    return job


def _load_app(source: str) -> types.ModuleType:
    """Import the generated app.py as the Space would, minus launching Gradio."""
    module = types.ModuleType("space_app")
    exec(compile(source, "app.py", "exec"), module.__dict__)  # noqa: S102 - our own output
    return module


def _opener_for(client):
    """urlopen's contract over Django's test client: the app's real fetch code runs."""

    def opener(request, timeout):
        path = request.full_url.removeprefix("http://testserver")
        response = client.get(path, HTTP_AUTHORIZATION=request.get_header("Authorization"))
        if response.status_code >= 400:
            raise urllib.error.HTTPError(
                request.full_url, response.status_code, "error", {}, io.BytesIO(b"")
            )
        return io.BytesIO(response.content)

    return opener


def test_dashboard_space_gets_a_scoped_secret_and_an_app_that_reads_the_share_api(
    alice, api_as, connect_hf, hf_hub, eager_tasks, settings, client
):
    settings.PUBLIC_BASE_URL = "http://testserver"
    connect_hf(alice, "alice-hf")
    job = _finished_job(alice, eager_tasks)
    api = api_as(alice)
    response = api.post(
        "/api/v1/dashboards", {"job_ids": [job.pk], "space": "ast-live"}, format="json"
    )
    assert response.status_code == 201, response.json()
    deployed = response.json()
    assert deployed["space_id"] == "alice-hf/ast-live"
    assert deployed["url"] == f"{hf_hub.url}/spaces/alice-hf/ast-live"

    space = hf_hub.repo("alice-hf/ast-live", repo_type="space")
    assert space.sdk == "gradio" and not space.private
    secret = space.secrets["ASTHUB_SHARE_TOKEN"]
    assert secret.startswith("asthub_share_")
    share = ShareToken.objects.get(pk=deployed["share_id"])
    assert list(share.jobs.values_list("pk", flat=True)) == [job.pk]
    assert deployed["share_page_url"] == f"http://testserver/share/{secret}/"
    assert space.head.oid == deployed["revision"] and len(space.commits) == 2
    files = space.head.files
    assert files["requirements.txt"].decode().startswith("gradio")
    front = yaml.safe_load(files["README.md"].decode().split("---")[1])
    assert front["sdk"] == "gradio" and front["app_file"] == "app.py"
    assert secret not in files["app.py"].decode() + files["README.md"].decode()

    app = _load_app(files["app.py"].decode())
    assert app.HUB_URL == "http://testserver"
    view = app.fetch(token=secret, opener=_opener_for(client))
    rows = app.rows(view)
    epochs = sorted({row["epoch"] for row in rows})
    assert epochs == [1, 2, 3]
    assert {row["series"] for row in rows} == set(app.SERIES.values())
    assert "live: succeeded, epoch 3/3" in app.status_line(view)

    # Revoked in the portal/API: the Space's next read is refused.
    assert api.delete(f"/api/v1/shares/{share.pk}").status_code == 204
    with pytest.raises(urllib.error.HTTPError):
        app.fetch(token=secret, opener=_opener_for(client))


def test_bob_cannot_deploy_a_dashboard_of_alices_run(alice, bob, api_as, connect_hf, hf_hub):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    connect_hf(bob, "bob-hf")
    response = api_as(bob).post("/api/v1/dashboards", {"job_ids": [job.pk]}, format="json")
    assert response.status_code == 404
    assert not ShareToken.objects.exists()
    assert not [key for key in hf_hub.repos if key[0] == "space"]


def test_hub_failure_revokes_the_link_just_minted(alice, api_as, connect_hf, hf_hub):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    connect_hf(alice, "alice-hf")
    hf_hub.fail(500, path=r"^/api/repos/create$")
    response = api_as(alice).post("/api/v1/dashboards", {"job_ids": [job.pk]}, format="json")
    assert response.status_code == 400
    assert "not deployed" in response.json()["error"]["message"]
    assert not ShareToken.objects.active().exists()


def test_cli_and_portal_deploy_the_dashboard(
    alice, token_for, connect_hf, hf_hub, client, capsys, hub_transport
):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    connect_hf(alice, "alice-hf")
    transport = hub_transport
    argv = ["--url", "http://testserver", "--token", token_for(alice)]
    assert cli_main([*argv, "dashboard", str(job.pk), "--json"], transport=transport) == 0
    assert json.loads(capsys.readouterr().out)["space_id"] == "alice-hf/asthub-dashboard"

    client.force_login(alice)
    page = client.post(
        f"/portal/jobs/{job.pk}/dashboard/", {"space": "portal-live"}, follow=True
    ).content.decode()
    assert "Dashboard Space deployed" in page and "spaces/alice-hf/portal-live" in page
    assert hf_hub.repo("alice-hf/portal-live", repo_type="space") is not None
