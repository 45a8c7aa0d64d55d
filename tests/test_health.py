"""GET /healthz answers 200 when the database and broker answer, 503 naming the fault."""

import pytest
from django.db import OperationalError

from asthub_site.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_is_503_naming_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert problem.startswith("broker:")


@pytest.mark.django_db
def test_health_is_503_naming_a_failing_database(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"][0].startswith("database: OperationalError")


@pytest.mark.redis
@pytest.mark.django_db
def test_health_checks_the_real_redis_broker(client, settings):
    assert celery_app.conf.broker_url.startswith("redis://")
    assert client.get("/healthz").status_code == 200
