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


def _dash_when_unknown(show):
    def shown(value) -> str:
        number = _number(value)
        return "—" if number is None else show(number)

    return shown


energy = register.filter("energy", _dash_when_unknown(formatting.energy))
co2 = register.filter("co2", _dash_when_unknown(formatting.co2))
usd = register.filter("usd", _dash_when_unknown(formatting.usd))
# A saving as "22.7 %" ("-4.0 %" when AST used more).
saving = register.filter("saving", _dash_when_unknown(lambda fraction: f"{fraction * 100:.1f} %"))
