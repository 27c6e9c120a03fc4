"""Background jobs the window runs in a :class:`~strokescope.gui.worker.Worker`.

Each is a plain function over pipeline calls with an ``on_progress`` callback, so it can be
tested without Qt. No image processing lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from strokescope import pipeline
from strokescope.errors import StrokeScopeError
from strokescope.io import SeriesInfo
from strokescope.series_roles import Role, vessel_fraction, vessel_warning
from strokescope.volume import Volume

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class LoadedSeries:
    """Volumes loaded per role, and the one-line warnings of loading and the role checks."""

    volumes: dict[Role, Volume]
    warnings: tuple[str, ...]


def _part(on_progress: Progress | None, start: float, span: float) -> Progress | None:
    if on_progress is None:
        return None

    def report(fraction: float) -> None:
        on_progress(start + span * fraction)

    return report


def load_roles(
    series: Mapping[Role, SeriesInfo],
    *,
    check_vessels: bool = True,
    on_progress: Progress | None = None,
) -> LoadedSeries:
    """Load each role's series (``pipeline.load``); check the CTA's vessel HU if asked."""
    volumes: dict[Role, Volume] = {}
    warnings: list[str] = []
    n = max(len(series), 1)
    for step, (role, info) in enumerate(series.items()):
        vol = pipeline.load(info, on_progress=_part(on_progress, step / n, 0.8 / n))
        volumes[role] = vol
        warnings += [f"{role}: {w}" for w in vol.meta.warnings]
        if check_vessels and role == "cta":
            try:
                note = vessel_warning(role, vessel_fraction(vol))
            except StrokeScopeError as exc:
                note = str(exc)
            if note:
                warnings.append(note)
        if on_progress:
            on_progress((step + 1) / n)
    return LoadedSeries(volumes, tuple(warnings))
