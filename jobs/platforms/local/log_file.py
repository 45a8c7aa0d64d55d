"""Reading a local run's `engine.log`: the engine's stdout and stderr, as its worker wrote
them into the run's folder."""

from jobs.platforms.base import RunLog
from jobs.platforms.local.folders import LOG_FILE, job_dir

# A run that printed more than this is read from its end: a page shows a tail, and a
# follower asks for what came after a recent cursor.
MAX_READ_BYTES = 4 << 20
_CHUNK = 1 << 20


def read_engine_log(job_id: int, *, max_bytes: int = MAX_READ_BYTES) -> RunLog:
    """The log so far ("" before the engine started); line numbers stay those of the whole
    file when only its end is read."""
    path = job_dir(job_id) / LOG_FILE
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            start = max(0, size - max_bytes)
            skipped = _newlines_before(handle, start)
            handle.seek(max(0, start - 1))
            at_line_start = start == 0 or handle.read(1) == b"\n"
            data = handle.read(size - start)
    except FileNotFoundError:
        return RunLog(source="engine")
    if not at_line_start:
        # Start at a line boundary: the rest of a line cut in two is left out.
        data = data.partition(b"\n")[2]
        skipped += 1
    return RunLog(
        source="engine", text=data.decode("utf-8", errors="replace"), skipped_lines=skipped
    )


def _newlines_before(handle, offset: int) -> int:
    """How many lines end before `offset` (counted in chunks: never the whole file in memory)."""
    handle.seek(0)
    count = 0
    while handle.tell() < offset:
        chunk = handle.read(min(_CHUNK, offset - handle.tell()))
        if not chunk:
            break
        count += chunk.count(b"\n")
    return count
