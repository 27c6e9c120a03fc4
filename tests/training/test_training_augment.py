"""Training augmentation: it varies what it should and keeps what carries the signal."""

from __future__ import annotations

import numpy as np
import pytest
from training.augment import distractors_hu, gaussian, intensity_hu, spatial_and_gamma

from training import augment


def _patch() -> tuple[np.ndarray, np.ndarray]:
    """NCCT + CTA patch: brain 35 HU, an artery (blood 40 HU, lumen 350 HU) with a clot
    (NCCT 70 HU, CTA 80 HU) in its middle third; the clot is the target."""
    hu = np.full((2, 24, 32, 32), 35.0, np.float32)
    z, y, x = np.mgrid[:24, :32, :32]
    artery = (y - 16) ** 2 + (z - 12) ** 2 <= 9
    clot = artery & (x >= 11) & (x < 21)
    hu[0][artery], hu[1][artery] = 40.0, 350.0
    hu[0][clot], hu[1][clot] = 70.0, 80.0
    return hu, clot


def test_gaussian_keeps_the_mean_and_smooths() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(10.0, 5.0, (16, 20, 24)).astype(np.float32)
    out = gaussian(noise, 1.0)
    assert out.shape == noise.shape
    assert out.mean() == pytest.approx(noise.mean(), abs=0.1)
    assert out.std() < 0.5 * noise.std()


def test_intensity_keeps_clot_hyperdense_on_ncct_and_a_filling_defect_on_cta() -> None:
    hu, clot = _patch()
    artery_only = hu[1] == 350.0
    rng = np.random.default_rng(1)
    lumens, changed = [], 0
    for _ in range(60):
        out = intensity_hu(hu, rng)
        assert out.shape == hu.shape and out.dtype == np.float32
        assert out[0][clot].mean() > out[0][artery_only].mean() + 5.0  # blur keeps the sign
        assert out[1][clot].mean() < out[1][artery_only].mean() - 50.0
        lumens.append(float(np.median(out[1][artery_only])))
        changed += not np.allclose(out, hu)
    assert changed == 60
    assert min(lumens) < 280.0 and max(lumens) > 430.0  # arterial phase varies (x 0.7-1.4)


def test_intensity_is_reproducible_from_the_generator() -> None:
    hu, _ = _patch()
    a = intensity_hu(hu, np.random.default_rng(7))
    b = intensity_hu(hu, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_spatial_moves_image_and_target_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(augment, "P_SPATIAL", 1.0)
    monkeypatch.setattr(augment, "P_ELASTIC", 1.0)
    monkeypatch.setattr(augment, "P_GAMMA", 0.0)
    hu, clot = _patch()
    image = np.stack([clot.astype(np.float32), clot.astype(np.float32)])
    rng = np.random.default_rng(3)
    moved_any = False
    for _ in range(10):
        img, lab = spatial_and_gamma(image, clot.astype(np.float32), rng)
        assert img.shape == image.shape and lab.shape == clot.shape
        assert 0.4 * clot.sum() < lab.sum() < 2.5 * clot.sum()  # scaling 0.85-1.2, elastic
        seen = img[0] > 0.5
        dice = 2 * np.sum(seen & (lab > 0)) / (seen.sum() + lab.sum())
        assert dice > 0.9
        moved_any |= bool(np.any((lab > 0) != clot))
    assert moved_any


def test_distractors_add_clot_like_and_dense_objects_but_never_touch_the_thrombus() -> None:
    hu, clot = _patch()
    rng = np.random.default_rng(5)
    clot_like = dense = 0
    for _ in range(100):
        out = distractors_hu(hu.copy(), clot.astype(np.float32), 0.6, rng)
        np.testing.assert_array_equal(out[:, clot], hu[:, clot])
        new = np.abs(out[0] - hu[0]) > 5.0
        if not new.any():
            continue
        peak = float(out[0][new].max())
        dense += peak > 250.0
        at_peak = np.unravel_index(int(np.argmax(np.where(new, out[0], -1e9))), new.shape)
        clot_like += 45.0 <= peak <= 96.0 and out[1][at_peak] < 130.0  # not enhancing
    assert clot_like >= 5 and dense >= 2


def test_a_low_label_threshold_keeps_a_one_voxel_target_through_rotation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(augment, "P_SPATIAL", 1.0)
    monkeypatch.setattr(augment, "P_ELASTIC", 0.0)
    line = np.zeros((24, 32, 32), np.float32)
    line[12, 16, 4:28] = 1.0
    image = np.stack([line, line])
    kept = {}
    for threshold in (0.5, 0.3):
        rng = np.random.default_rng(11)
        kept[threshold] = np.mean(
            [
                spatial_and_gamma(image, line, rng, label_threshold=threshold)[1].sum()
                for _ in range(8)
            ]
        )
    assert kept[0.3] > 0.6 * line.sum()
    assert kept[0.3] > 1.3 * kept[0.5]
