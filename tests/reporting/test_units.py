"""Energy, CO2 and money in units a person reads, on every surface that prints them."""

import pytest

from jobs.reporting.formatting import co2, energy, usd
from jobs.templatetags import units


@pytest.mark.parametrize(
    ("kwh", "shown"),
    [
        (0.000000144, "0.518 J"),  # a 4-epoch digits run printed "0.000000144 kWh"
        (0.0000446, "161 J"),
        (0.0124, "12.4 Wh"),
        (3.07, "3.07 kWh"),
        (1234.6, "1,235 kWh"),
    ],
)
def test_energy_is_shown_in_joules_watt_hours_or_kilowatt_hours_by_size(kwh, shown):
    assert energy(kwh) == shown


@pytest.mark.parametrize(
    ("kg", "shown"),
    [(0.0000000446, "0.0446 mg CO2e"), (0.0000446, "44.6 mg CO2e"), (0.0123, "12.3 g CO2e"),
     (2.5, "2.50 kg CO2e")],
)  # fmt: skip
def test_co2_is_shown_in_milligrams_grams_or_kilograms_by_size(kg, shown):
    assert co2(kg) == shown


@pytest.mark.parametrize(
    ("dollars", "shown"),
    [(0.0000004, "<0.001 ¢"), (-0.0000004, "<0.001 ¢"), (0, "0 ¢"), (0.000412, "0.0412 ¢"),
     (0.375, "37.5 ¢"), (12.4, "$12.40"), (-0.002, "-0.200 ¢"), (-3.5, "-$3.50")],
)  # fmt: skip
def test_money_is_shown_in_cents_below_a_dollar(dollars, shown):
    assert usd(dollars) == shown


def test_template_filters_print_a_dash_for_unknown_figures():
    assert units.energy(None) == units.co2(None) == units.usd(None) == "—"
    assert units.saving(None) == "—"
    assert units.saving(-0.04) == "-4.0 %" and units.saving(0.2273) == "22.7 %"
