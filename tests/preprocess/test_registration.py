"""Rigid NCCT -> CTA registration recovers the phantom's simulated motion."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.preprocess.registration import (
    RegistrationSettings,
    register_rigid,
    resample_registered,
    sample_registered,
)
from strokescope.volume import Volume

BRAIN_POINTS = np.array(
    [[x, y, z] for x in (-50, 0, 50) for y in (-50, 0, 50) for z in (-30, 10, 50)], float
)


def _apply(m: np.ndarray, p: np.ndarray) -> np.ndarray:
    return p @ m[:3, :3].T + m[:3, 3]


@pytest.fixture(scope="module")
def moved_study():  # type: ignore[no-untyped-def]
    """NCCT and CTA differing in motion (6 mm), pixel size, matrix, slice count/thickness."""
    return generate_study(
        PhantomOptions(
            seed=11,
            occlusion="none",
            inplane_mm=1.0,
            matrix=200,
            slice_mm=1.0,
            motion_mm=6.0,
            cta_inplane_mm=0.8,
            cta_matrix=220,
            cta_slice_mm=1.25,
            cta_slices=110,
        )
    )


def test_recovers_motion_across_different_grids(moved_study) -> None:  # type: ignore[no-untyped-def]
    truth = np.asarray(moved_study.truth.ncct_to_cta)
    assert np.linalg.norm(truth[:3, 3]) > 1.0  # the phantom really moved
    result = register_rigid(moved_study.cta, moved_study.ncct)
    err = np.linalg.norm(
        _apply(truth, BRAIN_POINTS) - _apply(result.ncct_to_cta, BRAIN_POINTS), axis=1
    )
    before = np.linalg.norm(_apply(truth, BRAIN_POINTS) - BRAIN_POINTS, axis=1)
    assert err.max() < 1.5, err.max()
    assert err.max() < 0.5 * before.max()
    assert result.metric < result.metric_before
    assert not result.failed and result.warnings == ()


def test_registered_ncct_matches_cta_bone(moved_study) -> None:  # type: ignore[no-untyped-def]
    cta = moved_study.cta
    result = register_rigid(cta, moved_study.ncct)
    moved = resample_registered(moved_study.ncct, cta.geometry, result.cta_to_ncct)
    assert moved.shape == cta.shape
    bone = cta.array > 700
    aligned = np.mean(moved.array[bone] > 700)
    naive = resample_registered(moved_study.ncct, cta.geometry, np.eye(4))
    assert aligned > 0.85
    assert aligned > np.mean(naive.array[bone] > 700) + 0.05
    idx = np.argwhere(bone)[:50]
    sampled = sample_registered(
        moved_study.ncct, cta.geometry.index_to_lps(idx.astype(float)), result
    )
    np.testing.assert_allclose(sampled, moved.array[tuple(idx.T)], atol=1.0)


def test_unrelated_images_are_reported_failed(moved_study) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    noise = Volume(
        rng.normal(0, 300, moved_study.ncct.shape).astype(np.float32), moved_study.ncct.geometry
    )
    result = register_rigid(moved_study.cta, noise)
    assert result.failed
    assert "outside the validated range" in result.warnings[0]


def test_settings_are_checked() -> None:
    with pytest.raises(InputError, match="shrink_mm"):
        RegistrationSettings(shrink_mm=0.1)
    with pytest.raises(InputError, match="clip_hu"):
        RegistrationSettings(clip_hu=(100.0, 0.0))


def test_slabwise_resampling_equals_one_pass() -> None:
    """The registered NCCT filled slab by slab is SimpleITK's one-pass resampling, also in
    the last, partial slab and with a rotated grid."""
    import SimpleITK as sitk

    from strokescope.io.sitk_convert import geometry_to_sitk, volume_to_sitk
    from strokescope.preprocess.registration import RESAMPLE_SLAB
    from strokescope.volume import Geometry

    rng = np.random.default_rng(3)
    ncct = Volume.from_array(rng.normal(40, 20, (37, 30, 28)), (1.2, 0.9, 0.9), (-10, -12, 5))
    c, s = np.cos(0.2), np.sin(0.2)
    move = np.eye(4)
    move[:3, :3] = [[c, -s, 0], [s, c, 0], [0, 0, 1]]
    move[:3, 3] = [1.5, -2.0, 0.7]
    target = Geometry((2 * RESAMPLE_SLAB + 5, 26, 24), (1.0, 1.0, 1.0), (-8, -10, 6),
                      ((1, 0, 0), (0, c, s), (0, -s, c)))  # fmt: skip
    slabs = resample_registered(ncct, target, move)
    z, y, x = target.shape
    ref = geometry_to_sitk(sitk.Image(x, y, z, sitk.sitkUInt8), target)
    tf = sitk.AffineTransform(3)
    tf.SetMatrix([float(v) for v in move[:3, :3].ravel()])
    tf.SetTranslation([float(v) for v in move[:3, 3]])
    one = sitk.Resample(volume_to_sitk(ncct), ref, tf, sitk.sitkLinear, -1024.0, sitk.sitkFloat32)
    np.testing.assert_allclose(slabs.array, sitk.GetArrayFromImage(one), atol=1e-4)
    assert slabs.geometry == target and (slabs.array == -1024.0).any()
