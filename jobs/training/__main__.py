"""``python -m jobs.training --config CONFIG.json --out DIR [--baseline]``.

Exit status: 0 completed; 2 a user error (bad config, unknown data set or model: one line
on stderr, no traceback); 143 stopped by SIGTERM (outputs written up to that point).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from .config import TrainingConfig
from .errors import ConfigError, EngineError

EXIT_USAGE = 2
EXIT_TERMINATED = 143


def main(argv: list[str] | None = None, *, config: dict[str, Any] | None = None) -> int:
    """Run the CLI; ``config`` lets a bundled script pass its embedded config directly."""
    parser = argparse.ArgumentParser(prog="python -m jobs.training", description=__doc__)
    parser.add_argument("--config", help="path to the training config (JSON)")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--baseline", action="store_true", help="plain training: gate off")
    args = parser.parse_args(argv)

    stop = threading.Event()
    # SIGTERM (the hub's cancel, a platform's pre-emption): finish the batch, write what
    # we have, exit 143. The default handler would kill us without a summary.
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if config is None:
            if not args.config:
                raise ConfigError("--config is required")
            config = _read_config(args.config)
        TrainingConfig.from_dict(config)  # fail fast, before torch is imported
        from .loop import train  # imported late: torch start-up after argument errors

        summary = train(config, args.out, baseline=args.baseline, stop_event=stop)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    finally:
        signal.signal(signal.SIGTERM, previous)
    if summary["status"] == "terminated":
        print("terminated: stopped on SIGTERM, outputs written", file=sys.stderr, flush=True)
        return EXIT_TERMINATED
    return 0


def _read_config(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {path} must hold a JSON object")
    return data


if __name__ == "__main__":
    sys.exit(main())
