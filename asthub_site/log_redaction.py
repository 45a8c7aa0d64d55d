"""Secrets that travel in URLs never reach a log line.

A share link's token is its path (`/share/asthub_share_...`), and so is a password-reset
token (`/password/reset/<uid>/<token>/`). Every access log line would otherwise keep them,
readable by whoever reads the logs, for as long as the logs are kept. This filter rewrites
them in the message and its arguments before any handler formats the record: on the
hub's own console handler (settings.LOGGING) and on the web server's handlers (uvicorn's
access and error logs, installed when the app loads)."""

import logging
import re

# Hub tokens by their prefixes (API, OAuth, share), 43 URL-safe characters after it.
_HUB_TOKEN = re.compile(r"\b(asthub_(?:share_|oat_|ort_)?)[A-Za-z0-9_-]{40,}")
# Django's reset link; after its first use the view swaps the token for "set-password".
_RESET_TOKEN = re.compile(r"(/password/reset/[^/\s]+/)(?!set-password/)[^/\s?#\"']+")
REDACTED = "[redacted]"

# Loggers whose handlers the web server sets up itself, outside settings.LOGGING.
SERVER_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    text = _HUB_TOKEN.sub(lambda match: match.group(1) + REDACTED, text)
    return _RESET_TOKEN.sub(lambda match: match.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                key: redact(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        return True


def install_on_server_handlers() -> None:
    """Add the filter to every handler of the web server's loggers (idempotent)."""
    for name in SERVER_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
                handler.addFilter(RedactSecrets())
