"""Money and quantities written in Chinese news, parsed into numbers with units."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

MULTIPLIERS = {"千": 1_000, "万": 10_000, "亿": 100_000_000}
APPROXIMATE = ("近", "约", "余", "多", "左右")
# Units whose amount converts to a base unit; the rest (箱, 件 …) are counted as written.
UNIT_BASE = {
    "公斤": ("kg", 1.0),
    "千克": ("kg", 1.0),
    "kg": ("kg", 1.0),
    "KG": ("kg", 1.0),
    "Kg": ("kg", 1.0),
    "斤": ("kg", 0.5),
    "吨": ("kg", 1000.0),
    "元": ("CNY", 1.0),
}
NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(余|多)?\s*([千万亿]?)\s*(余|多)?\s*([^\d\s]{1,2})?")


@dataclass(frozen=True)
class Measure:
    value: float
    unit: str
    approximate: bool
    text: str


def parse_measure(text: str) -> Measure | None:
    """``1.5万公斤`` → 15000 kg; ``价值8000元`` → 8000 CNY; ``近30万元`` → ~300000 CNY; ``500箱`` → 500 箱;
    ``30多万`` → ~300000 CNY."""
    normal = unicodedata.normalize("NFKC", text).replace(",", "")
    match = NUMBER.search(normal)
    if not match:
        return None
    number, approx_before, multiplier, approx_after, unit_text = match.groups()
    approx_suffix = approx_before or approx_after
    # an amount that stops at 万 or 亿 (价值115万, 捐资30多万) is money, its 元 left out
    # 4大箱, 3小袋: the size word is no unit
    unit_text = (unit_text or "").lstrip("大小") or ("元" if multiplier else "")
    if not unit_text:  # a bare number measures nothing
        return None
    unit = next((u for u in sorted(UNIT_BASE, key=len, reverse=True) if unit_text.startswith(u)), unit_text[:1])
    base_unit, factor = UNIT_BASE.get(unit, (unit, 1.0))
    value = float(number) * MULTIPLIERS.get(multiplier, 1) * factor
    approximate = bool(approx_suffix) or any(normal.startswith(a) for a in APPROXIMATE) or "左右" in normal
    return Measure(value=value, unit=base_unit, approximate=approximate, text=text)


def plain_number(value: float) -> str:
    """A parsed value as text without exponent or trailing zeros: 3e6 → "3000000", 0.5 → "0.5", 60000.0 → "60000"."""
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
