"""Window/level presets (width/level in HU) from CLINICAL_VALUES; users may edit and add."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from strokescope.errors import InputError


@dataclass(frozen=True)
class WindowPreset:
    """A named display window: ``width`` and ``level`` (centre) in HU."""

    name: str
    width: float
    level: float

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("window preset needs a name")
        if not 1.0 <= self.width <= 10000.0:
            raise InputError(f"window preset {self.name!r}: width {self.width} not in 1..10000 HU")
        if not -2000.0 <= self.level <= 5000.0:
            raise InputError(
                f"window preset {self.name!r}: level {self.level} not in -2000..5000 HU"
            )

    @property
    def label(self) -> str:
        return f"{self.name} {self.width:g}/{self.level:g}"


DEFAULT_PRESETS: tuple[WindowPreset, ...] = (
    WindowPreset("Brain", 80, 40),
    WindowPreset("Stroke", 40, 40),
    WindowPreset("Narrow", 8, 32),
    WindowPreset("Subdural", 200, 80),
    WindowPreset("CTA", 600, 150),
    WindowPreset("CTA MIP", 380, 120),
    WindowPreset("Bone", 2500, 480),
)


def presets_to_json(presets: Sequence[WindowPreset]) -> str:
    return json.dumps([[p.name, p.width, p.level] for p in presets])


def presets_from_json(text: str) -> tuple[WindowPreset, ...]:
    """Presets stored by :func:`presets_to_json`; the defaults when ``text`` is empty or bad."""
    try:
        rows = json.loads(text) if text else []
        presets = tuple(WindowPreset(str(n), float(w), float(c)) for n, w, c in rows)
    except (ValueError, TypeError, InputError):
        return DEFAULT_PRESETS
    return presets or DEFAULT_PRESETS
