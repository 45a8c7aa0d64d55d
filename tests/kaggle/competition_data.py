"""Small stand-ins for the data the headline workflows attach, in the real layouts:

- a Titanic-like competition: `train.csv` with an id, strings, blanks and the target,
  `test.csv` without the target, `gender_submission.csv` as Kaggle ships it;
- a plant-pathology-2020-fgvc7-like competition: `images/Train_N.jpg` and
  `images/Test_N.jpg`, `train.csv` with one 0/1 column per class, `test.csv` of ids and
  `sample_submission.csv` of class probabilities;
- an ImageNet-100-like data set (ambityga/imagenet100): `train.X1`, `train.X2` and
  `val.X` folders of WordNet-id class folders of JPEGs, and `Labels.json`.

Each has a signal a small model learns in a few epochs, so the scores mean something, and
each competition comes with its hidden solution for the fake's scorer.
"""

from __future__ import annotations

import csv
import io
import json
import random

from PIL import Image

from tests.fakes.kaggle_scoring import ACCURACY, MEAN_COLUMN_AUC, Solution

PLANT_CLASSES = ("healthy", "multiple_diseases", "rust", "scab")
# Leaf colours a CNN tells apart at a glance: green, brown, orange, grey-green.
PLANT_COLOURS = ((40, 160, 50), (120, 80, 40), (220, 120, 30), (120, 140, 110))
WORDNET_IDS = ("n01440764", "n01443537", "n01484850", "n01491361")


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def titanic_like(n_train: int = 240, n_test: int = 120, seed: int = 0):
    """(files, solution): women and first class mostly survive, as on the Titanic."""
    rng = random.Random(seed)
    header = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
              "Ticket", "Fare", "Cabin", "Embarked"]  # fmt: skip
    people = []
    for index in range(n_train + n_test):
        sex = rng.choice(("male", "female"))
        pclass = rng.choice((1, 2, 3))
        age = "" if rng.random() < 0.2 else str(rng.randint(1, 70))
        chance = (0.9 if sex == "female" else 0.15) + (0.1 if pclass == 1 else 0.0)
        survived = int(rng.random() < chance)
        fare = f"{rng.uniform(5, 30) * (4 - pclass):.4f}"
        people.append([
            892 + index if index >= n_train else 1 + index, survived, pclass,
            f"Passenger {index}, Mr. X{rng.randint(0, 10**6)}", sex, age,
            rng.randint(0, 3), rng.randint(0, 2), f"T{rng.randint(1000, 99999)}", fare,
            "" if rng.random() < 0.7 else f"C{rng.randint(1, 99)}",
            rng.choice(("S", "C", "Q", "")),
        ])  # fmt: skip
    train, test = people[:n_train], people[n_train:]
    without_target = [header[:1] + header[2:]] + [row[:1] + row[2:] for row in test]
    gender = [["PassengerId", "Survived"]] + [[row[0], int(row[4] == "female")] for row in test]
    files = {
        "train.csv": _csv([header] + train),
        "test.csv": _csv(without_target),
        "gender_submission.csv": _csv(gender),
    }
    solution = Solution(
        id_column="PassengerId",
        target_columns=("Survived",),
        answers={str(row[0]): (str(row[1]),) for row in test},
        metric=ACCURACY,
    )
    return files, solution


def _leaf(colour: tuple[int, int, int], rng: random.Random, size: int) -> bytes:
    image = Image.new("RGB", (size, size))
    pixels = [
        tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in colour)
        for _ in range(size * size)
    ]
    image.putdata(pixels)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def plant_pathology_like(n_train: int = 64, n_test: int = 32, size: int = 24, seed: int = 0):
    """(files, solution): each class a leaf colour, the test answers one-hot."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    train_rows, test_labels = [], {}
    for index in range(n_train):
        label = index % len(PLANT_CLASSES)
        files[f"images/Train_{index}.jpg"] = _leaf(PLANT_COLOURS[label], rng, size)
        train_rows.append([f"Train_{index}"] + [int(k == label) for k in range(4)])
    for index in range(n_test):
        label = rng.randrange(len(PLANT_CLASSES))
        files[f"images/Test_{index}.jpg"] = _leaf(PLANT_COLOURS[label], rng, size)
        test_labels[f"Test_{index}"] = label
    files["train.csv"] = _csv([["image_id", *PLANT_CLASSES]] + train_rows)
    files["test.csv"] = _csv([["image_id"]] + [[key] for key in test_labels])
    files["sample_submission.csv"] = _csv(
        [["image_id", *PLANT_CLASSES]] + [[key, 0.25, 0.25, 0.25, 0.25] for key in test_labels]
    )
    solution = Solution(
        id_column="image_id",
        target_columns=PLANT_CLASSES,
        answers={
            key: tuple(str(int(k == label)) for k in range(4)) for key, label in test_labels.items()
        },
        metric=MEAN_COLUMN_AUC,
    )
    return files, solution


def imagenet100_like(per_class: int = 6, size: int = 24, seed: int = 0) -> dict[str, bytes]:
    """ambityga/imagenet100's layout: training split in parts, a val.X split, Labels.json."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    for label, wnid in enumerate(WORDNET_IDS):
        colour = PLANT_COLOURS[label]
        for index in range(per_class):
            part = "train.X1" if index % 2 == 0 else "train.X2"
            files[f"{part}/{wnid}/{wnid}_{index}.JPEG"] = _leaf(colour, rng, size)
        for index in range(2):
            files[f"val.X/{wnid}/ILSVRC2012_val_{label}{index}.JPEG"] = _leaf(colour, rng, size)
    files["Labels.json"] = json.dumps({wnid: f"class {wnid}" for wnid in WORDNET_IDS}).encode()
    return files
