"""A live hub per backend for the fault tests: the embedded default, and PostgreSQL +
Redis where the environment provides them (CI does)."""

import os
import re
import uuid

import pytest

from tests.faults.hub_tools import FAST_RECOVERY, HubClient, demo_on_plan
from tests.live_hub import running_hub


def _services_env() -> dict[str, str] | None:
    database, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not (database.startswith("postgres") and redis_url.startswith("redis")):
        if os.environ.get("ASTHUB_REQUIRE_SERVICES"):
            pytest.fail("ASTHUB_REQUIRE_SERVICES is set but DATABASE_URL/REDIS_URL are not")
        return None
    import psycopg
    import redis

    name = f"asthub_faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = database.rpartition("/")
    fault_redis = re.sub(r"/\d+$", "", redis_url) + "/13"
    redis.Redis.from_url(fault_redis).flushdb()
    return {"DATABASE_URL": f"{base}/{name}", "REDIS_URL": fault_redis}


def _drop(database_url: str) -> None:
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["embedded", "postgres+redis"])
def backend(request):
    if request.param == "embedded":
        yield {}
        return
    env = _services_env()
    if env is None:
        pytest.skip("needs DATABASE_URL=postgres://... and REDIS_URL=redis://...")
    yield env
    _drop(env["DATABASE_URL"])


@pytest.fixture(scope="module")
def hub(backend, tmp_path_factory):
    """One live hub for a module's fault tests (each test leaves it running and healthy)."""
    var_dir = tmp_path_factory.mktemp("faulthub")
    extra = {"WORKERS": "2", "JOB_HEARTBEAT_TIMEOUT_SECONDS": "20", **FAST_RECOVERY, **backend}
    with running_hub(var_dir, **extra) as live:
        demo_on_plan(var_dir, "pro", **backend)
        token = re.search(r"API token\s+: (asthub_\S+)", live["banner"]).group(1)
        live.update(client=HubClient(live["base_url"], token), var_dir=var_dir, env=extra)
        yield live
