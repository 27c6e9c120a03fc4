"""A study folder opened for analysis: its series, the role of each, their volumes.

"Study folder -> roles -> volumes" lives here once; the CLI, the viewer and batch runs
reach it through :func:`strokescope.pipeline.open_study` and
:func:`strokescope.pipeline.load_roles`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from strokescope.errors import StrokeScopeError
from strokescope.io import FolderScan, SeriesInfo, load_series, pick_series, scan_source
from strokescope.series_roles import ROLE_NAMES, Role, assign_roles, vessel_fraction, vessel_warning
from strokescope.volume import Volume

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class LoadedSeries:
    """Volumes loaded per role, and the one-line warnings of loading and the role checks."""

    volumes: dict[Role, Volume]
    warnings: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class OpenedStudy:
    """A scanned study folder with its chosen series and their volumes.

    ``choices`` says, per role, which series was taken and why (the header rule or the
    user's pick), e.g. ``"Baseline NCCT: <description> (<reason>)"``.
    """

    scan: FolderScan
    series: dict[Role, SeriesInfo]
    loaded: LoadedSeries
    choices: tuple[str, ...] = field(default=())

    @property
    def volumes(self) -> dict[Role, Volume]:
        return self.loaded.volumes

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.scan.warnings) + self.loaded.warnings


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
    """Load each role's series; check that the CTA shows contrast-filled arteries."""
    volumes: dict[Role, Volume] = {}
    warnings: list[str] = []
    n = max(len(series), 1)
    for step, (role, info) in enumerate(series.items()):
        vol = load_series(info, on_progress=_part(on_progress, step / n, 0.8 / n))
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


def open_study(
    folder: str | Path,
    *,
    roles: tuple[Role, ...] = ("baseline", "cta"),
    picks: Mapping[Role, str] | None = None,
    check_vessels: bool = True,
    on_progress: Progress | None = None,
) -> OpenedStudy:
    """Scan ``folder``, choose a series per role and load them.

    ``picks`` overrides the header rules for a role with a series named as
    :func:`strokescope.io.pick_series` accepts (row number, key, UID or description).
    A role without a series is left out; the caller decides whether it may be missing.
    """
    found = scan_source(folder, on_progress=_part(on_progress, 0.0, 0.2))
    auto = assign_roles(found.series)
    chosen: dict[Role, SeriesInfo] = {}
    choices: list[str] = []
    for role in roles:
        wanted = (picks or {}).get(role)
        info: SeriesInfo | None
        if wanted is not None:
            info, reason = pick_series(found, wanted), f"picked as {wanted}"
        else:
            info, reason = getattr(auto, role), auto.reason(role)
        if info is not None:
            chosen[role] = info
            choices.append(f"{ROLE_NAMES[role]}: {info.description} ({reason})")
    loaded = load_roles(
        chosen, check_vessels=check_vessels, on_progress=_part(on_progress, 0.2, 0.8)
    )
    return OpenedStudy(found, chosen, loaded, tuple(choices))
