"""Job rows as a finished run leaves them (stored figures, start and finish), made without
training: for the runs table's tests and its benchmark."""

from datetime import date, timedelta

from django.utils import timezone

from jobs.figures import FIGURES_VERSION
from jobs.models import TrainingJob


def finished_run(owner, n: int, **fields) -> TrainingJob:
    """Run number `n`: accuracy, savings and cost that grow with n, so sorts can be told."""
    finished = timezone.now() - timedelta(minutes=n)
    progress = {
        "epoch": 3,
        "epochs": 3,
        "val_accuracy": 0.5 + (n % 50) / 100,
        "activation_rate": 0.4,
        "energy_savings": (n % 7) / 10,
        "energy_saved": (n % 7) / 10,
        "energy_saved_basis": "engine estimate",
        "compute_savings": (n % 5) / 10,
        "cost_usd": n / 1000,
        "cost_basis": "measured",
        "updated_at": finished.isoformat(),
    }
    row = {
        "owner": owner,
        "name": f"run {n}",
        "dataset": "digits",
        "model": "mlp",
        "epochs": 3,
        "batch_size": 128,
        "learning_rate": 0.001,
        "ast_config": {"target_activation_rate": 0.4},
        "config": {},
        "engine_version": "test",
        "script_sha256": "0" * 64,
        "status": "succeeded",
        "slot_period": date.today().replace(day=1),
        "started_at": finished - timedelta(seconds=30 + n),
        "finished_at": finished,
        "figures": {"version": FIGURES_VERSION, "progress": progress},
    }
    return TrainingJob(**(row | fields))
