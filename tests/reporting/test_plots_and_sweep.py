import threading

import pytest

from jobs.reporting.plots import render_plots
from jobs.reporting.records import RunRecord
from jobs.reporting.sweep_summary import SweepPoint, rank_sweep
from tests.reporting.factories import make_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_plots_are_written_as_png(tmp_path):
    run = make_run(id=12)
    baseline = make_run(id=13, baseline=True)
    paths = render_plots(run, tmp_path / "plots", baseline=baseline)
    assert [p.name for p in paths] == ["accuracy.png", "activation.png", "energy_savings.png"]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert 2_000 < len(data) < 200_000


def test_plots_can_be_drawn_from_several_threads_at_once(tmp_path):
    errors: list[BaseException] = []

    def draw(i: int) -> None:
        try:
            render_plots(make_run(id=i), tmp_path / str(i))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(list(tmp_path.glob("*/*.png"))) == 6


def test_plots_of_a_run_without_metrics_are_a_clear_error(tmp_path):
    run = make_run(id=5, with_summary=False, epochs_done=0, status="queued")
    with pytest.raises(ValueError, match="run 5 has no metrics yet"):
        render_plots(run, tmp_path)


def _point(job_id: int, acc: float | None, savings: float, status="succeeded", **params):
    run = make_run(id=job_id, status=status)
    summary = dict(run.summary, final_val_accuracy=acc, compute_savings=savings)
    run = RunRecord(**{**run.__dict__, "summary": summary})
    return SweepPoint(job_id=job_id, params=params, run=run)


def test_sweep_ranks_finished_runs_by_accuracy_then_savings():
    points = [
        _point(1, 0.95, 0.30, target_activation_rate=0.4),
        _point(2, 0.97, 0.10, target_activation_rate=0.8),
        _point(3, 0.95, 0.50, target_activation_rate=0.2),
        _point(4, 0.99, 0.60, status="running", target_activation_rate=0.1),
        _point(5, 0.95, 0.30, target_activation_rate=0.4, entropy_weight=0.1),
    ]
    summary = rank_sweep(points)
    ranked = [(p["job_id"], p["rank"]) for p in summary["points"]]
    # 2 is most accurate; 3 beats 1 and 5 on savings; 1 and 5 tie exactly and share a rank.
    assert ranked == [(2, 1), (3, 2), (1, 3), (5, 3), (4, None)]
    assert summary["best_job_id"] == 2
    first = summary["points"][0]
    assert set(first) == {
        "job_id", "params", "status", "val_accuracy", "compute_savings", "energy_savings",
        "rank",
    }  # fmt: skip
    assert first["params"] == {"target_activation_rate": 0.8}
    assert summary["points"][-1]["status"] == "running"


def test_sweep_without_finished_runs_has_no_best():
    summary = rank_sweep([_point(1, 0.9, 0.3, status="failed"), SweepPoint(2, {}, None)])
    assert summary["best_job_id"] is None
    assert [p["rank"] for p in summary["points"]] == [None, None]
    assert summary["points"][1]["status"] == "queued"
