"""Template filters that print energy, CO2, money and savings in units a person reads.

The same rules as the model card's and the compare tables' (``jobs.reporting.formatting``):
"0.518 J" and "0.0412 ¢" instead of "0.000000144 kWh" and "$0.00000".
"""

from django import template

from jobs.reporting import formatting

register = template.Library()


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@register.filter
def energy(kwh) -> str:
    value = _number(kwh)
    return "—" if value is None else formatting.energy(value)


@register.filter
def co2(kg) -> str:
    value = _number(kg)
    return "—" if value is None else formatting.co2(value)


@register.filter
def usd(amount) -> str:
    value = _number(amount)
    return "—" if value is None else formatting.usd(value)


@register.filter
def saving(fraction) -> str:
    """A saving as "22.7 %" ("-4.0 %" when AST used more); "—" when unknown."""
    value = _number(fraction)
    return "—" if value is None else f"{value * 100:.1f} %"
