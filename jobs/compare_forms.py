"""Which runs a compare request names: `?run=1&run=2&run=3`, two to eight of them."""

from asthub_site.errors import InvalidInput
from asthub_site.ids import non_negative_int

# More lines than this make the table and the curves unreadable.
MAX_COMPARED = 8


def selected_run_ids(values: list[str]) -> list[int]:
    """The run ids in the order given, each once; a clear refusal for anything else."""
    ids: list[int] = []
    for value in values:
        run_id = non_negative_int(value.strip())
        if not run_id:
            raise InvalidInput(f"“{value[:40]}” is not a run number.")
        if run_id not in ids:
            ids.append(run_id)
    if len(ids) < 2:
        raise InvalidInput("Select at least two runs to compare.")
    if len(ids) > MAX_COMPARED:
        raise InvalidInput(
            f"Compare at most {MAX_COMPARED} runs at a time; {len(ids)} were selected."
        )
    return ids
