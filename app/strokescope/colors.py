"""Colours of the findings, the same in the viewer's overlays and the PDF's key images.

Thrombus yellow-orange (it stays visible against white contrast-filled arteries and bone on
a CTA), haemorrhage red (on the grey brain of an NCCT), brain mask cyan, the arterial tree
(research, when traced) magenta, or in the viewer one colour per TopCoW class
(:data:`SEGMENT_COLORS`), none of them the thrombus's or the haemorrhage's.
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

SEGMENT_COLORS: dict[str, RGB] = {
    "ICA": ARTERIES,
    "M1": (70, 140, 255),
    "M2": (140, 210, 255),
    "A1": (40, 200, 90),
    "A2": (150, 235, 120),
    "Acom": (0, 150, 140),
    "Pcom": (255, 150, 200),
    "BA": (150, 100, 255),
    "P1": (200, 170, 255),
    "P2": (120, 120, 200),
}
"""One colour per TopCoW class [TopCoW] (both sides alike: the side is where it lies)."""
