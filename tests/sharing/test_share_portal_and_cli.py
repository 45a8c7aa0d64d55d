"""Share links in the portal (owner pages and the public page) and through the SDK/CLI."""

import json

import pytest

from asthub_client import Client
from asthub_client.cli import EXIT_NOT_FOUND, EXIT_OK, main
from jobs.models import ShareToken
from jobs.sharing.services import create_share_token
from tests.sharing.conftest import HUB_URL
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db


def test_job_page_creates_a_link_shown_once_and_listed_masked(client, alice):
    job = stored_job(alice, name="shared-run")
    client.force_login(alice)
    page = client.get(f"/portal/jobs/{job.pk}/")
    assert b"Create share link" in page.content
    created = client.post("/portal/sharing/", {"job_ids": [job.pk], "label": "talk"})
    assert created.status_code == 200
    html = created.content.decode()
    share = ShareToken.objects.get()
    raw = html.split('id="new-share-token">')[1].split("<")[0]
    assert raw.startswith("asthub_share_") and raw.endswith(share.last_four)
    assert f"/share/{raw}/" in html
    listing = client.get("/portal/sharing/").content.decode()
    assert share.masked in listing and raw not in listing
    assert share.masked in client.get(f"/portal/jobs/{job.pk}/").content.decode()


def test_public_page_shows_the_jobs_to_anyone_until_revoked(client, alice):
    job = stored_job(alice, name="public-curves")
    share, raw = create_share_token(user=alice, job_ids=[job.pk], label="paper fig 2")
    page = client.get(f"/share/{raw}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "public-curves" in html and "paper fig 2" in html
    # The page polls with the token in a header, so its reads put it in no URL.
    assert 'data-api="/api/v1/shared/"' in html and f'data-token="{raw}"' in html
    assert "alice@example.com" not in html
    client.force_login(alice)
    revoked = client.post(f"/portal/sharing/{share.pk}/revoke/")
    assert revoked.status_code == 302
    client.logout()
    assert client.get(f"/share/{raw}/").status_code == 404


def test_bob_cannot_revoke_alices_link_in_the_portal(client, alice, bob):
    share, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    client.force_login(bob)
    response = client.post(f"/portal/sharing/{share.pk}/revoke/", follow=True)
    assert "No active share link" in response.content.decode()
    assert share.masked not in client.get("/portal/sharing/").content.decode()
    assert client.get(f"/share/{raw}/").status_code == 200


def test_bob_cannot_share_alices_job_from_the_portal(client, alice, bob):
    job = stored_job(alice)
    client.force_login(bob)
    response = client.post("/portal/sharing/", {"job_ids": [job.pk]})
    assert response.status_code == 200
    assert not ShareToken.objects.exists()


def test_revoke_redirect_stays_on_this_site(client, alice):
    share, _ = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    client.force_login(alice)
    response = client.post(f"/portal/sharing/{share.pk}/revoke/", {"next": "https://evil.example/"})
    assert response["Location"] == "/portal/sharing/"


# --- SDK and CLI --------------------------------------------------------------------------


def test_sdk_creates_reads_and_revokes_a_link(alice, token_for, wsgi_transport):
    job = stored_job(alice)
    with Client(url=HUB_URL, token=token_for(alice), transport=wsgi_transport) as hub:
        link = hub.create_share_link([job.pk], label="sdk")
        assert link["job_ids"] == [job.pk]
        shared = hub.shared(link["token"])
        assert shared["jobs"][0]["id"] == job.pk and shared["label"] == "sdk"
        assert [row["id"] for row in hub.share_links()] == [link["id"]]
        hub.revoke_share_link(link["id"])
        assert hub.share_links()[0]["active"] is False


def test_cli_share_create_list_revoke(alice, token_for, wsgi_transport, capsys):
    first, second = stored_job(alice), stored_job(alice)
    base = ["--url", HUB_URL, "--token", token_for(alice)]
    assert main([*base, "share", "create", str(first.pk), str(second.pk), "--label", "cli",
                 "--json"], transport=wsgi_transport) == EXIT_OK  # fmt: skip
    created = json.loads(capsys.readouterr().out)
    assert created["job_ids"] == [first.pk, second.pk]
    assert main([*base, "share", "list"], transport=wsgi_transport) == EXIT_OK
    out = capsys.readouterr().out
    assert created["masked"] in out and created["token"] not in out
    assert main([*base, "share", "revoke", str(created["id"])], transport=wsgi_transport) == 0
    assert "Revoked share link" in capsys.readouterr().out
    assert main([*base, "share", "list"], transport=wsgi_transport) == EXIT_OK
    assert "No share links." in capsys.readouterr().out


def test_cli_cannot_share_or_revoke_another_users_objects(alice, bob, token_for, wsgi_transport,
                                                          capsys):  # fmt: skip
    share, _ = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    base = ["--url", HUB_URL, "--token", token_for(bob)]
    job_id = share.jobs.get().pk
    assert main([*base, "share", "create", str(job_id)], transport=wsgi_transport) == (
        EXIT_NOT_FOUND
    )
    assert main([*base, "share", "revoke", str(share.pk)], transport=wsgi_transport) == (
        EXIT_NOT_FOUND
    )
    err = capsys.readouterr().err
    assert "No training job" in err and "No active share link" in err
