"""A competition's submission.csv: which files announce one, its format, and writing it.

A Kaggle competition ships ``test.csv`` (rows to predict, without the label) and a sample
submission (``sample_submission.csv``, or e.g. Titanic's ``gender_submission.csv``) beside
``train.csv``. The sample's first column is the id; the columns after it are either the
training label column (the submission holds labels, as the training file spells them) or
one column per class (the submission holds each class's probability).

The format is matched against the training labels when the data is loaded, before any
training, so a sample the engine cannot fill costs no compute.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DatasetError

TEST_FILE = "test.csv"
SAMPLE_FILE = "sample_submission.csv"


@dataclass(frozen=True)
class CompetitionFiles:
    test: Path
    sample: Path


def competition_files(train_csv: Path) -> CompetitionFiles | None:
    """The test file and sample submission beside ``train_csv``; None unless both exist."""
    folder = train_csv.parent
    test = folder / TEST_FILE
    if not test.is_file() or test.resolve() == train_csv.resolve():
        return None
    sample = folder / SAMPLE_FILE
    if not sample.is_file():
        named = sorted(p for p in folder.glob("*.csv") if "submission" in p.name.lower())
        if not named:
            return None
        sample = named[0]
    return CompetitionFiles(test=test, sample=sample)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV file (UTF-8, a byte-order mark tolerated); blank
    lines are skipped, and a row with another number of fields than the header is an error."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise DatasetError(f"csv file {path} is empty")
    header = rows[0]
    for number, row in enumerate(rows[1:], 1):
        if row and len(row) != len(header):
            raise DatasetError(
                f"csv file {path}: data row {number} has {len(row)} fields, the header "
                f"{len(header)}"
            )
    return header, [row for row in rows[1:] if row]


def sample_label_column(files: CompetitionFiles, train_header: list[str]) -> str | None:
    """The training column the sample submission asks for, when it names exactly one."""
    sample_header, _ = read_csv(files.sample)
    targets = sample_header[1:]
    return targets[0] if len(targets) == 1 and targets[0] in train_header else None


@dataclass(frozen=True)
class SubmissionFormat:
    """How to write predictions on the test rows in the sample submission's format."""

    header: list[str]  # the sample's header, written as it is
    ids: list[str]  # the test file's ids, in its order
    classes: list[str]  # each class index's label, as the training file spells it
    # None: the one target column holds the predicted label. Otherwise, for each target
    # column, the index of the class whose probability it holds.
    class_of_column: list[int] | None

    @property
    def writes_labels(self) -> bool:
        return self.class_of_column is None

    def rows(self, probabilities: np.ndarray) -> list[list[str]]:
        """CSV rows for ``probabilities`` (test rows x classes, in class-index order)."""
        if len(probabilities) != len(self.ids):
            raise DatasetError(f"{len(probabilities)} predictions for {len(self.ids)} test rows")
        if self.class_of_column is None:
            best = probabilities.argmax(axis=1)
            return [[i, self.classes[c]] for i, c in zip(self.ids, best.tolist(), strict=True)]
        picked = probabilities[:, self.class_of_column]
        return [
            [i, *(repr(float(p)) for p in row)]
            for i, row in zip(self.ids, picked.tolist(), strict=True)
        ]


def plan_submission(
    files: CompetitionFiles,
    *,
    test_header: list[str],
    test_rows: list[list[str]],
    classes: list[str],
    target_columns: list[str],
) -> SubmissionFormat:
    """Match the sample's columns to what the model learns; a mismatch is a clear error.

    ``target_columns``: the training file's label column, or its one 0/1 column per class.
    """
    sample_header, _ = read_csv(files.sample)
    if len(sample_header) < 2:
        raise DatasetError(
            f"sample submission {files.sample.name} needs an id column and a target column; "
            f"it has {', '.join(sample_header) or 'none'}"
        )
    id_column, targets = sample_header[0], sample_header[1:]
    class_of_column: list[int] | None
    if len(target_columns) == 1 and targets == target_columns:
        class_of_column = None
    elif sorted(targets) == sorted(classes):
        class_of_column = [classes.index(name) for name in targets]
    else:
        raise DatasetError(
            f"sample submission {files.sample.name} asks for {', '.join(targets)} after its "
            f"id column {id_column}, but the model learns {', '.join(target_columns)} "
            f"(classes {', '.join(classes)}): the sample's columns after the id must be the "
            f"label column, or one column per class"
        )
    if id_column not in test_header:
        raise DatasetError(
            f"{files.test.name} has no column {id_column!r} (the sample submission's id); "
            f"its columns: {', '.join(test_header)}"
        )
    at = test_header.index(id_column)
    return SubmissionFormat(
        header=list(sample_header),
        ids=[row[at] for row in test_rows],
        classes=list(classes),
        class_of_column=class_of_column,
    )


def render_submission(submission: SubmissionFormat, probabilities: np.ndarray) -> str:
    """The text of submission.csv: the sample's header, then one row per test row."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(submission.header)
    writer.writerows(submission.rows(probabilities))
    return text.getvalue()
