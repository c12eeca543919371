"""Draw the installable app's icons (static/img/icons/*.png) from the favicon's design.

static/img/favicon.svg is a 32x32 drawing: a green rounded square, a white "F" and a
yellow dot. This script redraws it with Pillow at 192 and 512 px (rounded corners, for
"any" purpose) and as a 512 px maskable icon (the square fills the canvas and the
drawing sits inside the central safe circle, 80% of the width, so any mask shape keeps it).

    .venv/bin/python scripts/make_pwa_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "img" / "icons"
GREEN = "#1f6f5c"
YELLOW = "#f2c14e"
WHITE = "#ffffff"
# The favicon's "F" (its SVG path, in the 32-unit box) and its dot.
LETTER = [(9, 23), (9, 9), (22, 9), (22, 12.2), (12.8, 12.2), (12.8, 14.9), (20.8, 14.9),
          (20.8, 18), (12.8, 18), (12.8, 23)]
DOT = (23.5, 21.5, 2.5)
SUPERSAMPLE = 4  # draw 4x larger, then shrink: smooth edges without an SVG renderer


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = big / 32
    if maskable:
        draw.rectangle((0, 0, big, big), fill=GREEN)
        scale, offset = 0.8, big * 0.1  # the drawing in the central 80%
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=7 * unit, fill=GREEN)
        scale, offset = 1.0, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * unit * scale, offset + y * unit * scale

    draw.polygon([at(x, y) for x, y in LETTER], fill=WHITE)
    cx, cy, radius = DOT
    (left, top), (right, bottom) = at(cx - radius, cy - radius), at(cx + radius, cy + radius)
    draw.ellipse((left, top, right, bottom), fill=YELLOW)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
    ):
        draw_icon(size, maskable=maskable).save(ICONS / name, optimize=True)
        print(ICONS / name)


if __name__ == "__main__":
    main()
