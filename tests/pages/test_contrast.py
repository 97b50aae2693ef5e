"""The pages' colours keep text at a contrast of at least 7:1 (WCAG AAA) on what it sits on."""

from __future__ import annotations

import re
from pathlib import Path

from registry.pages import charts

CSS = (Path(__file__).resolve().parents[2] / "registry" / "pages" / "static" / "site.css").read_text()
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", CSS))
WHITE = "#ffffff"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_on_the_page_backgrounds_is_at_least_7_to_1():
    for text in ("ink", "muted", "link"):
        for background in (WHITE, COLOURS["bg-soft"]):
            assert contrast(COLOURS[text], background) >= 7, (text, background)


def test_white_text_on_the_header_buttons_and_badges_is_at_least_7_to_1():
    assert contrast(WHITE, COLOURS["accent"]) >= 7 and contrast(WHITE, COLOURS["ok"]) >= 7


def test_chart_bars_and_labels_stand_out_from_white():
    assert contrast(charts.BAR, WHITE) >= 7 and contrast(charts.TEXT, WHITE) >= 7
