from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import torch
from conftest import read_metrics, tiny_config

from jobs.training import METRIC_KEYS, METRIC_PREFIX, DatasetError, Trainer, train
from jobs.training.accounting import WorkCounters, compute_savings

DETERMINISTIC_KEYS = [
    k
    for k in METRIC_KEYS
    if k not in {"wall_seconds", "eta_seconds", "energy_kwh", "energy_savings"}
]


def test_each_epoch_prints_and_appends_a_metric_line_with_contract_keys(tmp_path, quiet):
    train(tiny_config(), tmp_path, stream=quiet)
    printed = [json.loads(line[len(METRIC_PREFIX) :]) for line in quiet.getvalue().splitlines()]
    written = read_metrics(tmp_path)
    assert [m["epoch"] for m in written] == [1, 2, 3]
    assert printed == written
    for record in written:
        assert set(METRIC_KEYS) <= set(record)
        assert record["energy_source"] in ("measured", "estimated")
    for name in ("summary.json", "model.safetensors", "config.json", "ast_config.json"):
        assert (tmp_path / name).exists(), name


def test_same_seed_gives_identical_metrics(tmp_path, quiet):
    train(tiny_config(), tmp_path / "a", stream=quiet)
    train(tiny_config(), tmp_path / "b", stream=quiet)
    train(tiny_config(seed=8), tmp_path / "c", stream=quiet)
    a, b, c = (read_metrics(tmp_path / d) for d in "abc")
    assert [[m[k] for k in DETERMINISTIC_KEYS] for m in a] == [
        [m[k] for k in DETERMINISTIC_KEYS] for m in b
    ]
    assert [m["train_loss"] for m in a] != [m["train_loss"] for m in c]


@pytest.mark.filterwarnings("ignore:Full backward hook")
def test_backward_runs_only_on_selected_rows(tmp_path, quiet):
    trainer = Trainer(tiny_config(), tmp_path, stream=quiet)
    rows_with_gradient = []
    # A full backward hook fires once per backward pass with the gradient of the output:
    # its batch dimension is the number of rows that actually got a backward.
    trainer.model.register_full_backward_hook(
        lambda module, grad_in, grad_out: rows_with_gradient.append(grad_out[0].shape[0])
    )
    summary = trainer.run()
    counters = summary["counters"]
    assert sum(rows_with_gradient) == counters["backwards"] == counters["samples_activated"]
    n = summary["train_samples"]
    # One full warmup epoch, then two sampled epochs at about 40 %.
    assert counters["backwards"] == pytest.approx(n + 2 * 0.4 * n, rel=0.05)
    assert abs(summary["activation_rate_after_warmup"] - 0.4) <= 0.03


def test_compute_savings_counts_selection_forwards(tmp_path, quiet):
    config = tiny_config(epochs=2, ast={"warmup_epochs": 0, "selection": "topk"})
    summary = train(config, tmp_path, stream=quiet)
    c = summary["counters"]
    assert c["selection_forwards"] == c["samples_seen"]  # every row scored once per epoch
    used = c["selection_forwards"] + 3 * c["samples_activated"]
    assert summary["forward_equivalents"] == used
    assert summary["baseline_forward_equivalents"] == 3 * c["samples_seen"]
    assert summary["compute_savings"] == pytest.approx(1 - used / (3 * c["samples_seen"]))
    # 1 + 3 * 0.4 = 2.2 of 3: about 27 % saved, not the 60 % the activation rate suggests
    assert 0.2 < summary["compute_savings"] < 0.32


def test_stale_scoring_skips_selection_forwards_between_refreshes(tmp_path, quiet):
    config = tiny_config(
        epochs=3, ast={"selection": "threshold", "scoring": "stale", "stale_refresh_every": 10}
    )
    summary = train(config, tmp_path, stream=quiet)
    c = summary["counters"]
    assert c["selection_forwards"] == 0  # warmup's training forwards scored every row
    assert summary["compute_savings"] > 0.3


def test_stale_scoring_refresh_epoch_rescores_every_row(tmp_path, quiet):
    config = tiny_config(
        epochs=3, ast={"selection": "threshold", "scoring": "stale", "stale_refresh_every": 2}
    )
    summary = train(config, tmp_path, stream=quiet)
    n = summary["train_samples"]
    assert summary["counters"]["selection_forwards"] == n  # epoch 3 only


def test_compute_savings_is_negative_when_more_work_is_done():
    counters = WorkCounters(
        selection_forwards=10,
        train_forwards=10,
        backwards=10,
        samples_seen=10,
        samples_activated=10,
    )
    assert compute_savings(counters) == pytest.approx(-1 / 3)


def test_baseline_mode_trains_every_row_and_reports_zero_savings(tmp_path, quiet):
    summary = train(tiny_config(), tmp_path, baseline=True, stream=quiet)
    assert summary["mode"] == "baseline"
    assert summary["compute_savings"] == 0.0
    assert summary["energy_savings"] == 0.0
    assert summary["activation_rate_overall"] == 1.0
    assert json.loads((tmp_path / "ast_config.json").read_text())["enabled"] is False


def test_energy_savings_are_priced_from_the_epochs_after_the_first(tmp_path, quiet):
    summary = train(tiny_config(), tmp_path, stream=quiet)
    assert summary["energy_source"] == "estimated"  # no RAPL/NVML on this machine
    assert "after the first" in summary["energy_method"]
    assert summary["energy_savings"] != pytest.approx(1 - summary["activation_rate_overall"])
    one_epoch = train(tiny_config(epochs=1), tmp_path / "one", stream=quiet)
    assert one_epoch["energy_savings"] is None
    assert one_epoch["energy_method"].startswith("too short to estimate")
    first_metric = read_metrics(tmp_path)[0]
    assert first_metric["energy_savings"] is None


def test_resume_continues_from_last_checkpoint(tmp_path, quiet):
    config = tiny_config(epochs=4)
    train(config, tmp_path / "straight", stream=quiet)

    stop = threading.Event()

    class StopAfterSecondEpoch:
        def write(self, text: str) -> None:
            if '"epoch": 2,' in text:
                stop.set()

        def flush(self) -> None:
            pass

    first = train(config, tmp_path / "resumed", stream=StopAfterSecondEpoch(), stop_event=stop)
    assert first["status"] == "terminated" and first["epochs_completed"] == 2
    second = train(config, tmp_path / "resumed", stream=quiet)
    assert second["status"] == "completed" and second["epochs_completed"] == 4
    resumed, straight = read_metrics(tmp_path / "resumed"), read_metrics(tmp_path / "straight")
    assert [m["epoch"] for m in resumed] == [1, 2, 3, 4]
    for r, s in zip(resumed, straight, strict=True):
        assert [r[k] for k in DETERMINISTIC_KEYS] == [s[k] for k in DETERMINISTIC_KEYS]


def test_resume_refuses_checkpoint_of_other_config(tmp_path, quiet):
    from jobs.training import ConfigError

    train(tiny_config(epochs=1), tmp_path, stream=quiet)
    with pytest.raises(ConfigError):
        train(tiny_config(epochs=1, learning_rate=0.01), tmp_path, stream=quiet)


def test_cnn_trains_on_one_dimensional_signals_from_npz(tmp_path, quiet):
    rng = np.random.RandomState(0)
    y = rng.randint(0, 3, size=120)
    x = rng.randn(120, 1, 24).astype(np.float32) + y[:, None, None]
    np.savez(tmp_path / "signals.npz", x=x, y=y)
    config = tiny_config(dataset=f"npz:{tmp_path / 'signals.npz'}", model="cnn", epochs=2)
    summary = train(config, tmp_path / "out", stream=quiet)
    assert summary["num_classes"] == 3 and summary["status"] == "completed"


def test_csv_dataset_uses_named_label_column(tmp_path, quiet):
    rows = ["a,b,kind"] + [f"{i % 5},{(i * 7) % 3},{'cat' if i % 2 else 'dog'}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(rows))
    config = tiny_config(dataset=f"csv:{tmp_path / 't.csv'}:kind", epochs=1)
    summary = train(config, tmp_path / "out", stream=quiet)
    assert summary["num_classes"] == 2


def test_imagefolder_dataset_reads_one_folder_per_class(tmp_path, quiet):
    pil = pytest.importorskip("PIL.Image")
    for cls, value in (("cats", 30), ("dogs", 220)):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(6):
            pil.new("RGB", (12, 12), (value, value + i, value)).save(
                tmp_path / "imgs" / cls / f"{i}.png"
            )
    config = tiny_config(
        dataset=f"imagefolder:{tmp_path / 'imgs'}",
        model="cnn",
        image_size=16,
        epochs=1,
        batch_size=4,
    )
    summary = train(config, tmp_path / "out", stream=quiet)
    assert summary["num_classes"] == 2


def test_unknown_dataset_error_names_supported_sets(tmp_path, quiet):
    with pytest.raises(DatasetError) as info:
        train(tiny_config(dataset="imagenet-22k"), tmp_path, stream=quiet)
    message = str(info.value)
    for name in ("digits", "mnist1d", "npz:PATH", "csv:PATH", "imagefolder:PATH", "hf:NAME"):
        assert name in message


def test_unknown_model_error_names_built_in_models(tmp_path, quiet):
    from jobs.training import ModelError

    with pytest.raises(ModelError, match="mlp, cnn"):
        train(tiny_config(model="transformer-xxl"), tmp_path, stream=quiet)


def test_mnist1d_is_generated_offline(tmp_path, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("mnist1d must not touch the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("AST_DATA_CACHE", str(tmp_path))
    from jobs.training.data import load_dataset

    state = np.random.get_state()[1].copy()
    data = load_dataset("mnist1d", seed=0, val_fraction=0.2)
    assert tuple(data.x_train.shape) == (4000, 1, 40) and len(data.y_val) == 1000
    assert data.num_classes == 10
    assert (np.random.get_state()[1] == state).all()  # global numpy RNG left alone
    again = load_dataset("mnist1d", seed=0, val_fraction=0.2)  # from the cache now
    assert torch.equal(again.x_train, data.x_train)


def test_packing_trains_selected_rows_in_full_batches(tmp_path, quiet):
    config = tiny_config(epochs=2, ast={"warmup_epochs": 0, "selection": "topk"})
    packed = train(config, tmp_path / "p", stream=quiet)
    config["ast"]["pack_selected"] = False
    unpacked = train(config, tmp_path / "u", stream=quiet)
    assert packed["counters"] == unpacked["counters"]  # same rows selected and trained
    batches_per_epoch = -(-packed["train_samples"] // 64)
    assert unpacked["steps"] == 2 * batches_per_epoch
    per_epoch_rows = packed["counters"]["samples_activated"] // 2
    assert packed["steps"] == 2 * -(-per_epoch_rows // 64)
