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

# A Space on huggingface.co must be able to reach the hub: a public-looking address.
PUBLIC_URL = "https://hub.example.com"


@pytest.fixture(autouse=True)
def public_hub(settings):
    settings.PUBLIC_BASE_URL = PUBLIC_URL


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
        path = request.full_url.removeprefix(PUBLIC_URL)
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
    assert deployed["share_page_url"] == f"{PUBLIC_URL}/share/{secret}/"
    assert space.head.oid == deployed["revision"] and len(space.commits) == 2
    files = space.head.files
    assert files["requirements.txt"].decode().startswith("gradio")
    front = yaml.safe_load(files["README.md"].decode().split("---")[1])
    assert front["sdk"] == "gradio" and front["app_file"] == "app.py"
    assert secret not in files["app.py"].decode() + files["README.md"].decode()

    app = _load_app(files["app.py"].decode())
    assert app.HUB_URL == PUBLIC_URL
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


UNREACHABLE = [
    ("http://127.0.0.1:8000", "loopback"),
    ("http://[::1]:8000", "loopback"),
    ("http://localhost:8000", "localhost"),
    ("http://0.0.0.0:8000", "no address another machine can reach"),
    ("http://10.0.0.7:8000", "private"),
    ("http://172.16.5.4", "private"),
    ("http://192.168.1.20:8000", "private"),
    ("http://169.254.10.1", "link-local"),
    ("http://[fd12::1]:8000", "private"),
    ("http://hubbox:8000", "single-label"),
    ("https://hub.local", "local network"),
    ("https://hub.corp.internal", "local network"),
]


@pytest.mark.parametrize(("base_url", "why"), UNREACHABLE)
def test_a_hub_a_space_cannot_reach_is_refused_before_anything_is_created(
    alice, api_as, connect_hf, hf_hub, settings, base_url, why
):
    settings.PUBLIC_BASE_URL = base_url
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    connect_hf(alice, "alice-hf")
    asked_before = len(hf_hub.requests)  # connecting checked the token with whoami
    response = api_as(alice).post(
        "/api/v1/dashboards", {"job_ids": [job.pk], "space": "ast-live"}, format="json"
    )
    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "hub_not_reachable"
    assert base_url in error["message"] and why in error["message"]
    assert "cannot reach" in error["message"] and "PUBLIC_BASE_URL" in error["message"]
    assert "cloudflared tunnel --url" in error["message"] and "ngrok http" in error["message"]
    assert not ShareToken.objects.exists()
    assert not [key for key in hf_hub.repos if key[0] == "space"]
    assert len(hf_hub.requests) == asked_before  # the Hub was not even asked


@pytest.mark.parametrize(
    "base_url", ["https://hub.example.com", "http://203.0.113.9:8000", "https://[2001:db8::1]"]
)
def test_reachability_is_judged_from_the_address(base_url):
    from jobs.sharing.dashboard_space import why_not_reachable_from_the_internet

    # 203.0.113.0/24 and 2001:db8::/32 are documentation ranges: not global either.
    expected_reachable = base_url == "https://hub.example.com"
    assert (why_not_reachable_from_the_internet(base_url) == "") is expected_reachable


def test_cli_and_portal_say_why_the_space_cannot_reach_the_hub(
    alice, token_for, connect_hf, hf_hub, client, capsys, hub_transport, settings
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    connect_hf(alice, "alice-hf")
    argv = ["--url", "http://testserver", "--token", token_for(alice)]
    assert cli_main([*argv, "dashboard", str(job.pk)], transport=hub_transport) == 2
    printed = capsys.readouterr().err
    assert "cannot reach that address" in printed and "cloudflared tunnel" in printed

    client.force_login(alice)
    page = client.post(
        f"/portal/jobs/{job.pk}/dashboard/", {"space": "portal-live"}, follow=True
    ).content.decode()
    assert "cannot reach that address" in page and "Dashboard Space deployed" not in page
    assert not ShareToken.objects.exists()
    assert not [key for key in hf_hub.repos if key[0] == "space"]
