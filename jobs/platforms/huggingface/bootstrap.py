"""The program an HF Job runs (`python -c BOOTSTRAP`): install what the engine needs, fetch
the exact engine bundle the hub committed, check its digest, run it, and commit its
outputs to the target model repo.

Why this shape: the job command stays short and fixed (it is visible on the job's page),
while the engine script and its config live in a private repo at a pinned commit, so a
run can be reproduced byte for byte from that commit and the script's SHA-256 recorded on
the job. The container starts from an image with torch and little else (no scikit-learn,
no mnist1d): `ASTHUB_REQUIREMENTS`, set by the adapter and shown on the job's page, lists
the pinned packages this run needs (jobs/platforms/engine_requirements.py plus the Hub
client for the bundle and the outputs). Only those missing or at another version are
installed, with the image's torch held where it is; a bare name (torchvision) takes the
build made for that torch. A failed install ends the job naming the package.
The user's token arrives as the job secret `HF_TOKEN` (the Hub does not inject it), and
the outputs are uploaded with it, so they land in the user's own namespace.
"""

from collections.abc import Mapping
from typing import Any

from jobs.platforms.engine_requirements import (
    HF_XET,
    HUGGINGFACE_HUB,
    SAFETENSORS,
    Requirement,
    engine_requirements,
    pip_specs,
)

# What the bootstrap itself imports: the Hub client (its Xet transfer package pinned too,
# or pip would take the newest) and safetensors.
BOOTSTRAP_REQUIREMENTS = (HUGGINGFACE_HUB, HF_XET, SAFETENSORS)


def job_requirements(config: Mapping[str, Any]) -> tuple[Requirement, ...]:
    return tuple(dict.fromkeys(engine_requirements(config) + BOOTSTRAP_REQUIREMENTS))


def requirements_variable(config: Mapping[str, Any]) -> str:
    """The value of the job's ASTHUB_REQUIREMENTS."""
    return pip_specs(job_requirements(config))


BOOTSTRAP = r"""
import hashlib, importlib.metadata, os, re, subprocess, sys, tempfile
from pathlib import Path

def installed(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None

def needs_install(spec):
    name, _, version = spec.partition("==")
    have = installed(name)
    return have is None or bool(version) and have != version

work = Path(tempfile.mkdtemp(prefix="asthub-"))
needed = [s for s in os.environ.get("ASTHUB_REQUIREMENTS", "").split() if needs_install(s)]
if needed:
    print("asthub: installing " + " ".join(needed), flush=True)
    held = work / "held.txt"
    torch = installed("torch")
    held.write_text(f"torch=={torch}\n" if torch else "")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-input", "-c", str(held), *needed],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if pip.returncode != 0:
        said = [line for line in pip.stdout.splitlines() if line.strip() and "WARNING" not in line]
        print("\n".join(said[-8:]), flush=True)
        text = "\n".join(line for line in said if "ERROR" in line).lower()
        names = {s: re.escape(s.split("==")[0].lower()) for s in needed}
        named = [s for s, name in names.items() if re.search(rf"\b{name}\b", text)]
        print(f"asthub: pip could not install {', '.join(named or needed)}; "
              "the run cannot start without it", flush=True)
        sys.exit(4)
from huggingface_hub import HfApi

api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"], library_name="asthub")
script = Path(api.hf_hub_download(
    os.environ["ASTHUB_CODE_REPO"], "asthub/script.py",
    revision=os.environ["ASTHUB_REVISION"], local_dir=work / "code",
))
digest = hashlib.sha256(script.read_bytes()).hexdigest()
if digest != os.environ["ASTHUB_SCRIPT_SHA256"]:
    print(f"asthub: script digest {digest} is not the recorded one; refusing to run", flush=True)
    sys.exit(3)
out = work / "out"
command = [sys.executable, str(script), "--out", str(out)]
if os.environ.get("ASTHUB_BASELINE") == "1":
    command.append("--baseline")
code = subprocess.call(command)
if code == 0:
    commit = api.upload_folder(
        repo_id=os.environ["ASTHUB_OUTPUT_REPO"], folder_path=out,
        commit_message=f"AST run outputs (asthub job {os.environ['ASTHUB_JOB_ID']})",
        ignore_patterns=["checkpoint.pt", "*.lock"],
    )
    print(f"asthub: outputs committed as {commit.oid}", flush=True)
sys.exit(code)
"""
