import math
from datetime import timedelta

import pytest

from jobs.reporting.pricing import PriceSettings, run_cost
from jobs.reporting.records import RunRecord
from tests.reporting.factories import STARTED, make_run


def _with_wall(run: RunRecord, seconds: float, kwh: float | None = 0.01) -> RunRecord:
    summary = dict(run.summary or {}, wall_seconds=seconds, energy_kwh=kwh)
    metrics = [dict(p, wall_seconds=seconds, energy_kwh=kwh) for p in run.metrics]
    return RunRecord(**{**run.__dict__, "summary": summary, "metrics": metrics})


def test_final_accuracy_prefers_summary_then_last_metric():
    run = make_run(accuracies=[0.5, 0.6, 0.7, 0.8, 0.9])
    assert run.final_accuracy == pytest.approx(0.9)
    running = make_run(with_summary=False, status="running", epochs_done=3)
    assert running.final_accuracy == pytest.approx(0.93)
    assert running.epochs_completed == 3


def test_metrics_are_kept_in_epoch_order_whatever_the_input_order():
    run = make_run()
    shuffled = RunRecord(**{**run.__dict__, "metrics": list(reversed(run.metrics))})
    assert [p["epoch"] for p in shuffled.metrics] == [1, 2, 3, 4, 5]


def test_wall_time_falls_back_to_timestamps_when_engine_reported_nothing():
    run = make_run(with_summary=False, epochs_done=0, status="failed")
    run = RunRecord(**{**run.__dict__, "finished_at": STARTED + timedelta(minutes=30)})
    assert run.wall_hours == pytest.approx(0.5)


def test_unknown_platform_is_rejected_with_the_known_ones():
    with pytest.raises(ValueError, match="local, kaggle, huggingface"):
        make_run(platform="colab")


def test_hf_cost_uses_flavor_price_per_minute():
    run = _with_wall(make_run(platform="huggingface", hardware="t4-small"), 61.5 * 60)
    cost = run_cost(run, PriceSettings())
    # 61.5 minutes are billed as 62 started minutes at $0.40/h.
    assert cost.usd == pytest.approx(62 * 0.40 / 60)
    assert "t4-small at $0.40/h, billed per minute" in cost.basis
    assert cost.quota_hours == 0


def test_unknown_hf_flavor_names_the_known_ones():
    run = make_run(platform="huggingface", hardware="tpu-giant")
    with pytest.raises(ValueError, match="tpu-giant.*t4-small.*a100-large"):
        run_cost(run, PriceSettings())


def test_kaggle_gpu_run_is_free_but_spends_weekly_quota():
    gpu = _with_wall(make_run(platform="kaggle", hardware="NvidiaTeslaT4"), 2 * 3600)
    cost = run_cost(gpu, PriceSettings())
    assert (cost.usd, cost.quota_hours) == (0.0, pytest.approx(2.0))
    assert "quota" in cost.basis
    valued = run_cost(gpu, PriceSettings(kaggle_gpu_hour_value_usd=0.5))
    assert valued.usd == pytest.approx(1.0)
    cpu = _with_wall(make_run(platform="kaggle", hardware="cpu"), 2 * 3600)
    assert run_cost(cpu, PriceSettings()).quota_hours == 0


def test_local_cost_is_measured_energy_times_electricity_price_and_co2_by_grid():
    run = _with_wall(make_run(platform="local"), 3600, kwh=0.2)
    cost = run_cost(run, PriceSettings(electricity_usd_per_kwh=0.30, grid_kg_co2_per_kwh=0.5))
    assert cost.usd == pytest.approx(0.06)
    assert cost.co2_kg == pytest.approx(0.1)
    assert cost.kwh == pytest.approx(0.2)


def test_local_cost_without_energy_falls_back_to_device_watts():
    run = _with_wall(make_run(platform="local"), 7200, kwh=None)
    cost = run_cost(run, PriceSettings(local_device_watts=100.0))
    assert cost.kwh == pytest.approx(0.2)
    assert "100 W" in cost.energy_source
    assert math.isclose(cost.usd, 0.2 * 0.15)


def test_cost_of_run_without_metrics_is_a_clear_error():
    run = make_run(id=7, with_summary=False, epochs_done=0, status="queued")
    with pytest.raises(ValueError, match="run 7 has no metrics yet"):
        run_cost(run, PriceSettings())
