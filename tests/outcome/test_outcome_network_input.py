"""The outcome network's input stack: its grid, windows, centring, mirroring and the
registration, on hand-made volumes and on a tiny phantom study."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_outcome_features import _clot

from strokescope.errors import InputError
from strokescope.outcome.network_input import (
    CTA_WINDOW,
    SIZE,
    SLICES,
    SPACING_MM,
    build_stack,
    input_spec,
    network_input,
    region_geometry,
)
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.volume import AXIAL_LPS, Geometry, Volume
from thrombus_results import thrombus_result

SHAPE = (2, SLICES, SIZE, SIZE)
CENTRE = (SLICES - 1) / 2, (SIZE - 1) / 2, (SIZE - 1) / 2


def _volume(point_lps: np.ndarray, *, hu: float = 400.0) -> Volume:
    """Brain-like 30 HU with a 4 mm cube of ``hu`` at ``point_lps``, on an oblique-free
    0.8 x 0.7 x 0.7 mm grid whose origin is not the point's."""
    geometry = Geometry((80, 160, 160), (0.8, 0.7, 0.7), (-50.0, -60.0, -30.0), AXIAL_LPS)
    array = np.full(geometry.shape, 30.0, np.float32)
    k, j, i = np.round(geometry.lps_to_index(point_lps)).astype(int)
    r = np.ceil(2.0 / np.asarray(geometry.spacing)).astype(int)
    array[k - r[0] : k + r[0], j - r[1] : j + r[1], i - r[2] : i + r[2]] = hu
    return Volume(array, geometry)


def _peak(channel: np.ndarray) -> np.ndarray:
    """Centre of mass (z, y, x voxels) of the channel's brightest voxels."""
    return np.argwhere(channel >= channel.max() - 1e-6).mean(axis=0)


def test_grid_is_the_documented_one() -> None:
    g = region_geometry((10.0, -5.0, 3.0))
    assert g.shape == (SLICES, SIZE, SIZE) and g.spacing == (SPACING_MM,) * 3
    assert np.allclose(g.index_to_lps(CENTRE), (10.0, -5.0, 3.0))
    assert input_spec()["shape"] == ["N", *SHAPE]


def test_stack_is_centred_windowed_and_mirrored() -> None:
    point = np.array([12.0, -8.0, 4.0])  # off to the patient's left of the grid's centre
    vol = _volume(point)
    stack = build_stack(vol, vol, centre_lps=point)
    assert stack.shape == SHAPE and stack.dtype == np.float32
    assert stack.min() >= -1.0 and stack.max() <= 1.0
    assert np.allclose(_peak(stack[1]), CENTRE, atol=0.6)
    brain = (30.0 - CTA_WINDOW[0]) / (CTA_WINDOW[1] - CTA_WINDOW[0]) * 2 - 1
    assert stack[1, 0, 0, 0] == pytest.approx(brain, abs=1e-5)
    assert stack[0].max() == 1.0  # 400 HU is above the NCCT window
    shifted = build_stack(vol, vol, centre_lps=point + [3.0, 0.0, 0.0])
    assert np.allclose(_peak(shifted[1]), np.add(CENTRE, (0, 0, -2)), atol=0.6)
    mirrored = build_stack(vol, vol, centre_lps=point + [3.0, 0.0, 0.0], mirror=True)
    assert np.array_equal(mirrored, shifted[..., ::-1])


def test_ncct_is_sampled_through_the_registration() -> None:
    point = np.array([0.0, 5.0, -2.0])
    motion = np.array([4.5, -3.0, 1.5])  # the NCCT's clot is here, moved by the patient
    ncct, cta = _volume(point + motion, hu=80.0), _volume(point)
    cta_to_ncct = np.eye(4)
    cta_to_ncct[:3, 3] = motion
    stack = build_stack(ncct, cta, centre_lps=point, cta_to_ncct=cta_to_ncct)
    assert np.allclose(_peak(stack[0]), CENTRE, atol=0.6)
    unregistered = build_stack(ncct, cta, centre_lps=point)
    assert not np.allclose(_peak(unregistered[0]), CENTRE, atol=1.0)
    with pytest.raises(InputError, match="4 x 4"):
        build_stack(ncct, cta, centre_lps=point, cta_to_ncct=np.eye(3))


def test_phantom_stack_is_centred_on_the_clot_of_the_thrombus_result() -> None:
    options = PhantomOptions(
        seed=5, side="right", thrombus_length_mm=10.0, perviousness_hu=0.0, noise_hu=0.0
    )
    options = replace(options, inplane_mm=1.5, matrix=128, slice_mm=1.5, streaks=False)
    study = generate_study(options, threads=1)
    assert study.cta is not None and study.truth.thrombus_centroid_lps is not None
    clot = replace(_clot(100.0, 10.0), side="right", centroid_lps=study.truth.thrombus_centroid_lps)
    built = network_input(study.ncct, study.cta, thrombus_result(clot))
    assert (built.centre_source, built.mirrored) == ("thrombus", True)
    assert built.stack.shape == SHAPE
    truth = study.masks["thrombus"]
    drawn = Volume(truth.array.astype(np.float32) * 1000.0, truth.geometry)
    clot_voxels = build_stack(drawn, drawn, centre_lps=built.centre_lps, mirror=True)[1] > 0
    assert clot_voxels.sum() > 10
    assert np.allclose(np.argwhere(clot_voxels).mean(axis=0), CENTRE, atol=1.0)
    ncct = built.stack[0]
    assert ncct[clot_voxels].mean() > np.median(ncct[4:12])  # the dense clot is in it
    head = network_input(study.ncct, study.cta, thrombus_result())
    assert head.centre_source == "head" and not head.mirrored
    assert abs(head.centre_lps[0]) < 10.0  # the head's centre is near the midline
    with pytest.raises(InputError, match="CTA"):
        network_input(study.ncct, None, thrombus_result(clot))
