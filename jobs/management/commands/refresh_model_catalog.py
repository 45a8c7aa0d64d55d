"""Write ``jobs/catalog/models.json``: the torchvision and timm classifiers the engine builds.

The web process reads that file to check model names without importing torch, so it is
generated here, where torch, torchvision and timm are installed, and checked in. A package
upgrade changes the list: ``--check`` (run by the test suite) says what no longer matches.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jobs.training.vision import (
    fixed_input_size,
    parameter_millions,
    timm_classifiers,
    timm_module,
    torchvision_classifiers,
)

CATALOG_FILE = Path(__file__).resolve().parents[2] / "catalog" / "models.json"
PACKAGES = ("torch", "torchvision", "timm")
SHOWN_NAMES = 10  # a timm upgrade can add hundreds of names; a few tell the story


def installed_version(package: str) -> str:
    """The release without its local label: the CPU and CUDA builds list the same models."""
    try:
        return metadata.version(package).split("+", 1)[0]
    except metadata.PackageNotFoundError as exc:
        raise CommandError(f"{package} is not installed; the catalog needs it") from exc


# Sizes take minutes to measure (every architecture is built), so `--check` compares
# the rest: a size changes only with a release, and a release changes generated_for.
SIZE_KEY = "params_millions"


def build_catalog(*, with_sizes: bool = True) -> dict[str, Any]:
    generated_for = {package: installed_version(package) for package in PACKAGES}
    if timm_module() is None:
        raise CommandError("timm (or the torchvision it imports) cannot be imported")
    # The engine picks torchvision where both packages have a name; the catalog agrees.
    sources = dict.fromkeys(timm_classifiers(), "timm")
    sources.update(dict.fromkeys(torchvision_classifiers(), "torchvision"))
    models = [
        {"name": name, "source": source, "fixed_input_size": fixed_input_size(name, source)}
        for name, source in sorted(sources.items())
    ]
    if with_sizes:
        for model in models:
            model[SIZE_KEY] = parameter_millions(model["name"], model["source"])
    return {"generated_for": generated_for, "models": models}


def without_sizes(catalog: dict[str, Any]) -> dict[str, Any]:
    models = [
        {key: value for key, value in model.items() if key != SIZE_KEY}
        for model in catalog.get("models", [])
    ]
    return {**catalog, "models": models}


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, sort_keys=True) + "\n"


def differences(checked_in: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What the checked-in catalog says that the installed packages do not."""
    found = []
    old_versions = checked_in.get("generated_for", {})
    for package, version in current["generated_for"].items():
        if old_versions.get(package) != version:
            found.append(f"{package}: file has {old_versions.get(package)}, installed {version}")
    old = {m["name"]: m for m in checked_in.get("models", [])}
    new = {m["name"]: m for m in current["models"]}
    for label, names in (
        ("installed but not in the file", sorted(new.keys() - old.keys())),
        ("in the file but not installed", sorted(old.keys() - new.keys())),
        ("listed differently", sorted(n for n in old.keys() & new.keys() if old[n] != new[n])),
    ):
        if names:
            shown = ", ".join(names[:SHOWN_NAMES]) + (", ..." if len(names) > SHOWN_NAMES else "")
            found.append(f"{len(names)} model(s) {label}: {shown}")
    return found


class Command(BaseCommand):
    help = "Write jobs/catalog/models.json from the installed torchvision and timm."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit non-zero, saying what differs, if the file is stale",
        )
        parser.add_argument("--output", type=Path, default=CATALOG_FILE, help="catalog path")

    def handle(self, *args, **options):
        path: Path = options["output"]
        if options["check"]:
            catalog = build_catalog(with_sizes=False)
            self._check(path, catalog, render(catalog))
            return
        catalog = build_catalog()
        text = render(catalog)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        counts = {}
        for model in catalog["models"]:
            counts[model["source"]] = counts.get(model["source"], 0) + 1
        summary = ", ".join(f"{n} {source}" for source, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}: {summary} models."))

    def _check(self, path: Path, catalog: dict[str, Any], text: str) -> None:
        try:
            on_disk = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"{path} is missing; run refresh_model_catalog") from exc
        try:
            stored = without_sizes(json.loads(on_disk))
        except (ValueError, AttributeError):
            stored = None
        if stored is not None and render(stored) == text:
            self.stdout.write(f"{path} matches the installed packages.")
            return
        try:
            found = differences(stored or {}, catalog)
        except (ValueError, KeyError, TypeError, AttributeError):
            found = ["the file is not a catalog this command wrote"]
        if not found:
            found = ["same models, different formatting"]
        raise CommandError(
            f"{path} does not match the installed packages; run refresh_model_catalog. "
            + "; ".join(found)
        )
