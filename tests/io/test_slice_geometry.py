"""plan_stack / resample_stack on bare positions and arrays (no DICOM)."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.io.slice_geometry import output_geometry, resample_stack, shift_plane
from strokescope.io.stack_plan import StackPlan, image_axes, plan_stack

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def _plan(zs: list[float], tie_break: list[int] | None = None) -> StackPlan:
    return plan_stack([(0.0, 0.0, z) for z in zs], AXIAL, label="S", tie_break=tie_break)


def test_sorts_by_position_along_the_normal_not_by_input_order() -> None:
    rng = np.random.default_rng(3)
    zs = list(rng.permutation(np.arange(10) * 1.5))
    plan = _plan(zs)
    assert [zs[i] for i in plan.order] == sorted(zs)
    assert plan.problems == ()
    assert plan.step_out == pytest.approx(1.5)


def test_normal_follows_orientation_not_lps_z() -> None:
    # Columns run towards the feet: the normal row x col points to -z, so z descends.
    orient = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
    _, _, normal = image_axes(orient)
    assert np.allclose(normal, (0.0, 1.0, 0.0))
    plan = plan_stack([(0.0, y, 0.0) for y in (5.0, -5.0, 0.0)], orient, label="S")
    assert list(plan.order) == [1, 2, 0]


def test_one_gap_and_a_three_slice_gap_are_counted() -> None:
    plan = _plan([0, 2, 4, 8, 10, 12, 20, 22])
    assert [m[2] for m in plan.missing] == [1, 3]
    assert plan.problems[1] == "series S: 3 slice(s) missing between z=12.0 and z=20.0 mm"
    assert plan.n_out == 12


def test_a_run_of_larger_steps_is_non_uniform_spacing_not_gaps() -> None:
    plan = _plan([0, 1, 2, 3, 4, 5, 7, 9, 11, 13])
    assert plan.missing == ()
    assert plan.non_uniform == (1.0, 2.0)
    assert (plan.n_out, plan.step_out) == (14, pytest.approx(1.0))


def test_duplicates_keep_the_lowest_tie_break() -> None:
    plan = _plan([0, 1, 1, 2], tie_break=[1, 9, 3, 4])
    assert list(plan.order) == [0, 2, 3]
    assert "1 duplicate slice position(s) (first at z=1.0 mm)" in plan.problems[0]


def test_tilt_angle_from_positions() -> None:
    t = np.radians(12.0)
    pos = [(0.0, k * 2.0 * np.tan(t), k * 2.0) for k in range(6)]
    plan = plan_stack(pos, AXIAL, label="S")
    assert plan.tilt_deg == pytest.approx(12.0, abs=1e-6)
    assert plan.shifted and plan.kinds == ("tilt",)


def test_shift_plane_moves_content_by_a_fraction_of_a_pixel() -> None:
    img = np.zeros((9, 9), np.float32)
    img[4, 4] = 100.0
    out = shift_plane(img, 1.25, -2.0, fill=0.0)
    ys, xs = np.nonzero(out)
    centroid = (np.sum(ys * out[ys, xs]) / out.sum(), np.sum(xs * out[ys, xs]) / out.sum())
    assert centroid == pytest.approx((5.25, 2.0))
    assert out.sum() == pytest.approx(100.0)


def test_resample_interpolates_missing_slices_linearly() -> None:
    zs = [0.0, 2.0, 4.0, 10.0, 12.0]
    stack = np.stack([np.full((3, 4), 7.0 * z, np.float32) for z in zs])
    plan = _plan(zs)
    out = resample_stack(stack, plan, (1.0, 1.0))
    assert out.shape == (7, 3, 4)
    assert np.allclose(out[:, 0, 0], 7.0 * np.arange(0, 13, 2.0))


def test_sheared_stack_grid_is_widened_and_orthonormal() -> None:
    pos = [(0.0, -k * 1.0, k * 2.0) for k in range(5)]  # 4 mm drift over the stack
    plan = plan_stack(pos, AXIAL, label="S")
    geom = output_geometry(plan, pos[0], AXIAL, (0.5, 0.5), (10, 10))
    assert geom.is_orthogonal
    assert geom.shape == (5, 18, 10)
    assert geom.origin[1] == pytest.approx(-4.0)
