"""Weights reach the Hub as Git LFS objects (the batch API's basic transfer), as real
uploads of model weights do, through the real client against the fake Hub.

The client would take Xet if it could; the fake Hub has none and its clients run with
HF_HUB_DISABLE_XET=1 (see tests/fakes/huggingface.py), so this is the LFS path.
"""

import base64
import hashlib
import json

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError

from jobs.models import Publication, PublicationStatus
from jobs.platforms.huggingface.client import hub_api
from jobs.publishing.job_source import job_files
from tests.huggingface.test_publishing import published_to_digits_ast

pytestmark = pytest.mark.django_db

BATCH = "/alice-hf/digits-ast.git/info/lfs/objects/batch"


def _calls(hub, method: str, path_start: str) -> int:
    return sum(1 for m, p, _ in hub.requests if m == method and p.startswith(path_start))


def _published(alice, api_as, connect_hf, hf_hub, eager_tasks, tmp_path):
    """Publish a finished local run to alice-hf/digits-ast the way the product does;
    returns the token and the run's own files (the bytes that were published)."""
    token = connect_hf(alice, "alice-hf")
    job, _ = published_to_digits_ast(alice, api_as, eager_tasks)
    return token, job_files(job, tmp_path / "original")


def test_published_weights_go_through_the_lfs_batch_and_download_byte_for_byte(
    alice, api_as, connect_hf, hf_hub, eager_tasks, tmp_path
):
    token, original = _published(alice, api_as, connect_hf, hf_hub, eager_tasks, tmp_path)
    weights = (original.folder / "model.safetensors").read_bytes()
    oid = hashlib.sha256(weights).hexdigest()

    # One batch request, one PUT of exactly this object, then its verification.
    assert _calls(hf_hub, "POST", BATCH) == 1
    puts = [p for m, p, t in hf_hub.requests if m == "PUT"]
    assert puts == [f"/lfs-storage/model/alice-hf/digits-ast/{oid}"]
    assert _calls(hf_hub, "POST", "/alice-hf/digits-ast.git/info/lfs/objects/verify") == 1
    # The signed upload URL carries no token; the batch and verify carried alice's.
    assert {t for m, _, t in hf_hub.requests if m == "PUT"} == {None}
    assert {t for _, p, t in hf_hub.requests if ".git/info/lfs" in p} == {token}

    # The commit took the weights as an LFS file and the card (and configs) inline.
    head = hf_hub.repo("alice-hf/digits-ast").head
    assert head.lfs == {"model.safetensors": oid}
    assert "README.md" in head.files and "config.json" in head.files
    assert head.files["model.safetensors"] == weights

    api = hub_api(token)
    download = api.hf_hub_download(
        "alice-hf/digits-ast", "model.safetensors", local_dir=tmp_path / "download"
    )
    with open(download, "rb") as downloaded:
        assert downloaded.read() == weights
    # The Hub's headers for an LFS file: the linked ETag is the sha256, the size the file's.
    url = hf_hub_url("alice-hf/digits-ast", "model.safetensors", endpoint=hf_hub.url)
    metadata = api.get_hf_file_metadata(url=url)
    assert (metadata.etag, metadata.size) == (oid, len(weights))
    assert metadata.commit_hash == head.oid


def test_weights_already_stored_are_committed_without_sending_them_again(
    alice, api_as, connect_hf, hf_hub, eager_tasks, tmp_path
):
    token, original = _published(alice, api_as, connect_hf, hf_hub, eager_tasks, tmp_path)
    weights = (original.folder / "model.safetensors").read_bytes()
    batches, puts = _calls(hf_hub, "POST", BATCH), _calls(hf_hub, "PUT", "/")

    # The same bytes under another name: the batch answers no actions, nothing is sent.
    hub_api(token).upload_file(
        path_or_fileobj=str(original.folder / "model.safetensors"),
        path_in_repo="checkpoints/best.safetensors",
        repo_id="alice-hf/digits-ast",
    )
    assert _calls(hf_hub, "POST", BATCH) == batches + 1
    assert _calls(hf_hub, "PUT", "/") == puts
    head = hf_hub.repo("alice-hf/digits-ast").head
    assert head.files["checkpoints/best.safetensors"] == weights
    assert head.lfs["checkpoints/best.safetensors"] == hashlib.sha256(weights).hexdigest()

    # Publishing the same run again: the batch API answers no actions again (nothing is
    # sent), and preupload's oid (the sha256) tells the client no file changed: no commit.
    commits = len(hf_hub.repo("alice-hf/digits-ast").commits)
    with eager_tasks(execute=True):
        response = api_as(alice).post(
            "/api/v1/models/sync",
            {"job_id": original.job_id, "to_platform": "huggingface", "target_ref": "digits-ast"},
            format="json",
        )
    publication = Publication.objects.get(pk=response.json()["id"])
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    assert _calls(hf_hub, "POST", BATCH) == batches + 2
    assert _calls(hf_hub, "PUT", "/") == puts
    assert len(hf_hub.repo("alice-hf/digits-ast").commits) == commits


def test_an_upload_whose_bytes_do_not_match_the_oid_is_refused_and_never_committed(hf_hub):
    token = hf_hub.add_user("alice-hf")
    api = hub_api(token)
    api.create_repo("alice-hf/weights", private=True)
    weights = bytes(range(256)) * 64
    operation = CommitOperationAdd("model.safetensors", weights)  # hashed now
    # The bytes change between hashing and upload (a file rewritten under the client).
    operation.path_or_fileobj = weights[:-1] + b"\x00"
    with pytest.raises(RuntimeError, match="Error while uploading 'model.safetensors'") as failed:
        api.create_commit("alice-hf/weights", [operation], commit_message="weights")
    refused = failed.value.__cause__
    assert isinstance(refused, HfHubHTTPError) and refused.response.status_code == 400
    assert "BadDigest" in str(refused)
    repo = hf_hub.repo("alice-hf/weights")
    assert repo.lfs_objects == {}
    assert [c.summary for c in repo.commits] == ["initial commit"]


def _raw(hub, token: str, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{hub.url}{path}", headers=headers, timeout=10, **kwargs)


def _ndjson(*items: dict) -> bytes:
    return b"\n".join(json.dumps(item).encode() for item in items)


def test_the_hub_refuses_weights_it_never_stored_or_that_skip_lfs(hf_hub):
    token = hf_hub.add_user("alice-hf")
    hub_api(token).create_repo("alice-hf/weights", private=True)
    weights = b"\x01\x02" * 1000
    oid = hashlib.sha256(weights).hexdigest()
    header = {"key": "header", "value": {"summary": "weights"}}
    commit = "/api/models/alice-hf/weights/commit/main"
    ndjson = {"Content-Type": "application/x-ndjson"}

    pointer = {"path": "model.safetensors", "algo": "sha256", "oid": oid, "size": len(weights)}
    never_uploaded = _raw(
        hf_hub, token, "POST", commit, headers=ndjson,
        content=_ndjson(header, {"key": "lfsFile", "value": pointer}),
    )  # fmt: skip
    assert never_uploaded.status_code == 400
    assert "LFS pointer pointed to a file that does not exist" in never_uploaded.json()["error"]

    inline = {"path": "model.safetensors", "content": base64.b64encode(weights).decode()}
    inline["encoding"] = "base64"
    binary = _raw(
        hf_hub, token, "POST", commit, headers=ndjson,
        content=_ndjson(header, {"key": "file", "value": inline}),
    )  # fmt: skip
    assert binary.status_code == 400 and "binary files" in binary.json()["error"]
    assert len(hf_hub.repo("alice-hf/weights").commits) == 1

    # The signed URL is for this object and size only, and verify knows nothing unstored.
    batch = _raw(
        hf_hub, token, "POST", "/alice-hf/weights.git/info/lfs/objects/batch",
        headers={"Accept": "application/vnd.git-lfs+json"},
        json={"operation": "upload", "transfers": ["basic"], "hash_algo": "sha256",
              "objects": [{"oid": oid, "size": len(weights)}]},
    ).json()  # fmt: skip
    assert batch["transfer"] == "basic"
    actions = batch["objects"][0]["actions"]
    verify_path = actions["verify"]["href"].removeprefix(hf_hub.url)
    assert verify_path == "/alice-hf/weights.git/info/lfs/objects/verify"
    verify = {"oid": oid, "size": len(weights)}
    assert _raw(hf_hub, token, "POST", verify_path, json=verify).status_code == 404
    tampered = actions["upload"]["href"].replace(f"size={len(weights)}", "size=1")
    assert httpx.put(tampered, content=weights[:1], timeout=10).status_code == 403
    assert httpx.put(actions["upload"]["href"], content=weights[1:], timeout=10).status_code == 400
    assert httpx.put(actions["upload"]["href"], content=weights, timeout=10).status_code == 200
    assert _raw(hf_hub, token, "POST", verify_path, json=verify).status_code == 200
    assert hf_hub.repo("alice-hf/weights").lfs_objects == {oid: weights}


def test_preupload_sends_big_files_and_weight_formats_to_lfs(hf_hub):
    token = hf_hub.add_user("alice-hf")
    hub_api(token).create_repo("alice-hf/weights", private=True)
    sample = base64.b64encode(b"x").decode()
    files = [
        ("model.safetensors", 100), ("pytorch_model.bin", 100), ("checkpoint.pt", 100),
        ("nested/weights.pth", 100), ("model.ckpt", 100), ("tf_model.h5", 100),
        ("model.onnx", 100), ("scaler.pkl", 100), ("arrays.npz", 100), ("bundle.zip", 100),
        ("config.json", 100), ("README.md", 100), ("metrics.jsonl", 10 * 1024 * 1024),
        ("huge.jsonl", 10 * 1024 * 1024 + 1),
    ]  # fmt: skip
    answer = _raw(
        hf_hub, token, "POST", "/api/models/alice-hf/weights/preupload/main",
        json={"files": [{"path": p, "sample": sample, "size": n} for p, n in files]},
    ).json()  # fmt: skip
    modes = {f["path"]: f["uploadMode"] for f in answer["files"]}
    regular = {"config.json", "README.md", "metrics.jsonl"}
    assert modes == {p: "regular" if p in regular else "lfs" for p, _ in files}
    assert not any(f["shouldIgnore"] for f in answer["files"])


def test_a_client_asking_for_xet_finds_none(hf_hub):
    token = hf_hub.add_user("alice-hf")
    hub_api(token).create_repo("alice-hf/weights", private=True)
    answer = _raw(hf_hub, token, "GET", "/api/models/alice-hf/weights/xet-write-token/main")
    assert answer.status_code == 404
    assert "X-Xet-Cas-Url" not in answer.headers
