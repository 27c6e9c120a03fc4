"""Header geometry outside the limits: outlier slices left out, stacks refused, never a crash."""

from __future__ import annotations

import math

import numpy as np
import pytest

from strokescope.errors import GeometryError
from strokescope.io import geometry_limits
from strokescope.io.geometry_limits import (
    MAX_GRID_VOXELS,
    check_grid_size,
    check_pixel_spacing,
    orthonormal_error,
)
from strokescope.io.stack_plan import plan_stack

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
NAMES = [f"IM{k:05d}.dcm" for k in range(10)]


def _stack(n: int = 10, step: float = 2.0, seed: int = 0) -> np.ndarray:
    """``n`` axial positions ``step`` mm apart, in a seeded random file order."""
    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 3))
    pos[:, 2] = 30.0 + step * np.arange(n)
    return pos[rng.permutation(n)]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e9])
def test_an_unusable_position_leaves_its_slice_out_by_name(bad: float) -> None:
    pos = _stack()
    pos[4, 1] = bad
    plan = plan_stack(pos, AXIAL, label="S", names=NAMES)
    assert 4 not in plan.order and len(plan.order) == 9
    assert plan.refused == "" and plan.kinds[0] == "outlier"
    assert plan.problems[0].startswith("series S: IM00004.dcm: Image Position (Patient) (0, ")
    assert plan.problems[0].endswith("; slice left out")
    assert plan.n_out <= 10  # one gap filled at most, never 5e8 slices


@pytest.mark.parametrize("moved", [(0.0, 0.0, -5000.0), (5000.0, 0.0, 0.0), (0.0, -900.0, 0.0)])
def test_an_end_slice_far_from_the_rest_is_an_outlier(moved: tuple[float, float, float]) -> None:
    pos = _stack()
    last = int(np.argmax(pos[:, 2]))
    pos[last] += moved
    plan = plan_stack(pos, AXIAL, label="S", names=NAMES)
    assert last not in plan.order and len(plan.order) == 9
    assert plan.problems[0].startswith(f"series S: {NAMES[last]} lies ")
    assert plan.problems[0].endswith(" mm from the rest of the stack; slice left out")
    assert (plan.n_out, plan.missing, plan.shifted) == (9, (), False)


def test_outlier_notes_name_slices_by_number_without_names() -> None:
    pos = _stack(3)
    pos[0, 2] = 1e9
    plan = plan_stack(pos, AXIAL, label="S")
    assert plan.problems[0].startswith("series S: slice 1: Image Position (Patient)")


def test_no_usable_position_refuses_the_series() -> None:
    pos = np.full((4, 3), math.nan)
    with pytest.raises(GeometryError, match="^series S: no slice has a usable position; refused$"):
        plan_stack(pos, AXIAL, label="S")


def _refusal(zs: list[float], shift_y_per_mm: float = 0.0) -> str:
    pos = [(0.0, shift_y_per_mm * z, z) for z in zs]
    return plan_stack(pos, AXIAL, label="S").refused


def test_a_gap_too_wide_to_interpolate_is_refused() -> None:
    small = _refusal([0, 2, 4, 6, 46, 48, 50])  # 19 missing: still interpolated
    wide = _refusal([0, 2, 4, 6, 50, 52, 54])  # 21 missing
    assert small == ""
    assert wide == (
        "series S: a gap of 21 missing slices is too wide to interpolate (limit 20); refused"
    )


def test_stacks_no_grid_can_hold_are_refused() -> None:
    assert _refusal([0.0, 40.0, 80.0]) == (
        "series S: median slice step 40 mm exceeds 20 mm; refused"
    )
    assert "sheared by 71.6 deg (limit 45)" in _refusal([0.0, 2.0, 4.0, 6.0], 3.0)
    assert _refusal([0.0, 2.0, 4.0, 6.0], 0.4) == ""  # a 21.8 deg gantry tilt


def test_a_long_regular_stack_is_refused_by_its_extent() -> None:
    zs = [-1400.0 + 10.0 * k for k in range(300)]  # 2990 mm at 10 mm
    assert _refusal(zs) == "series S: slices span 2990 mm, more than 2500 mm; refused"


@pytest.mark.parametrize(
    "orientation",
    [
        (1.0, 0.0, 0.0, 0.0, math.nan, 0.0),
        (1.0, 0.0, 0.0, 0.0, math.inf, 0.0),
        (0.0, 0.0, 0.0, 0.0, 1.0, 0.0),
        (1.0, 0.0, 0.0, 1.0, 0.0, 0.0),
        (1.0, 0.3, 0.0, 0.0, 1.0, 0.0),
        (2.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    ],
)
def test_a_degenerate_or_skewed_orientation_refuses_the_series(
    orientation: tuple[float, ...],
) -> None:
    refused = r"^series S: Image Orientation \(Patient\) \[.*refused$"
    with pytest.raises(GeometryError, match=refused):
        plan_stack(_stack(), orientation, label="S")


def _oblique(c: float) -> tuple[np.ndarray, tuple[float, ...]]:
    """Positions stepping along the normal of a 45 deg oblique plane with cosines ``c``."""
    normal = np.array([0.0, -1.0, 1.0]) / math.sqrt(2.0)
    return 2.0 * np.arange(10)[:, None] * normal, (1.0, 0.0, 0.0, 0.0, c, c)


def test_a_slightly_skewed_orientation_is_corrected_with_a_note() -> None:
    plan = plan_stack(*_oblique(0.71), label="S")  # cos 45 deg written with two decimals
    assert plan.kinds == ("orientation",)
    assert plan.problems[0] == (
        "series S: Image Orientation (Patient) [1 0 0 0 0.71 0.71] is not orthonormal "
        "(error 0.00409); corrected"
    )
    rounded = round(math.sqrt(0.5), 4)  # what a DS value and the header reader leave
    assert plan_stack(*_oblique(rounded), label="S").kinds == ()


def test_orthonormal_error() -> None:
    assert orthonormal_error([[1, 0, 0], [0, 1, 0]]) == 0.0
    assert orthonormal_error([[1, 0, 0], [1, 0, 0]]) == pytest.approx(1.0)
    assert orthonormal_error([[0, 0, 0], [0, 1, 0]]) == math.inf


@pytest.mark.parametrize("spacing", [(1e6, 1e6), (1e-9, 1e-9), (0.5, math.nan), (0.5, 0.0)])
def test_pixel_spacing_outside_the_limits_is_refused(spacing: tuple[float, float]) -> None:
    with pytest.raises(GeometryError, match=r"^series S: pixel spacing .* is outside 0\.05-10 mm"):
        check_pixel_spacing(spacing, label="series S")
    check_pixel_spacing((0.05, 10.0), label="series S")


def test_grid_size_counts_every_planned_array() -> None:
    check_grid_size((2**9, 2**10, 2**10), label="f")  # exactly the limit
    with pytest.raises(GeometryError, match=r"^f: the volume would need 300 x 1024 x 1024 and "):
        check_grid_size((300, 1024, 1024), (300, 1024, 1024), label="f")
    assert MAX_GRID_VOXELS == geometry_limits.MAX_GRID_VOXELS == 2**29
