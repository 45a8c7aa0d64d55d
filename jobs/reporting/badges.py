"""Shields.io-style badge images as Markdown strings (the URL is built, never fetched)."""

from __future__ import annotations

from urllib.parse import quote

from .compare import Comparison
from .formatting import co2, percent

SHIELDS = "https://img.shields.io/badge"


def _escape(part: str) -> str:
    # Shields' static badge path uses "-" as separator and "_" as space; doubling escapes.
    return quote(part.replace("-", "--").replace("_", "__"), safe="")


def badge(label: str, message: str, color: str) -> str:
    url = f"{SHIELDS}/{_escape(label)}-{_escape(message)}-{color}"
    return f"![{label}: {message}]({url})"


def _saving_color(fraction: float) -> str:
    return "brightgreen" if fraction >= 0.2 else "green" if fraction > 0 else "lightgrey"


def sustainability_badges(comparison: Comparison, energy_estimated: bool) -> list[str]:
    """Energy savings, compute savings, accuracy and CO2 avoided, in that order."""
    est = " (est.)"
    accuracy = comparison.ast.accuracy
    saving, avoided = comparison.energy_savings, comparison.co2_avoided_kg
    return [
        badge(
            "energy savings" + (est if energy_estimated else ""),
            "too short to estimate" if saving is None else percent(saving),
            "lightgrey" if saving is None else _saving_color(saving),
        ),
        badge(
            "compute savings",
            percent(comparison.compute_savings),
            _saving_color(comparison.compute_savings),
        ),
        badge("accuracy", percent(accuracy, 2) if accuracy is not None else "n/a", "blue"),
        badge(
            "CO2 avoided" + (est if energy_estimated else ""),
            "too short to estimate" if avoided is None else co2(avoided).removesuffix(" CO2e"),
            "lightgrey" if avoided is None else _saving_color(avoided),
        ),
    ]
