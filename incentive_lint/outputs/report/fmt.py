"""Number formats shared by the report's renderers, so that every output prints the same figure."""
from __future__ import annotations

MINUS = "\u2212"


def pct(fraction: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.65 -> '65%', 0.0771 -> '7.7%', 0.0001 -> '<0.1%'."""
    if fraction is None:
        return "–"
    value = fraction * 100
    if value != 0 and abs(value) < 0.5 * 10 ** -digits:
        return f"<{10 ** -digits:g}%" if value > 0 else f">-{10 ** -digits:g}%"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return f"{text}%"


def points(delta: float) -> str:
    """A difference of two fractions in percentage points, signed: '+12.3 pts', '−42.3 pts'."""
    value = round(delta * 100, 1)
    if value == 0:
        return "±0 pts"
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    sign = "+" if value > 0 else MINUS
    return f"{sign}{text} pts"


def score(value: float | None) -> str:
    """A divergence score with two decimals (the precision rules print)."""
    return "–" if value is None else f"{value:.2f}"


def money(amount: float, currency: str = "") -> str:
    """An amount in full, with its currency when there is one: 'EUR 5,190,000'."""
    text = f"{amount:,.0f}"
    return f"{currency} {text}" if currency else text


def money_short(amount: float, currency: str = "") -> str:
    """A compact amount for headlines and chart labels: 'EUR 5.19 m', 'EUR 440 k'."""
    if abs(amount) >= 1_000_000:
        text = f"{amount / 1_000_000:.2f} m"
    elif abs(amount) >= 10_000:
        text = f"{amount / 1_000:.0f} k"
    else:
        text = f"{amount:,.0f}"
    return f"{currency} {text}" if currency else text
