"""REST's field names from before the surfaces shared one set, kept beside the shared
names for one release (README, "Renamed fields"), so that scripts written against them
keep working while they move over. MCP never had them."""

from typing import Any


def with_old_names(data: dict[str, Any], old_names: dict[str, str]) -> dict[str, Any]:
    """`data` plus each old name (key) holding the value of its shared name (value)."""
    return data | {old: data[new] for old, new in old_names.items()}
