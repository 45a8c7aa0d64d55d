"""Interpreters for the fakes' jobs that hold what the platform's image holds, not the hub's
virtualenv: a job that needs a package its image lacks fails here as it would there.

An image is a folder of the hub venv's own installed distributions, torch (and what the
image ships beside it) with their dependency closure, linked in by symlink; nothing else
of the hub's (no Django, no scikit-learn unless the image has it). Each job gets a fresh
venv (`python -m venv --without-pip`, about 0.1 s) whose `.pth` puts the image on its
path: what the job pip-installs lands in its own venv and is gone with it, as with a
container, and pip cannot remove an image package (it is "outside the environment").

Why symlinks and not `pip install torch==2.13.0` into each image: measured here, pip took
15 s and 0.9 GB per image and needs the CPU wheel at hand (/opt/wheels here; without it
pip would fetch the multi-GB CUDA build), while linking takes milliseconds, no disk, and
gives by construction the hub's torch build. The price is that an image follows the hub
venv; its folder name carries the torch version and a hash of the recipe (the linked
distributions, their versions and the venv's path), so a changed venv builds a new one.

Images are cached per machine under `$ASTHUB_FAKE_ENVS` (default
`~/.cache/asthub-fakes`), built in a temporary folder and renamed into place, under a
file lock, so two test processes never see a half-built one.

pip inside a job uses the machine's own configuration and cache when the platform gives
the job internet; with the internet off it reads no configuration and no index.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

RECIPE_VERSION = 1  # bump when the way an image is laid out changes


@dataclass(frozen=True)
class Image:
    name: str
    distributions: tuple[str, ...]  # taken from the hub venv, with their dependencies


# pytorch/pytorch: python, pip and torch; the job's command installs the rest.
HF_JOBS_IMAGE = Image("hf-jobs", ("torch", "pip"))
# Kaggle's image ships the scientific stack; of what the engine imports it has numpy,
# scikit-learn, Pillow, torchvision, timm and safetensors (transformers' dependency), not
# mnist1d.
KAGGLE_IMAGE = Image(
    "kaggle",
    ("torch", "pip", "numpy", "scikit-learn", "pillow", "safetensors", "torchvision", "timm"),
)

# What a job may inherit from this machine: how to reach the network, not the hub's state.
NETWORK_VARIABLES = (
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
)  # fmt: skip


@dataclass(frozen=True)
class JobPython:
    python: Path  # the job's `python`
    env: dict[str, str]  # the image's environment; the platform adds its own variables


def job_python(image: Image, job_dir: Path, *, internet: bool = True) -> JobPython:
    """A fresh interpreter for one job under `job_dir`, on top of `image`."""
    site = image_site_packages(image)
    venv = job_dir / "python"
    subprocess.run(
        [sys._base_executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
    )
    (next(venv.glob("lib/python3*/site-packages")) / "image.pth").write_text(f"{site}\n")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        **(_pip_online() if internet else _pip_offline()),
    }
    return JobPython(python=venv / "bin" / "python", env=env)


def image_site_packages(image: Image) -> Path:
    """The image's folder of linked distributions, built once per machine and recipe."""
    distributions = _closure(image.distributions)
    recipe = {
        "recipe": RECIPE_VERSION,
        "image": image.name,
        "python": sys.version.split()[0],
        "source": [str(_site_packages(d)) for d in distributions],
        "distributions": sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions),
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    root = _cache_root()
    final = root / f"{image.name}-torch{importlib.metadata.version('torch')}-{digest}"
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{final.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same one
        if not final.is_dir():
            building = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=root))
            try:
                for distribution in distributions:
                    _link(distribution, building)
                (building / "image.json").write_text(json.dumps(recipe, indent=2))
                os.rename(building, final)
            finally:
                shutil.rmtree(building, ignore_errors=True)
    return final


def _closure(names: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """The named distributions and everything they require (extras left out)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        distribution = importlib.metadata.distribution(name)  # absent: the hub venv is broken
        found[key] = distribution
        for line in distribution.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return sorted(found.values(), key=lambda d: d.metadata["Name"].lower())


def _site_packages(distribution: importlib.metadata.Distribution) -> Path:
    return Path(str(distribution.locate_file("")))


def _link(distribution: importlib.metadata.Distribution, into: Path) -> None:
    """Link the distribution's top-level files and folders (its dist-info included)."""
    site = _site_packages(distribution)
    for top in sorted({file.parts[0] for file in distribution.files or []}):
        if top in ("..", "__pycache__") or top.endswith(".pth"):
            continue  # console scripts live outside site-packages; .pth files run code
        if not (into / top).exists():
            (into / top).symlink_to(site / top)


def _cache_root() -> Path:
    configured = os.environ.get("ASTHUB_FAKE_ENVS")
    if configured:
        return Path(configured)
    return _user_cache() / "asthub-fakes"


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _pip_online() -> dict[str, str]:
    """This machine's pip settings (its indexes, wheel folder, certificates) and its cache:
    the job's HOME is its own folder, so the user's config file is named explicitly."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in NETWORK_VARIABLES}
    env.setdefault("PIP_CACHE_DIR", str(_user_cache() / "pip"))
    user_config = _user_pip_config()
    if user_config is not None:
        env.setdefault("PIP_CONFIG_FILE", str(user_config))
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    return env


def _user_pip_config() -> Path | None:
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for candidate in (config_home / "pip" / "pip.conf", Path.home() / ".pip" / "pip.conf"):
        if candidate.is_file():
            return candidate
    return None


def _pip_offline() -> dict[str, str]:
    """No configuration file (they name indexes and wheel folders) and no index."""
    return {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
