"""Tables as competitions ship them, turned into float features.

A Kaggle table mixes numbers with blanks (Titanic's Age), categories (Sex, Embarked),
free text (Name, Ticket) and an id column (PassengerId). ``TablePreprocessing.fit`` learns
from the training rows only how to turn such rows into numbers; ``transform`` applies the
same to validation and test rows; ``to_dict``/``from_dict`` keep it as JSON beside the
weights so predictions can be made on new rows later.

- numeric columns (every non-missing training value parses as a number): missing values
  become the training median, then (x - mean) / std with the training mean and std;
- category columns: one feature per training category (the ``MAX_CATEGORIES`` most
  frequent; missing is a category of its own) plus one for any other value, so a value
  first met in the test rows lands in "other" instead of adding a feature;
- free text (more than half the training rows distinct and more than ``MAX_CATEGORIES``
  values, like Name and Ticket) and columns with no value at all are dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import DatasetError

FORMAT_VERSION = 1
MAX_CATEGORIES = 20
# More distinct values than this fraction of the rows: identifiers or prose, which one-hot
# codes cannot generalise from (every test row would be "other").
FREE_TEXT_DISTINCT_FRACTION = 0.5
# Spellings pandas (and hence most competition files) use for "no value".
MISSING_SPELLINGS = frozenset({"", "na", "n/a", "nan", "null", "none"})
# How a missing value is named among a column's categories (JSON has no other sentinel).
MISSING = None

_ID_NAME = re.compile(r"(?i:id)|.*(?i:[_\- ]id)|.*[a-z0-9](?:Id|ID)")


def is_missing(value: str) -> bool:
    return value.strip().lower() in MISSING_SPELLINGS


def find_id_column(header: list[str], rows: np.ndarray) -> str | None:
    """The first column named like an id (``id``, ``PassengerId``, ``image_id``) whose
    values are all different: it identifies rows, so it is never a feature."""
    for index, name in enumerate(header):
        if _ID_NAME.fullmatch(name.strip()) is None:
            continue
        values = rows[:, index].tolist() if len(rows) else []
        if len(set(values)) == len(values):
            return name
    return None


@dataclass
class NumericColumn:
    name: str
    median: float
    mean: float
    std: float

    @property
    def features(self) -> list[str]:
        return [self.name]

    def encode(self, cells: np.ndarray) -> np.ndarray:
        values = np.array([_number(cell) for cell in cells.tolist()], dtype=np.float64)
        values[np.isnan(values)] = self.median
        return ((values - self.mean) / self.std)[:, None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "numeric",
            "median": self.median,
            "mean": self.mean,
            "std": self.std,
        }


@dataclass
class CategoryColumn:
    name: str
    # The categories that get a feature of their own, most frequent first; ``MISSING``
    # stands for a blank cell. Every other value shares the last feature, "other".
    categories: list[str | None]

    @property
    def features(self) -> list[str]:
        named = ["<missing>" if c is MISSING else c for c in self.categories]
        return [f"{self.name}={c}" for c in named] + [f"{self.name}=<other>"]

    def encode(self, cells: np.ndarray) -> np.ndarray:
        position = {category: i for i, category in enumerate(self.categories)}
        other = len(self.categories)
        out = np.zeros((len(cells), other + 1), dtype=np.float64)
        for row, cell in enumerate(cells.tolist()):
            out[row, position.get(_category(cell), other)] = 1.0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "category", "categories": list(self.categories)}


Column = NumericColumn | CategoryColumn


@dataclass
class TablePreprocessing:
    """What was learnt from the training rows, and how to apply it to any rows."""

    columns: list[Column]
    dropped: dict[str, str] = field(default_factory=dict)  # column -> why it is no feature
    # Kept aside, never features: recorded so that new rows can be read the same way.
    id_column: str | None = None
    label_column: str | None = None

    @classmethod
    def fit(
        cls,
        header: list[str],
        rows: np.ndarray,
        *,
        id_column: str | None = None,
        label_column: str | None = None,
    ) -> TablePreprocessing:
        """Learn from ``rows`` (the training rows only: strings, one column per name)."""
        columns: list[Column] = []
        dropped: dict[str, str] = {}
        for index, name in enumerate(header):
            cells = rows[:, index]
            present = [cell.strip() for cell in cells.tolist() if not is_missing(cell)]
            if not present:
                dropped[name] = "no value in the training rows"
            elif all(not math.isnan(_number(cell)) for cell in present):
                columns.append(_fit_numeric(name, cells))
            elif _is_free_text(cells):
                dropped[name] = "free text: almost every row has its own value"
            else:
                columns.append(_fit_category(name, cells))
        if not columns:
            raise DatasetError(f"no usable feature column among {', '.join(header)}")
        return cls(columns, dropped, id_column, label_column)

    @property
    def inputs(self) -> list[str]:
        """The columns a row must have (named as in the training file)."""
        return [column.name for column in self.columns]

    @property
    def features(self) -> list[str]:
        return [name for column in self.columns for name in column.features]

    def transform(self, header: list[str], rows: np.ndarray) -> np.ndarray:
        """Float32 features of ``rows`` (any column order; extra columns are ignored)."""
        missing = [name for name in self.inputs if name not in header]
        if missing:
            raise DatasetError(f"rows lack the feature column(s) {', '.join(missing)}")
        parts = [column.encode(rows[:, header.index(column.name)]) for column in self.columns]
        return np.concatenate(parts, axis=1).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "id_column": self.id_column,
            "label_column": self.label_column,
            "columns": [column.to_dict() for column in self.columns],
            "dropped": dict(self.dropped),
            "features": self.features,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TablePreprocessing:
        if data.get("format") != FORMAT_VERSION:
            raise DatasetError(f"unknown preprocessing format {data.get('format')!r}")
        columns: list[Column] = []
        for spec in data["columns"]:
            if spec["kind"] == "numeric":
                columns.append(
                    NumericColumn(spec["name"], spec["median"], spec["mean"], spec["std"])
                )
            else:
                columns.append(CategoryColumn(spec["name"], list(spec["categories"])))
        dropped = dict(data.get("dropped", {}))
        return cls(columns, dropped, data.get("id_column"), data.get("label_column"))


def _number(cell: str) -> float:
    """The cell as a number; NaN when blank or not a number (imputed later)."""
    if is_missing(cell):
        return math.nan
    try:
        value = float(cell)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _category(cell: str) -> str | None:
    return MISSING if is_missing(cell) else cell.strip()


def _fit_numeric(name: str, cells: np.ndarray) -> NumericColumn:
    values = np.array([_number(cell) for cell in cells.tolist()], dtype=np.float64)
    median = float(np.nanmedian(values))
    values[np.isnan(values)] = median
    std = float(values.std())
    # A constant column carries no information; dividing by 1 keeps it finite (all 0).
    return NumericColumn(name, median, float(values.mean()), std if std > 0 else 1.0)


def _is_free_text(cells: np.ndarray) -> bool:
    distinct = len({_category(cell) for cell in cells.tolist()})
    return distinct > MAX_CATEGORIES and distinct > FREE_TEXT_DISTINCT_FRACTION * len(cells)


def _fit_category(name: str, cells: np.ndarray) -> CategoryColumn:
    counts = Counter(_category(cell) for cell in cells.tolist())
    # Most frequent first; ties by value, so the same rows always give the same features.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] is not None, item[0] or ""))
    return CategoryColumn(name, [category for category, _ in ranked[:MAX_CATEGORIES]])
