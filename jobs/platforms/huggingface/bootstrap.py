"""The program an HF Job runs (`python -c BOOTSTRAP`): fetch the exact engine bundle the
hub committed, check its digest, run it, and commit its outputs to the target model repo.

Why this shape: the job command stays short and fixed (it is visible on the job's page),
while the engine script and its config live in a private repo at a pinned commit, so a
run can be reproduced byte for byte from that commit and the script's SHA-256 recorded on
the job. The container starts from an image with torch; only what it lacks is installed.
The user's token arrives as the job secret `HF_TOKEN` (the Hub does not inject it), and
the outputs are uploaded with it, so they land in the user's own namespace.
"""

BOOTSTRAP = r"""
import hashlib, importlib.util, os, subprocess, sys, tempfile
from pathlib import Path

missing = [n for n in ("huggingface_hub", "safetensors") if importlib.util.find_spec(n) is None]
if missing:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])
from huggingface_hub import HfApi

api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"], library_name="asthub")
work = Path(tempfile.mkdtemp(prefix="asthub-"))
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
