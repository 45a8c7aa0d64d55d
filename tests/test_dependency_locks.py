"""The two lock files: the runtime one (the production image) carries no test tool, and
both were resolved together from pyproject.toml."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Test tools by name, beyond what the extras declare: a test tool added to the runtime
# dependencies by mistake is caught even when the extras no longer list it.
KNOWN_TEST_TOOLS = {"pytest", "moto", "playwright", "schemathesis", "hypothesis", "responses"}


def pins(lock_name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / lock_name).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def extra_names(extra: str) -> set[str]:
    return {
        canonicalize_name(Requirement(text).name)
        for text in PYPROJECT["project"]["optional-dependencies"][extra]
    }


def test_runtime_lock_holds_no_test_or_lint_tool():
    runtime = pins("requirements.lock")
    declared_tools = extra_names("test") | extra_names("dev")
    leaked = sorted(
        name
        for name in runtime
        if name in declared_tools or name in KNOWN_TEST_TOOLS or name.startswith("pytest")
    )
    assert leaked == [], f"requirements.lock (the production image) holds test tools: {leaked}"


def test_every_runtime_dependency_is_pinned_in_the_runtime_lock():
    runtime = pins("requirements.lock")
    declared = {
        canonicalize_name(Requirement(text).name) for text in PYPROJECT["project"]["dependencies"]
    }
    assert sorted(declared - set(runtime)) == []


def test_dev_lock_is_the_runtime_lock_plus_the_tools_at_the_same_versions():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert sorted(set(runtime) - set(dev)) == []
    differing = {name: (runtime[name], dev[name]) for name in runtime if runtime[name] != dev[name]}
    assert differing == {}
    assert sorted((extra_names("test") | extra_names("dev")) - set(dev)) == []


def test_docker_image_installs_the_runtime_lock_only():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "-r requirements.lock" in dockerfile
    assert "requirements-dev.lock" not in dockerfile
    assert "requirements-dev.lock" in (ROOT / ".dockerignore").read_text().split()
