"""Query-string parameters read the same way on every endpoint: absent is None; present, a
value must be what the schema says, or the request is a 400 that names the parameter."""

from asthub_site.errors import InvalidInput

# The database's largest id (a signed 64-bit BIGINT): a bigger number names nothing and
# would overflow the driver's integer conversion.
MAX_ID = 2**63 - 1


def non_negative_int(text: str) -> int | None:
    """`text` as an integer from 0 to MAX_ID, or None when it is anything else (signs,
    spaces, non-ASCII digits, a number past 64 bits)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


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
