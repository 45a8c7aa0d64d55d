"""What an object id can be: a positive signed 64-bit integer (the database's BIGINT).

A bigger number names nothing and would overflow the database driver's integer
conversion, so every surface bounds ids here before a query sees them."""

MAX_ID = 2**63 - 1


def non_negative_int(text: str) -> int | None:
    """`text` as an integer from 0 to MAX_ID, or None when it is anything else (signs,
    spaces, non-ASCII digits, a number past 64 bits)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
