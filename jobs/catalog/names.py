"""Reading a data-set name: which catalog entry it means, and refusing paths.

The hub takes names, never paths: a path would let one tenant read files of the hub's
own machine (`hf:` hands anything to `datasets.load_dataset`, which also loads local
folders), and on a remote platform a path names nothing the user can see."""

import re
from difflib import get_close_matches

from asthub_site.errors import InvalidInput
from jobs.catalog.datasets import BENCHMARKS, BUILT_IN, PATTERNS, TORCHVISION
from jobs.catalog.entries import CatalogEntry

_OWNER_NAME = r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*"
_PATTERN_FORMS = {
    "kaggle": re.compile(r"^kaggle:[A-Za-z0-9][\w-]*/[A-Za-z0-9][\w-]*(/[^:]+)?(:[\w .-]+)?$"),
    "competition": re.compile(r"^competition:[A-Za-z0-9][\w-]*/[^:]+(:[\w .-]+)?$"),
    "hf": re.compile(rf"^hf:{_OWNER_NAME}(:[\w\[\]%:+.-]+)?$"),
}
_PATTERN_ENTRIES = dict(zip(_PATTERN_FORMS, PATTERNS, strict=True))
# Engine-internal forms: they name files on whatever machine runs the engine.
_FILE_KINDS = ("npz", "csv", "imagefolder", "file", "torchvision")

NAMED_DATASETS: dict[str, CatalogEntry] = {
    entry.name: entry for entry in BUILT_IN + TORCHVISION + BENCHMARKS
}
DATASET_FORMS = "; ".join(entry.name for entry in PATTERNS)


def dataset_entry(name: str) -> CatalogEntry:
    """The entry a data-set name means; InvalidInput naming the closest known names."""
    entry = NAMED_DATASETS.get(name)
    if entry is not None:
        return entry
    _refuse_paths(name)
    kind, sep, _ = name.partition(":")
    if sep and kind in _PATTERN_FORMS:
        if not _PATTERN_FORMS[kind].match(name):
            raise InvalidInput(
                f"Cannot read data set {name!r}; the form is {_PATTERN_ENTRIES[kind].name}.",
                fields={"dataset": ["malformed"]},
            )
        return _PATTERN_ENTRIES[kind]
    raise InvalidInput(
        f"Unknown data set {name!r}.{did_you_mean(name, NAMED_DATASETS)} Known: "
        f"{', '.join(NAMED_DATASETS)}; or {DATASET_FORMS}. GET /api/v1/catalog lists them.",
        fields={"dataset": ["unknown"]},
    )


def _refuse_paths(name: str) -> None:
    kind = name.partition(":")[0]
    if (
        ".." in name
        or name.startswith(("/", "~", "."))
        or kind in _FILE_KINDS
        or "\\" in name
        or re.search(r":/|://|^\w:", name)
    ):
        raise InvalidInput(
            f"Data set {name!r} names a path or a URL. The hub takes catalog names, "
            "kaggle:OWNER/DATASET[/PATH], competition:SLUG/FILE or hf:OWNER/NAME, never "
            "a path on a machine.",
            fields={"dataset": ["paths are not accepted"]},
        )


def did_you_mean(name: str, known) -> str:
    close = get_close_matches(name.lower(), [str(k) for k in known], n=3, cutoff=0.6)
    return f" Did you mean {', '.join(close)}?" if close else ""
