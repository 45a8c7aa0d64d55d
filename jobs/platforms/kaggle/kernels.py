"""What a Kaggle kernel for a job is: its slug and title, its text, its accelerator and its
data sources. Pure functions: no Django, no network."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asthub_site.errors import InvalidInput
from jobs.platforms.engine_requirements import Requirement, engine_requirements, pip_specs

WORKING_DIR = "/kaggle/working"  # Kaggle collects a kernel's outputs from here
INPUT_DIR = "/kaggle/input"


@dataclass(frozen=True)
class Accelerator:
    machine_shape: str | None  # SaveKernel's machineShape; None for a CPU session
    kind: str  # "cpu" | "gpu" | "tpu": which weekly quota it spends


# The hub's names for Kaggle's accelerators. "t4" is the plan catalogue's T4-class name
# (Kaggle's T4 session has two of them).
HARDWARE: dict[str, Accelerator] = {
    "cpu": Accelerator(None, "cpu"),
    "t4": Accelerator("NvidiaTeslaT4", "gpu"),
    "t4-highmem": Accelerator("NvidiaTeslaT4Highmem", "gpu"),
    "l4": Accelerator("NvidiaL4", "gpu"),
    "l4x1": Accelerator("NvidiaL4X1", "gpu"),
    "a100": Accelerator("NvidiaTeslaA100", "gpu"),
    "h100": Accelerator("NvidiaH100", "gpu"),
    "rtx-pro-6000": Accelerator("NvidiaRtxPro6000", "gpu"),
    "tpu-v5e-8": Accelerator("TpuV5E8", "tpu"),
    "tpu-v6e-8": Accelerator("TpuV6E8", "tpu"),
}
# Other spellings people use. Kaggle retired the P100: a P100 request runs on T4s.
ALIASES = {
    "none": "cpu",
    "gpu": "t4",
    "t4x2": "t4",
    "t4-x2": "t4",
    "2xt4": "t4",
    "p100": "t4",
    "gpu-p100": "t4",
    "gpu-t4": "t4",
    "tpu": "tpu-v5e-8",
}


def canonical_hardware(name: str) -> str:
    """The hub's name for a Kaggle accelerator; InvalidInput naming the known ones."""
    key = (name or "cpu").strip().lower()
    key = ALIASES.get(key, key)
    if key not in HARDWARE:
        raise InvalidInput(
            f"Unknown Kaggle hardware {name!r}; Kaggle offers: {', '.join(HARDWARE)} "
            "(p100 was retired and runs as t4).",
            fields={"hardware": ["unknown on kaggle"]},
        )
    return key


def accelerator(hardware: str) -> Accelerator:
    return HARDWARE[canonical_hardware(hardware)]


def kernel_slug(job_id: int) -> str:
    # Kaggle derives a kernel's slug from its title; keep the two in step.
    return f"ast-hub-job-{job_id}"


def kernel_title(job_id: int) -> str:
    return f"AST Hub job {job_id}"


def kernel_text(bundle: str, *, baseline: bool, config: Mapping[str, Any]) -> str:
    """The engine bundle behind a fixed launcher: Kaggle runs a script with no arguments,
    and collects outputs from /kaggle/working. Before the engine, the launcher makes sure
    the packages it needs are there (see `requirements_preamble`)."""
    argv = ["--out", WORKING_DIR] + (["--baseline"] if baseline else [])
    launcher = (
        "# AST Training Hub launcher: Kaggle runs this file without arguments.\n"
        "import sys\n"
        f"sys.argv[1:] = {argv!r}\n"
    )
    preamble = requirements_preamble(engine_requirements(config), internet=needs_internet(config))
    return launcher + preamble + bundle


def requirements_preamble(requirements: tuple[Requirement, ...], *, internet: bool) -> str:
    """Launcher code that checks the engine's packages and installs the missing ones.

    Kaggle's image ships numpy, scikit-learn, Pillow, torchvision and timm, but not mnist1d.
    What it has is kept at its own version (its packages were built together); only what
    is missing is installed, at the hub's pins, with the image's torch held. Without
    internet, which Kaggle grants only to phone-verified accounts, nothing can be installed:
    the kernel stops at once, before it spends accelerator time, and says what is missing.
    """
    specs = pip_specs(requirements)
    return f"""
def _asthub_install_missing(specs, internet):
    import importlib.metadata, os, subprocess, tempfile

    def installed(package):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    missing = [spec for spec in specs.split() if installed(spec.split("==")[0]) is None]
    if not missing:
        return
    verify = ("Kaggle kernels get internet only on phone-verified accounts: verify the "
              "account's phone number in Kaggle's settings, or train on huggingface.")
    if not internet:
        sys.exit(f"asthub: this run needs {{', '.join(missing)}}, which Kaggle's image "
                 f"lacks, and the kernel has no internet to install it. {{verify}}")
    print("asthub: installing " + " ".join(missing), flush=True)
    held = os.path.join(tempfile.mkdtemp(), "held.txt")  # not /kaggle/working: no output
    with open(held, "w") as handle:
        torch = installed("torch")
        handle.write(f"torch=={{torch}}\\n" if torch else "")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-input", "--retries", "1",
         "--timeout", "20", "-c", held, *missing],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if pip.returncode != 0:
        said = [line for line in pip.stdout.splitlines() if line.strip() and "WARNING" not in line]
        print("\\n".join(said[-8:]), flush=True)
        sys.exit(f"asthub: pip could not install {{', '.join(missing)}}, which Kaggle's "
                 f"image lacks; the kernel may have no internet. {{verify}}")


_asthub_install_missing({specs!r}, {internet!r})
del _asthub_install_missing
"""


# --- data sets ---------------------------------------------------------------------------

_SLUG = r"[A-Za-z0-9][A-Za-z0-9_-]*"
_FILE = r"(?:/(?P<file>[^:]+))?(?::(?P<label>[\w .-]+))?$"
_DATASET_RE = re.compile(rf"^kaggle:(?P<owner>{_SLUG})/(?P<slug>{_SLUG}){_FILE}")
_COMPETITION_RE = re.compile(rf"^competition:(?P<slug>{_SLUG}){_FILE}")
DATASET_FORMS = (
    "kaggle:OWNER/DATASET (a folder per class), kaggle:OWNER/DATASET/FOLDER, "
    "kaggle:OWNER/DATASET/FILE.csv[:LABEL], kaggle:OWNER/DATASET/FILE.npz, "
    "competition:NAME/FILE.csv[:LABEL]"
)


@dataclass(frozen=True)
class DataSources:
    """What a kernel attaches, and the path the engine reads inside the kernel."""

    engine_dataset: str
    datasets: tuple[str, ...] = ()
    competitions: tuple[str, ...] = ()

    def as_state(self) -> dict:
        return {"datasets": list(self.datasets), "competitions": list(self.competitions)}


def is_kaggle_source(dataset: str) -> bool:
    return dataset.startswith(("kaggle:", "competition:"))


def data_sources(dataset: str) -> DataSources:
    """Attach a Kaggle data set or competition; anything else the engine builds itself."""
    if not is_kaggle_source(dataset):
        return DataSources(engine_dataset=dataset)
    match = _DATASET_RE.match(dataset) or _COMPETITION_RE.match(dataset)
    if match is None or ".." in (match.group("file") or ""):
        raise InvalidInput(
            f"Cannot read data set {dataset!r}; Kaggle data sets are: {DATASET_FORMS}.",
            fields={"dataset": ["invalid"]},
        )
    slug, file, label = match.group("slug"), match.group("file"), match.group("label")
    mount = f"{INPUT_DIR}/{slug}"
    if file is None:
        if dataset.startswith("competition:"):
            raise InvalidInput(
                "A competition data set names its file, e.g. "
                "competition:titanic/train.csv:Survived.",
                fields={"dataset": ["needs a file"]},
            )
        engine = f"imagefolder:{mount}"
    elif file.lower().endswith(".csv"):
        engine = f"csv:{mount}/{file}" + (f":{label}" if label else "")
    elif file.lower().endswith(".npz") and not label:
        engine = f"npz:{mount}/{file}"
    elif "." not in file.rsplit("/", 1)[-1] and not label:
        engine = f"imagefolder:{mount}/{file.rstrip('/')}"  # a folder of class folders
    else:
        raise InvalidInput(
            f"Inside a Kaggle data set, name a folder of class folders, a .csv (optionally "
            f":LABEL_COLUMN) or an .npz; got {file!r}.",
            fields={"dataset": ["unsupported file"]},
        )
    if dataset.startswith("competition:"):
        return DataSources(engine_dataset=engine, competitions=(slug,))
    return DataSources(engine_dataset=engine, datasets=(f"{match.group('owner')}/{slug}",))


def needs_internet(config: Mapping[str, Any]) -> bool:
    """Whether the kernel asks Kaggle for internet: downloads happen for hf: and
    torchvision sets and for pretrained weights, and mnist1d may need its package."""
    kind = str(config.get("dataset", "")).split(":", 1)[0]
    return kind not in {"digits", "npz", "csv", "imagefolder"} or bool(config.get("pretrained"))
