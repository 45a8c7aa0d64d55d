"""Query-string parameters read the same way on every endpoint: absent is None; present, a
value must be what the schema says, or the request is a 400 that names the parameter."""

from asthub_site.errors import InvalidInput
from asthub_site.ids import MAX_ID, non_negative_int


def int_param(request, name: str) -> int | None:
    # An empty `?job=` is refused as the schema says, not read as absent.
    value = request.query_params.get(name)
    if value is None:
        return None
    number = non_negative_int(value)
    if number is None:
        raise InvalidInput(
            f"{name} must be a non-negative integer (at most {MAX_ID}).", fields={name: ["invalid"]}
        )
    return number


def bool_param(request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if value.lower() in {"true", "1"}:
        return True
    if value.lower() in {"false", "0"}:
        return False
    raise InvalidInput(f"{name} must be true or false.", fields={name: ["invalid"]})


def choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise InvalidInput(
            f"{name} must be one of {', '.join(choices)}.", fields={name: ["invalid"]}
        )
    return value
