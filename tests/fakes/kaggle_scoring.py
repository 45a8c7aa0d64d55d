"""How the local Kaggle scores a submission: as Kaggle does, against a hidden solution.

Kaggle checks the file's shape against the competition's sample submission before it
scores anything: the same columns, one row per test id, no duplicates, no unknown ids,
values it can read. A file that fails any check is an ERROR submission whose
`errorDescription` says which. Then the competition's metric runs on the public part of
the solution: categorisation accuracy (Titanic) or the mean column-wise ROC AUC of class
probabilities (plant-pathology-2020-fgvc7).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

ACCURACY = "categorization_accuracy"
MEAN_COLUMN_AUC = "mean_column_wise_roc_auc"


@dataclass(frozen=True)
class Solution:
    """The hidden answers: for each test id, the true value of each target column."""

    id_column: str
    target_columns: tuple[str, ...]
    answers: dict[str, tuple[str, ...]]
    metric: str = ACCURACY

    @property
    def header(self) -> list[str]:
        return [self.id_column, *self.target_columns]


def score(solution: Solution, data: bytes) -> str:
    """The public score as Kaggle shows it (five decimals); ValueError says what is wrong."""
    rows = _rows(data)
    header, body = rows[0], rows[1:]
    for column in solution.header:
        if column not in header:
            raise ValueError(f"Could not find the required column '{column}' in the submission")
    extra = [column for column in header if column not in solution.header]
    if extra:
        raise ValueError(f"Submission has unexpected column(s): {', '.join(extra)}")
    if len(body) != len(solution.answers):
        raise ValueError(f"Submission must have {len(solution.answers)} rows (it has {len(body)})")
    at = {column: header.index(column) for column in solution.header}
    given: dict[str, tuple[str, ...]] = {}
    for row in body:
        if len(row) != len(header):
            raise ValueError(f"Row {len(given) + 2} has {len(row)} values, not {len(header)}")
        key = row[at[solution.id_column]]
        if key not in solution.answers:
            raise ValueError(f"Submission contains an id not in the test set: {key!r}")
        if key in given:
            raise ValueError(f"Submission contains duplicate id {key!r}")
        given[key] = tuple(row[at[column]] for column in solution.target_columns)
    if solution.metric == ACCURACY:
        value = _accuracy(solution, given)
    elif solution.metric == MEAN_COLUMN_AUC:
        value = _mean_column_auc(solution, given)
    else:
        raise ValueError(f"unknown metric {solution.metric}")
    return f"{value:.5f}"


def _rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError("Submission file is not UTF-8 text") from error
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if len(rows) < 2:
        raise ValueError("Submission file is empty or has only a header")
    return rows


def _accuracy(solution: Solution, given: dict[str, tuple[str, ...]]) -> float:
    right = 0
    for key, truth in solution.answers.items():
        right += all(_same_label(a, b) for a, b in zip(given[key], truth, strict=True))
    return right / len(solution.answers)


def _same_label(given: str, truth: str) -> bool:
    try:
        return float(given) == float(truth)
    except ValueError:
        return given.strip() == truth.strip()


def _mean_column_auc(solution: Solution, given: dict[str, tuple[str, ...]]) -> float:
    aucs = []
    for index, column in enumerate(solution.target_columns):
        try:
            scores = [float(given[key][index]) for key in solution.answers]
        except ValueError as error:
            raise ValueError(f"Column '{column}' must hold numbers ({error})") from error
        truth = [float(answer[index]) for answer in solution.answers.values()]
        aucs.append(_roc_auc(truth, scores))
    return sum(aucs) / len(aucs)


def _roc_auc(truth: list[float], scores: list[float]) -> float:
    """The probability that a positive outranks a negative (ties count half)."""
    positives = [s for s, t in zip(scores, truth, strict=True) if t == 1]
    negatives = [s for s, t in zip(scores, truth, strict=True) if t != 1]
    if not positives or not negatives:
        return 0.5  # Kaggle's metric skips such a column; the stand-ins avoid it
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
