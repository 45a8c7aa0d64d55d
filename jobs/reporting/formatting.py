"""Number and text formatting shared by tables, cards and badges.

Values range from a CPU run's 0.00004 kWh to a GPU week's 300 kWh, so fixed decimals either
print 0.00 or noise; three significant figures, never scientific notation, read well in
both a README and a paper.
"""

from __future__ import annotations

import math
import re

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def sig(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures in plain decimal notation."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = min(max(digits - 1 - magnitude, 0), 12)
    return f"{value:,.{decimals}f}"


def signed(text: str, value: float) -> str:
    return text if value < 0 or text.startswith("-") else "+" + text


def percent(fraction: float, decimals: int = 1) -> str:
    return f"{fraction * 100:.{decimals}f}%"


def duration(hours: float) -> str:
    """Human duration; CPU demo runs take seconds, GPU runs hours."""
    seconds = hours * 3600.0
    if abs(seconds) < 120:
        return f"{seconds:.1f} s"
    if abs(seconds) < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{hours:.2f} h"


def usd(value: float) -> str:
    """Cents below a dollar ("0.0412 ¢" reads, "$0.00000" does not), else dollars; below
    a thousandth of a cent (a CPU demo run's electricity) only the bound is worth reading."""
    if abs(value) < 1e-5:
        return "0 ¢" if value == 0 else "<0.001 ¢"
    if abs(value) < 1:
        return f"{sig(value * 100)} ¢"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


# (below this, multiply by, unit) from the smallest unit up; the last one always applies.
_ENERGY_UNITS = ((1e-3, 3.6e6, "J"), (1.0, 1e3, "Wh"), (math.inf, 1.0, "kWh"))
_CO2_UNITS = ((1e-3, 1e6, "mg CO2e"), (1.0, 1e3, "g CO2e"), (math.inf, 1.0, "kg CO2e"))


def _in_unit(value: float, units: tuple[tuple[float, float, str], ...]) -> str:
    _, factor, unit = next(step for step in units if abs(value) < step[0])
    return f"{sig(value * factor)} {unit}"


def energy(kwh: float) -> str:
    """Joules below a watt-hour, watt-hours below a kilowatt-hour, else kilowatt-hours."""
    return _in_unit(kwh, _ENERGY_UNITS)


def co2(kg: float) -> str:
    """Milligrams below a gram, grams below a kilogram, else kilograms (CO2-equivalent)."""
    return _in_unit(kg, _CO2_UNITS)


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], text)


def md_inline(text: str) -> str:
    """User text made safe for one line of Markdown (a heading, a table cell).

    Newlines would let a run name start its own heading or front-matter block, ``|`` would
    split a table cell and raw HTML would render on the Hub, so all three are neutralised.
    """
    flat = " ".join(str(text).split())
    flat = flat.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return flat.replace("<", "&lt;").replace(">", "&gt;")


def code_fence(body: str) -> str:
    """A backtick fence longer than any backtick run in ``body``, so it cannot be closed."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def slug(text: str) -> str:
    """A Hub tag: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "unknown"
