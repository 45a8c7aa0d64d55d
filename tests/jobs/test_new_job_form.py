"""The portal's New job form: every platform with the hardware the plan allows, the
catalog to pick from, the spec's publishing and baseline fields, and refusals that land on
the field and spend nothing."""

import json
import re

import pytest

from accounts.services import CredentialInput, add_credential
from billing.models import JobSlots
from billing.services import change_plan
from jobs.models import TrainingJob
from jobs.spec_form import spec_form_fields

pytestmark = pytest.mark.django_db

URL = "/portal/jobs/new/"
DIGITS = {"dataset": "digits", "model": "mlp", "epochs": "2"}


def page_data(page: str) -> dict:
    """What the page hands its script (json_script "new-job-data")."""
    found = re.search(r'<script id="new-job-data" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1))


def field_errors(page: str, name: str) -> str:
    """The errors shown under one field (its block of the form)."""
    block = re.search(
        rf'class="field[^"]*has-error[^"]*"[^>]*>\s*<label for="id_{name}".*?</div>',
        page,
        flags=re.S,
    )
    return block.group(0) if block else ""


@pytest.fixture
def hf_connected(hf_hub, alice):
    add_credential(
        user=alice, data=CredentialInput(provider="huggingface", token=hf_hub.add_user("alice"))
    )
    return alice


def test_form_offers_hugging_face_jobs_with_the_free_plans_hardware(client, alice):
    client.force_login(alice)
    page = client.get(URL).content.decode()
    assert 'type="radio" name="platform" value="huggingface"' in page
    hardware = {c["name"]: c for c in page_data(page)["hardware"]["huggingface"]}
    assert hardware["t4-small"]["allowed"] and hardware["cpu-basic"]["allowed"]
    assert hardware["a100-large"] == {"name": "a100-large", "allowed": False, "needs": "Pro plan"}
    # Listed for the server-rendered select too, disabled with the reason, not hidden.
    assert re.search(r'<option value="a100-large"[^>]*disabled[^>]*>a100-large \(Pro plan\)', page)
    assert page_data(page)["hardware"]["local"] == [{"name": "cpu", "allowed": True, "needs": ""}]


def test_pro_plan_gets_every_flavor(client, alice):
    change_plan(user=alice, plan="pro")
    client.force_login(alice)
    hardware = page_data(client.get(URL).content.decode())["hardware"]
    assert all(choice["allowed"] for choices in hardware.values() for choice in choices)


def test_free_user_picking_pro_hardware_gets_a_field_error_and_spends_nothing(client, alice):
    client.force_login(alice)
    for check in ({}, {"check": "1"}):
        answer = client.post(
            URL, DIGITS | {"platform": "huggingface", "hardware": "a100-large"} | check
        )
        assert answer.status_code == 200
        errors = field_errors(answer.content.decode(), "hardware")
        assert "a100-large" in errors and "needs the Pro plan" in errors
    assert not TrainingJob.objects.exists()
    assert not JobSlots.objects.filter(user=alice, jobs_this_period__gt=0).exists()


def test_hugging_face_run_takes_auto_upload_and_repo_into_its_spec(client, hf_connected):
    client.force_login(hf_connected)
    answer = client.post(
        URL,
        DIGITS
        | {
            "platform": "huggingface",
            "hardware": "t4-small",
            "auto_upload_hf": "on",
            "hf_repo": "alice/digits-ast",
        },
    )
    job = TrainingJob.objects.get(owner=hf_connected)
    assert answer.status_code == 302 and answer["Location"] == f"/portal/jobs/{job.pk}/"
    assert (job.platform, job.hardware) == ("huggingface", "t4-small")
    assert job.auto_upload_hf and job.hf_repo == "alice/digits-ast"


def test_auto_upload_without_a_repo_is_refused_on_the_repo_field(client, alice):
    client.force_login(alice)
    page = client.post(URL, DIGITS | {"auto_upload_hf": "on"}).content.decode()
    assert "auto_upload_hf needs hf_repo" in field_errors(page, "hf_repo")
    assert not TrainingJob.objects.exists()


def test_a_pick_from_the_pages_catalog_starts_that_job(client, alice):
    client.force_login(alice)
    catalog = page_data(client.get(URL).content.decode())["catalog"]
    dataset = next(e for e in catalog["datasets"] if e["name"] == "mnist1d")
    model = next(e for e in catalog["models"] if e["name"] == "cnn")
    assert "local" in dataset["platforms"] and "local" in model["platforms"]
    client.post(URL, {"dataset": dataset["name"], "model": model["name"], "epochs": "2"})
    job = TrainingJob.objects.get(owner=alice)
    assert (job.dataset, job.model, job.platform) == ("mnist1d", "cnn", "local")


def test_the_catalog_on_the_page_shows_kaggle_data_only_for_kaggle(client, alice):
    client.force_login(alice)
    datasets = {
        e["name"]: e for e in page_data(client.get(URL).content.decode())["catalog"]["datasets"]
    }
    assert datasets["plant-pathology-2020-fgvc7"]["platforms"] == ["kaggle"]
    assert datasets["kaggle:OWNER/DATASET[/PATH]"]["pattern"]


def test_check_only_says_what_would_run_and_starts_nothing(client, alice):
    client.force_login(alice)
    page = client.post(URL, DIGITS | {"check": "1"}).content.decode()
    assert "Nothing was started" in page
    assert not TrainingJob.objects.exists()


def test_also_run_a_baseline_starts_the_pair(client, alice):
    change_plan(user=alice, plan="pro")
    client.force_login(alice)
    client.post(URL, DIGITS | {"with_baseline": "on"})
    ast_run = TrainingJob.objects.get(owner=alice, is_baseline=False)
    assert ast_run.paired_with is not None and ast_run.paired_with.is_baseline


def test_form_is_in_sections_with_every_spec_field_once_and_advanced_folded(client, alice):
    client.force_login(alice)
    page = client.get(URL).content.decode()
    for title in ("What to train", "Where", "Training and AST", "Publishing"):
        assert f"<h2>{title}</h2>" in page
    for name in spec_form_fields():
        assert page.count(f'id="id_{name}"') == 1, name
    start = page.index('<details class="advanced"')
    advanced = page[start : page.index("</details>", start)]
    assert 'id="id_kp"' in advanced and 'value="1.5"' in advanced  # the default, shown
    assert 'id="id_target_activation_rate"' not in advanced


def test_bad_number_is_a_field_error_not_a_500(client, alice):
    client.force_login(alice)
    answer = client.post(URL, DIGITS | {"epochs": "lots", "platform": "mars", "kp": "-1"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert field_errors(page, "epochs") and field_errors(page, "kp")
    assert re.search(r'<details class="advanced" id="advanced" open>', page)  # kp shows
    assert "Select a valid choice. mars" in page
    assert not TrainingJob.objects.exists()
