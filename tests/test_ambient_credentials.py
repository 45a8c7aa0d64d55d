"""The hub refuses to serve while a platform credential sits in its own environment:
client libraries would silently use it for any user whose own credential is missing."""

import subprocess
import sys

import pytest

from asthub_site.ambient_credentials import ambient_platform_credentials
from tests.live_hub import ROOT, embedded_env


@pytest.mark.parametrize("variable", ["KAGGLE_API_TOKEN", "HF_TOKEN", "KAGGLE_KEY"])
def test_credential_variables_are_found(monkeypatch, tmp_path, variable):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "secret-value")
    assert f"${variable}" in ambient_platform_credentials()


def test_kaggle_and_hf_token_files_in_the_home_folder_are_found(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HF_HOME", raising=False)
    assert ambient_platform_credentials() == []
    (tmp_path / ".kaggle").mkdir()
    (tmp_path / ".kaggle" / "access_token").write_text("KGAT_x")
    hf = tmp_path / ".cache" / "huggingface"
    hf.mkdir(parents=True)
    (hf / "token").write_text("hf_x")
    found = ambient_platform_credentials()
    assert str(tmp_path / ".kaggle" / "access_token") in found
    assert str(hf / "token") in found


def _run_hub_with(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = embedded_env(tmp_path, HOME=str(tmp_path), **extra)
    return subprocess.run(
        [sys.executable, "manage.py", "run_hub", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_hub_refuses_to_start_with_a_kaggle_token_in_its_environment(tmp_path):
    result = _run_hub_with(tmp_path, KAGGLE_API_TOKEN="KGAT_operator")
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "$KAGGLE_API_TOKEN" in result.stderr
    assert "KGAT_operator" not in result.stderr + result.stdout  # names it, never shows it


def test_web_process_refuses_to_start_with_a_kaggle_folder(tmp_path):
    (tmp_path / ".kaggle").mkdir()
    (tmp_path / ".kaggle" / "kaggle.json").write_text('{"username": "ops", "key": "k"}')
    env = embedded_env(tmp_path, HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", "import asthub_site.asgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "kaggle.json" in result.stderr and "Refusing to start" in result.stderr


def test_celery_worker_refuses_to_start_with_an_hf_token(tmp_path):
    env = embedded_env(tmp_path, HOME=str(tmp_path), HF_TOKEN="hf_operator")
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "asthub_site", "worker", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Refusing to start" in result.stderr and "$HF_TOKEN" in result.stderr
