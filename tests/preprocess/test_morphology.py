"""Binary morphology: ITK-equal ball erosion/dilation, in-plane closing, hole filling and
connected components."""

from __future__ import annotations

import numpy as np
import pytest
import SimpleITK as sitk

from strokescope.preprocess.morphology import (
    ball_offsets,
    close_in_plane,
    components,
    dilate_ball,
    erode_ball,
    fill_holes_in_plane,
    largest_component,
)


def _itk_closing(mask: np.ndarray, radius: int) -> np.ndarray:
    image = sitk.GetImageFromArray(mask.astype(np.uint8))
    out = sitk.BinaryMorphologicalClosing(image, [radius, radius, 0], sitk.sitkBall, 1, True)
    return sitk.GetArrayFromImage(out) > 0


def test_disc_is_itk_ball_of_radius_4() -> None:
    assert len(ball_offsets((0, 4, 4))) == 69  # ITK's 2-D ball of radius 4
    single = np.zeros((1, 15, 15), np.uint8)
    single[0, 7, 7] = 1
    itk = sitk.GetArrayFromImage(
        sitk.BinaryDilate(sitk.GetImageFromArray(single), [4, 4, 0], sitk.sitkBall)
    )
    ours = {(7 + dy, 7 + dx) for _, dy, dx in ball_offsets((0, 4, 4))}
    assert ours == set(zip(*np.nonzero(itk[0]), strict=True))


@pytest.mark.parametrize(("radius", "density"), [(4, 0.3), (4, 0.05), (2, 0.5), (1, 0.2)])
def test_closing_equals_simpleitk_filter(radius: int, density: float) -> None:
    rng = np.random.default_rng(radius * 100 + int(density * 100))
    mask = rng.random((5, 60, 47)) < density
    assert np.array_equal(close_in_plane(mask, radius), _itk_closing(mask, radius))


def test_closing_does_not_act_across_slices() -> None:
    mask = np.zeros((3, 20, 20), bool)
    mask[0, 5:15, 5:15] = True
    mask[2, 5:15, 5:15] = True
    assert not close_in_plane(mask, 4)[1].any()


def test_fill_holes_is_per_slice() -> None:
    mask = np.zeros((3, 12, 12), bool)
    mask[1, 2:10, 2:10] = True
    mask[1, 4:8, 4:8] = False  # a hole in slice 1
    mask[2, 0:6, 0:6] = True
    mask[2, 0:3, 0:3] = False  # open to the crop edge: not a hole
    out = fill_holes_in_plane(mask)
    assert out[1, 4:8, 4:8].all()
    assert not out[2, 0:3, 0:3].any()
    assert not out[0].any()


@pytest.mark.parametrize("radius", [(2, 2, 2), (0, 2, 2), (1, 1, 0), (1, 3, 2)])
def test_erosion_and_dilation_equal_simpleitk(radius: tuple[int, int, int]) -> None:
    rng = np.random.default_rng(sum(radius))
    z, y, x = np.mgrid[:20, :30, :25]
    head = ((z - 10) / 9) ** 2 + ((y - 15) / 13) ** 2 + ((x - 12) / 11) ** 2 < 1
    mask = head & (rng.random(head.shape) < 0.95)
    mask[:, :, 0] = True  # touching the array edge: the boundary conditions must match ITK's
    image = sitk.GetImageFromArray(mask.astype(np.uint8))
    itk_radius = list(radius[::-1])
    eroded = sitk.GetArrayFromImage(sitk.BinaryErode(image, itk_radius, sitk.sitkBall, 0, 1))
    dilated = sitk.GetArrayFromImage(sitk.BinaryDilate(image, itk_radius, sitk.sitkBall, 0, 1))
    assert np.array_equal(erode_ball(mask, radius), eroded > 0)
    assert np.array_equal(dilate_ball(mask, radius), dilated > 0)
    assert erode_ball(mask, radius).sum() < mask.sum() < dilate_ball(mask, radius).sum()


def test_components_six_and_twenty_six_connected() -> None:
    mask = np.zeros((3, 4, 4), bool)
    mask[0, 0, 0] = mask[1, 1, 1] = True  # corner neighbours
    mask[2, 3, 0:2] = True
    labels, n = components(mask)
    assert n == 2 and labels[0, 0, 0] == labels[1, 1, 1] == 1 and labels[2, 3, 1] == 2
    assert components(mask, fully_connected=False)[1] == 3


@pytest.mark.parametrize("fully_connected", [False, True])
def test_largest_component_equals_itk_relabel(fully_connected: bool) -> None:
    rng = np.random.default_rng(int(fully_connected))
    for density in (0.1, 0.25, 0.4):  # small masks: many components of equal size
        mask = rng.random((6, 7, 8)) < density
        image = sitk.ConnectedComponent(
            sitk.GetImageFromArray(mask.astype(np.uint8)), fully_connected
        )
        ranked = sitk.GetArrayFromImage(sitk.RelabelComponent(image, sortByObjectSize=True))
        assert np.array_equal(largest_component(mask, fully_connected=fully_connected), ranked == 1)
    assert not largest_component(np.zeros((2, 2, 2), bool)).any()
