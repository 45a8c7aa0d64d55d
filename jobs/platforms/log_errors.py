"""The few lines of a remote run's log that say why it failed.

A platform's own word on a failed run is usually "the kernel ended with an error"; the
reason is in the log the hub has already read. A Python traceback's last frames and its
final exception line are what a person needs, trimmed so the failure reason stays
readable on every surface (a status line, a tool answer, the portal).
"""

from collections.abc import Iterable

from jobs.training.contract import parse_metric_line

TRACEBACK_START = "Traceback (most recent call last):"
MAX_ERROR_LINES = 8
MAX_ERROR_CHARS = 1000


def last_error_lines(
    lines: Iterable[str], *, max_lines: int = MAX_ERROR_LINES, max_chars: int = MAX_ERROR_CHARS
) -> str:
    """The end of the last traceback in `lines` (up to its exception line), or, with no
    traceback, the last lines; metric lines and blank lines left out. "" when none."""
    kept = [line.rstrip() for line in lines if line.strip() and parse_metric_line(line) is None]
    starts = [i for i, line in enumerate(kept) if line.lstrip().startswith(TRACEBACK_START)]
    if starts:
        start = starts[-1]
        # The frames are indented; the first line back at the margin is the exception.
        end = next(
            (i for i in range(start + 1, len(kept)) if not kept[i][:1].isspace()),
            len(kept) - 1,
        )
        window = kept[max(start, end - max_lines + 1) : end + 1]
    else:
        window = kept[-max_lines:]
    text = "\n".join(window)
    if len(text) > max_chars:
        # The end matters most: it names the exception.
        text = "…" + text[-(max_chars - 1) :]
    return text
