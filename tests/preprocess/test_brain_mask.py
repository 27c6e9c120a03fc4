from __future__ import annotations

import numpy as np
import pytest
from head_phantom import make_head

from strokescope.errors import InputError
from strokescope.evaluation import dice
from strokescope.preprocess import BrainMaskSettings, brain_mask
from strokescope.volume import Volume


@pytest.mark.parametrize(
    ("shape", "spacing"),
    [
        ((28, 256, 256), (5.0, 0.9, 0.9)),  # routine follow-up NCCT
        ((150, 200, 200), (0.8, 1.1, 1.1)),  # thin slices (coarse factor 2-3 along z)
    ],
)
def test_brain_mask_matches_intracranial_space(
    shape: tuple[int, int, int], spacing: tuple[float, float, float]
) -> None:
    vol, truth = make_head(shape, spacing, seed=1)
    mask = brain_mask(vol)
    assert mask.geometry == vol.geometry
    assert dice(mask, truth) > 0.95
    # no skull and no scalp inside
    assert not np.any(mask.array & (vol.array > 600) & ~truth)
    scalp = (vol.array > 10) & (vol.array < 80) & ~truth
    assert np.count_nonzero(mask.array & scalp) < 0.01 * np.count_nonzero(truth)
    # the calcification inside the brain stays inside the mask
    assert np.all(mask.array[(vol.array > 300) & truth])


def test_thin_slices_at_half_mm_keep_the_brain() -> None:
    """Its speed is measured by benchmarks/bench_thrombus.py (the brain_mask stage)."""
    vol, truth = make_head((40, 400, 340), (0.5, 0.5, 0.5), seed=2)
    mask = brain_mask(vol)
    assert dice(mask, truth) > 0.95


def test_keep_margin_adds_soft_tissue_but_never_bone() -> None:
    vol, _ = make_head((28, 200, 200), (5.0, 1.1, 1.1), seed=3)
    base = brain_mask(vol)
    wide = brain_mask(vol, settings=BrainMaskSettings(keep_margin_mm=4.0))
    assert wide.voxel_count >= base.voxel_count
    added = wide.array & ~base.array
    assert not np.any(vol.array[added] >= 300)


def test_no_head_gives_empty_mask() -> None:
    air = Volume.from_array(np.full((5, 40, 40), -1000.0), (5.0, 1.0, 1.0))
    assert brain_mask(air).voxel_count == 0


def test_settings_are_checked() -> None:
    with pytest.raises(InputError, match="erosion_mm"):
        BrainMaskSettings(erosion_mm=-1.0)
    with pytest.raises(InputError, match="tissue window"):
        BrainMaskSettings(tissue_min_hu=50.0, tissue_max_hu=10.0)


def test_a_skull_stripped_image_is_flagged_and_a_head_is_not() -> None:
    from strokescope.preprocess.brain_mask import implausible_mask

    vol, truth = make_head((28, 256, 256), (5.0, 0.9, 0.9), seed=1)
    assert implausible_mask(brain_mask(vol)) is None
    stripped = np.where(truth, vol.array, np.float32(0.0))  # background 0 HU, no skull
    warning = implausible_mask(brain_mask(Volume(stripped, vol.geometry)))
    assert warning is not None and warning.startswith("brain mask failed")
    empty = Volume(np.full(vol.shape, -1000.0, np.float32), vol.geometry)
    assert "empty" in (implausible_mask(brain_mask(empty)) or "")


def test_ht_preparation_carries_the_brain_mask_warning() -> None:
    from strokescope.hemorrhage.prepare import prepare_ncct

    vol, truth = make_head((28, 256, 256), (5.0, 0.9, 0.9), seed=3)
    assert not any("brain mask" in w for w in prepare_ncct(vol).warnings)
    stripped = Volume(np.where(truth, vol.array, np.float32(0.0)), vol.geometry)
    assert any(w.startswith("brain mask failed") for w in prepare_ncct(stripped).warnings)
