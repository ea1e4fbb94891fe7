# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Colour contrast after WCAG 2.1 (P19 branding): the portal's colours must stay readable.

Pure functions, no database: a colour is a CSS hex string (``#0f5132`` or ``#fff``)."""

import re

# WCAG 2.1 AA: 4.5:1 for normal text (1.4.3), 3:1 for large text and graphical objects (1.4.11).
AA_TEXT = 4.5
AA_GRAPHICS = 3.0
WHITE = '#ffffff'

_HEX_RE = re.compile(r'^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$')


def normalize_hex(color):
    """``color`` as ``#rrggbb`` in lowercase, or None when it is not a CSS hex colour.

    Only this form reaches a page's CSS: anything else (names, functions, ``;`` or ``}``) is refused."""
    if not isinstance(color, str):
        return None
    color = color.strip()
    if not _HEX_RE.match(color):
        return None
    digits = color[1:].lower()
    if len(digits) == 3:
        digits = ''.join(c * 2 for c in digits)
    return '#' + digits


def hex_to_rgb(color):
    """(r, g, b) in 0-255 of a hex colour; ValueError when it is not one."""
    normalized = normalize_hex(color)
    if not normalized:
        raise ValueError(f"not a hex colour: {color!r}")
    return tuple(int(normalized[i : i + 2], 16) for i in (1, 3, 5))


def rgb_to_hex(rgb):
    return '#' + ''.join(f'{max(0, min(255, round(c))):02x}' for c in rgb)


def relative_luminance(color):
    """The relative luminance of a colour, 0 (black) to 1 (white), as WCAG 2.1 defines it."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background):
    """The contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lum_a, lum_b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(lum_a, lum_b), min(lum_a, lum_b)
    return (lighter + 0.05) / (darker + 0.05)


def is_readable(color, background=WHITE, minimum=AA_TEXT):
    """Whether ``color`` reaches ``minimum`` contrast against ``background`` (False for no colour)."""
    return bool(normalize_hex(color)) and contrast_ratio(color, background) >= minimum


def shade(color, amount):
    """``color`` mixed with black by ``amount`` (0-1): the same hue, darker."""
    return rgb_to_hex(c * (1 - amount) for c in hex_to_rgb(color))


def readable_color(color, background=WHITE, minimum=AA_TEXT):
    """``color`` itself when it is readable against ``background``, else the lightest of its darker shades
    (steps of 5 %) that is: the hue stays, the page stays readable. None when ``color`` is not a colour.
    Only for light backgrounds (the portal's is white): black always reaches 21:1 there."""
    normalized = normalize_hex(color)
    if not normalized:
        return None
    for step in range(21):
        candidate = shade(normalized, step / 20)
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return '#000000'
