"""Colours of the findings, the same in the viewer's overlays and the PDF's key images.

Thrombus yellow-orange (it stays visible against white contrast-filled arteries and bone on
a CTA), haemorrhage red (on the grey brain of an NCCT), brain mask cyan, the arterial tree
(research, when traced) magenta.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

THROMBUS: RGB = (255, 196, 0)
HEMORRHAGE: RGB = (235, 45, 45)
BRAIN: RGB = (0, 220, 255)
ARTERIES: RGB = (235, 80, 235)

FINDING_COLORS: dict[str, RGB] = {
    "thrombus": THROMBUS,
    "hemorrhage": HEMORRHAGE,
    "brain": BRAIN,
    "arteries": ARTERIES,
}
