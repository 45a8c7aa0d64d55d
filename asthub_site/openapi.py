"""Schema post-processing: document the one error shape on every operation.

Views only declare their success responses; the errors they can answer with come from
the shared exception handler, so they are added here once rather than on every view.
"""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "example": "provider: This field is required."},
                "fields": {"type": "object", "additionalProperties": True},
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "Invalid input (unknown fields included); nothing was changed.",
    "401": "Missing, malformed, revoked or expired token.",
    "403": "The token lacks a scope, or the plan's quota is used up.",
    "404": "No such object (objects of other accounts do not exist for you), or no such page.",
    "405": "Method not allowed on this path.",
    "409": "Conflicts with an existing object.",
    "413": "Request body too large.",
    "415": "Only application/json bodies are accepted.",
    "429": "Over the plan's request rate; see Retry-After.",
}


def _error_codes(method: str, path: str, operation: dict) -> list[str]:
    # Any operation can name an object (in its path, query or body) or a page that does
    # not exist for the caller.
    codes = ["401", "403", "404", "405", "429"]
    if "requestBody" in operation or operation.get("parameters"):
        codes.append("400")
    if "requestBody" in operation:
        codes += ["413", "415"]
    if method == "post":
        codes.append("409")
    return codes


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, path, operation):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
