"""The sliding-window request limit: no 60 seconds let more than the limit through, on
Redis (one atomic script) and in process (embedded), and per account across tokens."""

import threading

import pytest

from billing import rate_window
from billing.models import PlanOverride
from billing.rate_window import sliding_window_wait

# A clock far from zero whose half and quarter seconds are exact in a double.
T0 = 1_700_000_000.0


@pytest.fixture(
    params=["in_process", pytest.param("redis", marks=pytest.mark.redis)],
)
def backend(request, settings):
    """Which implementation sliding_window_wait uses: the in-process log (no REDIS_URL) or
    the Redis sorted set (the configured REDIS_URL)."""
    if request.param == "in_process":
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def clock(monkeypatch):
    """Set the time every check sees: `clock(59.5)` is T0 + 59.5."""

    def at(seconds: float) -> None:
        monkeypatch.setattr(rate_window, "_clock", lambda: T0 + seconds)

    at(0)
    return at


def _try(key: str, times: int, *, limit: int, window: int = 60) -> list[float | None]:
    return [sliding_window_wait(key, limit=limit, window_seconds=window) for _ in range(times)]


def _accepted(results: list[float | None]) -> int:
    return sum(wait is None for wait in results)


def _most_in_any_span(times: list[float], span: float) -> int:
    """The largest number of `times` inside any half-open interval of `span` seconds."""
    times, most, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= span:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_a_burst_at_the_window_edge_cannot_double_the_limit(backend, clock):
    clock(59.5)
    assert _accepted(_try("edge", 60, limit=60)) == 60
    # Across the minute's edge a fixed window would start a fresh 60 here.
    clock(60.5)
    assert _accepted(_try("edge", 60, limit=60)) == 0
    clock(119.25)
    assert _accepted(_try("edge", 5, limit=60)) == 0
    # Only as the burst ages out (59.5 + 60) is there room again, for the whole burst.
    clock(119.5)
    assert _accepted(_try("edge", 61, limit=60)) == 60


def test_steady_and_bursty_traffic_never_exceed_the_limit_in_any_window(backend, clock):
    accepted = []
    # Every half second for three minutes, with bursts of 30 either side of each minute.
    schedule = [step * 0.5 for step in range(360)]
    for t in schedule:
        burst = 30 if t % 60 in (59.5, 0.5) else 1
        clock(t)
        accepted += [t] * _accepted(_try("mixed", burst, limit=50))
    assert _most_in_any_span(accepted, 60) == 50


def test_retry_after_is_the_time_until_the_oldest_event_leaves(backend, clock):
    for t in (0, 10, 20):
        clock(t)
        assert _try("wait", 1, limit=3) == [None]
    clock(25)
    assert _try("wait", 1, limit=3) == [pytest.approx(35)]
    clock(61)  # the event at 0 has left: room for one
    assert _try("wait", 2, limit=3) == [None, pytest.approx(9)]
    clock(69.75)  # a quarter second to go is still a wait of one second
    assert _try("wait", 1, limit=3) == [1.0]


def test_refused_requests_do_not_extend_the_lockout(backend, clock):
    assert _accepted(_try("hammer", 2, limit=2)) == 2
    for t in range(1, 60):
        clock(t)
        assert _try("hammer", 3, limit=2) == [pytest.approx(60 - t)] * 3
    clock(60)
    assert _accepted(_try("hammer", 3, limit=2)) == 2


def test_keys_of_two_accounts_are_independent(backend, clock):
    assert _accepted(_try("rate:user:1", 4, limit=3)) == 3
    assert _accepted(_try("rate:user:2", 4, limit=3)) == 3
    clock(30)
    assert _accepted(_try("rate:user:1", 1, limit=3)) == 0
    assert _accepted(_try("rate:user:3", 1, limit=3)) == 1


def test_concurrent_callers_never_get_more_than_the_limit(backend):
    threads_count, calls, limit = 8, 20, 50
    barrier = threading.Barrier(threads_count)
    results: list[float | None] = []
    lock = threading.Lock()

    def caller():
        barrier.wait()
        mine = _try("race", calls, limit=limit)
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=caller) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == threads_count * calls
    assert _accepted(results) == limit


@pytest.mark.django_db
def test_three_tokens_of_a_free_account_get_at_most_sixty_through_in_any_sixty_seconds(
    alice, api_as, clock
):
    tokens = [api_as(alice) for _ in range(3)]
    accepted: list[float] = []

    def send(t: float, each: int) -> list[int]:
        clock(t)
        codes = [token.get("/api/v1/me").status_code for _ in range(each) for token in tokens]
        accepted.extend([t] * codes.count(200))
        return codes

    assert send(10, 5) == [200] * 15
    assert send(59.5, 15) == [200] * 45
    # The minute turns; a fixed window would give the three tokens 60 more here.
    assert set(send(60.5, 10)) == {429}
    refused = tokens[2].get("/api/v1/me")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"  # those sent at 10 leave at 70: 9.5 s, rounded up
    assert send(70, 7).count(200) == 15
    assert set(send(100, 2)) == {429}
    assert send(119.5, 15).count(200) == 45
    assert _most_in_any_span(accepted, 60) == 60


@pytest.mark.django_db
def test_the_plan_limit_is_read_per_request(alice, api_as, clock):
    PlanOverride.objects.create(user=alice, api_requests_per_minute=2)
    first, second = api_as(alice), api_as(alice)
    assert [first.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    assert second.get("/api/v1/me").status_code == 429
    PlanOverride.objects.filter(user=alice).update(api_requests_per_minute=3)
    assert second.get("/api/v1/me").status_code == 200
