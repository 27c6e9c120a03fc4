"""Rigid NCCT -> CTA registration recovers the phantom's simulated motion."""

from __future__ import annotations

from dataclasses import replace

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
    moved = resample_registered(moved_study.ncct, cta.geometry, result)
    assert moved.shape == cta.shape
    bone = cta.array > 700
    aligned = np.mean(moved.array[bone] > 700)
    naive = resample_registered(
        moved_study.ncct, cta.geometry, replace(result, cta_to_ncct=np.eye(4))
    )
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
