"""Kaggle competition data as competitions ship it: a table of numbers, categories, blanks
and an id (Titanic), or a list of images with one 0/1 column per class (plant pathology),
with test.csv and a sample submission beside train.csv; the engine writes submission.csv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import REPO_ROOT, subprocess_env, tiny_config

from jobs.training.data import load_dataset
from jobs.training.errors import DatasetError
from jobs.training.loop import Trainer, train
from jobs.training.tabular import TablePreprocessing

TITANIC_HEADER = [
    "PassengerId",
    "Survived",
    "Pclass",
    "Name",
    "Sex",
    "Age",
    "SibSp",
    "Parch",
    "Ticket",
    "Fare",
    "Cabin",
    "Embarked",
]
PLANT_CLASSES = ["healthy", "multiple_diseases", "rust", "scab"]


def _write_csv(path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _read_csv(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _passenger(pid: int, rng: np.random.RandomState, *, fare_scale: float = 1.0) -> list[str]:
    """One Titanic-like row without the label: women survive more often, as on the ship."""
    sex = "female" if rng.rand() < 0.45 else "male"
    age = "" if rng.rand() < 0.2 else f"{rng.uniform(1, 70):.1f}"  # blanks, as in Titanic
    cabin = f"C{rng.randint(1, 120)}" if rng.rand() < 0.25 else ""
    return [
        str(pid),
        str(rng.randint(1, 4)),
        f"Passenger{pid}, Mr. Someone",  # written quoted: a comma inside a field
        sex,
        age,
        str(rng.randint(0, 4)),
        str(rng.randint(0, 3)),
        f"A/5 {21000 + pid}",
        f"{rng.uniform(5, 80) * fare_scale:.4f}",
        cabin,
        rng.choice(["S", "C", ""]),  # a blank Embarked is a category of its own
    ]


def _titanic(folder, *, n_train: int = 80, n_test: int = 25, sample_target: str = "Survived"):
    """train.csv, test.csv and gender_submission.csv as the Titanic competition ships them.

    The test rows' fares are 100 times larger and some embark at "Q", never seen in
    training: a fit that looked at them would show it."""
    rng = np.random.RandomState(3)
    train_rows = []
    for pid in range(1, n_train + 1):
        row = _passenger(pid, rng)
        survived = int((row[3] == "female") != (rng.rand() < 0.1))
        train_rows.append([row[0], str(survived), *row[1:]])
    test_rows = [_passenger(pid, rng, fare_scale=100.0) for pid in range(900, 900 + n_test)]
    for row in test_rows[::3]:
        row[-1] = "Q"
    _write_csv(folder / "train.csv", TITANIC_HEADER, train_rows)
    test_header = [c for c in TITANIC_HEADER if c != "Survived"]
    _write_csv(folder / "test.csv", test_header, test_rows)
    sample = [[row[0], "1" if row[3] == "female" else "0"] for row in test_rows]
    _write_csv(folder / "gender_submission.csv", ["PassengerId", sample_target], sample)
    return test_rows


def _table_config(folder, **overrides):
    settings = {"epochs": 2, "batch_size": 16, "learning_rate": 0.01, **overrides}
    return tiny_config(dataset=f"csv:{folder / 'train.csv'}:Survived", **settings)


def test_titanic_like_table_trains_via_the_cli_and_writes_submission_in_sample_format(tmp_path):
    test_rows = _titanic(tmp_path)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(_table_config(tmp_path)))
    out = tmp_path / "out"

    result = subprocess.run(
        [sys.executable, "-m", "jobs.training", "--config", str(config), "--out", str(out)],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    header, rows = _read_csv(out / "submission.csv")
    assert header == _read_csv(tmp_path / "gender_submission.csv")[0]
    assert [row[0] for row in rows] == [row[0] for row in test_rows]
    assert {row[1] for row in rows} <= {"0", "1"}
    assert "submission.csv written: 25 rows of labels" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submission"] == {"file": "submission.csv", "rows": 25, "values": "labels"}
    assert summary["classes"] == ["0", "1"]


def test_table_features_keep_the_id_aside_drop_free_text_and_encode_blanks(tmp_path, quiet):
    _titanic(tmp_path)
    train(_table_config(tmp_path, epochs=1), tmp_path / "out", stream=quiet)

    saved = json.loads((tmp_path / "out" / "preprocessing.json").read_text())
    assert saved["id_column"] == "PassengerId" and saved["label_column"] == "Survived"
    assert set(saved["dropped"]) == {"Name", "Ticket"}
    kinds = {column["name"]: column["kind"] for column in saved["columns"]}
    assert kinds == {
        "Pclass": "numeric",
        "Sex": "category",
        "Age": "numeric",
        "SibSp": "numeric",
        "Parch": "numeric",
        "Fare": "numeric",
        "Cabin": "category",
        "Embarked": "category",
    }
    assert "Embarked=<missing>" in saved["features"] and "Cabin=<missing>" in saved["features"]
    age = next(column for column in saved["columns"] if column["name"] == "Age")
    assert 1 <= age["median"] <= 70  # blanks were imputed, not read as 0


def test_preprocessing_is_fitted_on_the_training_rows_only(tmp_path):
    test_rows = _titanic(tmp_path)
    data = load_dataset(f"csv:{tmp_path / 'train.csv'}:Survived", seed=0, val_fraction=0.25)
    features = data.preprocessing.features

    assert "Embarked=Q" not in features  # "Q" is only in the test rows
    other = features.index("Embarked=<other>")
    embarked_q = [i for i, row in enumerate(test_rows) if row[-1] == "Q"]
    assert data.x_test[embarked_q, other].tolist() == [1.0] * len(embarked_q)
    # Standardised with the training rows' statistics: the training rows' fares have mean
    # 0 and std 1 exactly; the validation rows' only roughly; the 100x test fares are far out.
    fare = data.x_train[:, features.index("Fare")].double()
    assert abs(float(fare.mean())) < 1e-5 and abs(float(fare.std(unbiased=False)) - 1) < 1e-5
    assert abs(float(data.x_val[:, features.index("Fare")].mean())) > 1e-3
    assert float(data.x_test[:, features.index("Fare")].min()) > 10


def test_saved_preprocessing_reproduces_the_features_and_the_submission(tmp_path, quiet):
    _titanic(tmp_path)
    trainer = Trainer(_table_config(tmp_path), tmp_path / "out", stream=quiet)
    trainer.run()

    saved = json.loads((tmp_path / "out" / "preprocessing.json").read_text())
    reloaded = TablePreprocessing.from_dict(saved)
    test_header, test_rows = _read_csv(tmp_path / "test.csv")
    features = reloaded.transform(test_header, np.array(test_rows, dtype=object))

    assert reloaded.features == trainer.data.preprocessing.features
    np.testing.assert_array_equal(features, trainer.data.x_test.numpy())
    predicted = trainer.predict_probabilities(torch.from_numpy(features), 2).argmax(axis=1)
    _, written = _read_csv(tmp_path / "out" / "submission.csv")
    assert [str(label) for label in predicted.tolist()] == [row[1] for row in written]


def test_plant_pathology_like_images_write_class_probabilities_with_the_sample_header(
    tmp_path, quiet
):
    image = pytest.importorskip("PIL.Image")
    (tmp_path / "images").mkdir()
    train_rows, test_ids = [], [f"Test_{i}" for i in range(5)]
    for i in range(16):
        shade = 40 + 50 * (i % 4)
        image.new("RGB", (24, 18), (shade, 255 - shade, 90)).save(
            tmp_path / "images" / f"Train_{i}.jpg"
        )
        train_rows.append([f"Train_{i}", *("1" if c == i % 4 else "0" for c in range(4))])
    for i, name in enumerate(test_ids):
        image.new("RGB", (24, 18), (60 * i, 30, 200 - 30 * i)).save(
            tmp_path / "images" / f"{name}.jpg"
        )
    _write_csv(tmp_path / "train.csv", ["image_id", *PLANT_CLASSES], train_rows)
    _write_csv(tmp_path / "test.csv", ["image_id"], [[name] for name in reversed(test_ids)])
    sample_header = ["image_id", *PLANT_CLASSES]
    _write_csv(
        tmp_path / "sample_submission.csv",
        sample_header,
        [[name, "0.25", "0.25", "0.25", "0.25"] for name in test_ids],
    )
    config = tiny_config(
        dataset=f"csv:{tmp_path / 'train.csv'}", model="cnn", image_size=16, batch_size=4
    )

    summary = train({**config, "epochs": 1}, tmp_path / "out", stream=quiet)

    header, rows = _read_csv(tmp_path / "out" / "submission.csv")
    assert header == sample_header
    assert [row[0] for row in rows] == list(reversed(test_ids))  # the test file's order
    probabilities = np.array([[float(v) for v in row[1:]] for row in rows])
    assert probabilities.shape == (5, 4) and (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert summary["submission"]["values"] == "probabilities"
    assert summary["classes"] == PLANT_CLASSES


def test_probability_columns_follow_the_sample_order_not_the_training_order(tmp_path, quiet):
    image = pytest.importorskip("PIL.Image")
    (tmp_path / "images").mkdir()
    rows = []
    for i in range(8):
        image.new("RGB", (8, 8), (250 * (i % 2),) * 3).save(tmp_path / "images" / f"p{i}.png")
        rows.append([f"p{i}", str(i % 2), str(1 - i % 2)])
    _write_csv(tmp_path / "train.csv", ["id", "light", "dark"], rows)
    _write_csv(tmp_path / "test.csv", ["id"], [["p0"], ["p1"]])
    _write_csv(tmp_path / "sample_submission.csv", ["id", "dark", "light"], [["p0", 0, 0]])
    trainer = Trainer(
        tiny_config(dataset=f"csv:{tmp_path / 'train.csv'}", model="cnn", epochs=1),
        tmp_path / "out",
        stream=quiet,
    )
    trainer.run()

    _, written = _read_csv(tmp_path / "out" / "submission.csv")
    expected = trainer.predict_probabilities(trainer.data.x_test, 2)  # light, dark
    np.testing.assert_allclose([[float(v) for v in row[1:]] for row in written], expected[:, ::-1])


def test_a_sample_that_does_not_match_the_labels_fails_before_training(tmp_path, quiet):
    _titanic(tmp_path, sample_target="Transported")
    out = tmp_path / "out"

    with pytest.raises(DatasetError) as info:
        train(_table_config(tmp_path), out, stream=quiet)

    message = str(info.value)
    assert "gender_submission.csv" in message
    assert "Transported" in message and "Survived" in message
    assert not (out / "metrics.jsonl").exists()  # no epoch was trained
    assert not (out / "submission.csv").exists()


def test_a_test_file_without_a_feature_column_fails_while_loading(tmp_path):
    _titanic(tmp_path)
    header, rows = _read_csv(tmp_path / "test.csv")
    at = header.index("Fare")
    _write_csv(
        tmp_path / "test.csv", header[:at] + header[at + 1 :], [r[:at] + r[at + 1 :] for r in rows]
    )

    with pytest.raises(DatasetError, match="test.csv lacks the feature column.s. Fare"):
        load_dataset(f"csv:{tmp_path / 'train.csv'}:Survived", seed=0, val_fraction=0.25)


def test_the_sample_submission_names_the_label_when_the_dataset_does_not(tmp_path):
    _titanic(tmp_path)
    data = load_dataset(f"csv:{tmp_path / 'train.csv'}", seed=0, val_fraction=0.25)
    assert data.preprocessing.label_column == "Survived"
    assert data.submission.header == ["PassengerId", "Survived"]


def test_an_all_numeric_csv_without_a_test_file_trains_as_before(tmp_path, quiet):
    rng = np.random.RandomState(0)
    a, b = rng.randn(80), rng.randn(80)
    rows = [[f"{x:.3f}", f"{y:.3f}", int(x > y)] for x, y in zip(a, b, strict=True)]
    _write_csv(tmp_path / "numbers.csv", ["a", "b", "label"], rows)

    summary = train(
        tiny_config(dataset=f"csv:{tmp_path / 'numbers.csv'}", epochs=2),
        tmp_path / "out",
        stream=quiet,
    )

    assert summary["status"] == "completed" and summary["input_shape"] == [2]
    assert summary["submission"] is None
    assert not (tmp_path / "out" / "submission.csv").exists()
