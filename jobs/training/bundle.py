"""One self-contained Python file that runs the engine (for Kaggle kernels and HF Jobs).

The script embeds the source of every engine module and a meta-path importer that serves
them as the package ``jobs.training``, so the code that runs remotely is byte for byte the
code that runs locally and relative imports work unchanged. It needs only torch and numpy
(plus whatever the chosen data set or model needs).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .config import load_config

PACKAGE = "jobs.training"
MODULES = (
    "__init__",
    "errors",
    "contract",
    "config",
    "gate",
    "sampling",
    "accounting",
    "vision",
    "tabular",
    "submission",
    "data",
    "models",
    "outputs",
    "checkpoint",
    "loop",
    "bundle",
    "__main__",
)

_TEMPLATE = '''#!/usr/bin/env python3
"""AST training engine {version}, bundled. Run: python THIS.py [--out DIR] [--baseline]"""
import importlib.abc
import importlib.util
import json
import sys

SOURCES = json.loads({sources!r})
CONFIG = json.loads({config!r})


class _EmbeddedEngine(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "jobs" or fullname.startswith("jobs.training"):
            is_pkg = fullname in ("jobs", "jobs.training")
            return importlib.util.spec_from_loader(fullname, self, is_package=is_pkg)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        if name == "jobs":
            return
        short = "__init__" if name == "jobs.training" else name.rsplit(".", 1)[1]
        code = compile(SOURCES[short], "<bundled jobs/training/" + short + ".py>", "exec")
        exec(code, module.__dict__)


sys.meta_path.insert(0, _EmbeddedEngine())

if __name__ == "__main__":
    from jobs.training.__main__ import main

    argv = sys.argv[1:]
    if "--out" not in argv:
        argv += ["--out", "ast_output"]
    sys.exit(main(argv, config=CONFIG))
'''


def module_sources() -> dict[str, str]:
    here = Path(__file__).resolve().parent
    return {name: (here / f"{name}.py").read_text(encoding="utf-8") for name in MODULES}


def build_script(config: dict[str, Any]) -> str:
    """Source of a standalone script that trains with ``config`` (validated here)."""
    from . import ENGINE_VERSION

    checked = load_config(config).to_dict()
    return _TEMPLATE.format(
        version=ENGINE_VERSION,
        sources=json.dumps(module_sources(), sort_keys=True),
        config=json.dumps(checked, sort_keys=True),
    )


def script_sha256(source: str) -> str:
    """Digest of a bundled script, recorded with a job so a run can be reproduced."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()
