"""pydantic's validation errors in the spec's own words: one sentence per field, every
field named, so the hub (a 400, a tool error, a form error) and the CLI say the same."""

from typing import Any

from pydantic import ValidationError


def describe(exc: ValidationError, *, known: Any) -> tuple[str, dict[str, list[str]]]:
    """(message, {field: [problems]}) for a failed validation; `known` lists the fields
    an unknown one is told about."""
    fields: dict[str, list[str]] = {}
    unknown: list[str] = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "spec"
        if error["type"] == "extra_forbidden":
            unknown.append(where)
            fields.setdefault(where, []).append("unknown field")
            continue
        # "Value error, auto_upload_hf needs hf_repo" -> "auto_upload_hf needs hf_repo"
        fields.setdefault(where, []).append(str(error["msg"]).removeprefix("Value error, "))
    parts = []
    if unknown:
        parts.append(f"Unknown field(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}.")
    parts.extend(
        f"{where}: {'; '.join(problems)}."
        for where, problems in fields.items()
        if where not in unknown
    )
    return " ".join(parts), fields
