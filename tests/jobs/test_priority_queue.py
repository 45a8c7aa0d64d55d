"""Pro jobs wait in the priority training queue, ahead of free ones (Redis broker)."""

import pytest
import redis
from django.conf import settings

from billing.services import change_plan
from jobs import services
from jobs.platforms.local import LocalAdapter
from jobs.runs.handles import handle_for
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_pro_jobs_go_to_the_priority_queue_and_free_jobs_to_the_normal_one(alice, bob):
    change_plan(user=alice, plan="pro")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("training", "training_priority")
    pro_job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    free_job = services.start_training(user=bob, spec=JobSpec.from_dict(FAST))
    LocalAdapter().launch(handle_for(pro_job), None)
    LocalAdapter().launch(handle_for(free_job), None)
    assert broker.llen("training_priority") == 1
    assert broker.llen("training") == 1
    broker.delete("training", "training_priority")
