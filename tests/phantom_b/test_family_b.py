"""Family B phantom: determinism, clot truth, classes, mimics, contrast and geometry."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from strokescope.errors import InputError
from strokescope.phantom_b import CaseB, generate_case_b
from strokescope.volume import Geometry


def _case(seed: int, occlusion: str, side: str = "left", calcification: bool = False) -> CaseB:
    return generate_case_b(
        seed, occlusion=occlusion, side=side, calcification=calcification, quick=True
    )


@pytest.fixture(scope="module")
def m1_left() -> CaseB:
    return _case(3, "M1", "left")


@pytest.fixture(scope="module")
def m2_right() -> CaseB:
    return _case(6, "M2", "right")


def _lps(mask: np.ndarray, geom: Geometry) -> np.ndarray:
    return geom.index_to_lps(np.argwhere(mask))


def _centreline_length(mask: np.ndarray, geom: Geometry) -> float:
    """Length through the centroids of 1 mm bins along the mask's principal axis."""
    p = _lps(mask, geom)
    c = p - p.mean(axis=0)
    axis = np.linalg.svd(c, full_matrices=False)[2][0]
    t = c @ axis
    bins = [(t >= a) & (t < a + 1.0) for a in np.arange(t.min(), t.max(), 1.0)]
    cents = [p[b].mean(axis=0) for b in bins if b.any()]
    return float(np.linalg.norm(np.diff(np.array(cents), axis=0), axis=1).sum())


def test_same_seed_is_bit_identical_and_seeds_differ(m1_left: CaseB) -> None:
    again = _case(3, "M1", "left")
    assert np.array_equal(again.ncct.array, m1_left.ncct.array)
    assert np.array_equal(again.cta.array, m1_left.cta.array)
    assert np.array_equal(again.thrombus.array, m1_left.thrombus.array)
    other = _case(4, "M1", "left")
    assert not np.array_equal(other.ncct.array, m1_left.ncct.array)


def test_quick_geometry_types_and_contrast(m1_left: CaseB) -> None:
    for vol in (m1_left.ncct, m1_left.cta):
        assert vol.array.dtype == np.float32
        assert vol.shape[1:] == (224, 224) and vol.shape[0] <= 260
        assert vol.spacing == (1.0, 1.0, 1.0)
        assert vol.array.min() >= -1024 and vol.array.max() <= 3071
        assert "synthetic" in vol.meta.description and "family B" in vol.meta.description
    assert m1_left.thrombus.geometry == m1_left.cta.geometry
    assert m1_left.cta.meta.has_contrast and not m1_left.ncct.meta.has_contrast
    assert m1_left.ncct.array.min() < -900 and m1_left.ncct.array.max() > 1000  # air, bone


@pytest.mark.parametrize("fixture", ["m1_left", "m2_right"])
def test_clot_is_one_blob_in_an_opacified_vessel(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    case: CaseB = request.getfixturevalue(fixture)
    mask = case.thrombus.array
    assert mask.any()
    _, n = ndimage.label(mask, structure=np.ones((3, 3, 3)))
    assert n == 1
    shell = ndimage.binary_dilation(mask, iterations=3) & ~mask
    assert case.cta.array[shell].max() > 200  # contrast-filled lumen right beside it
    # hyperdense against its surroundings (absolute HU needs thin voxels: see the full test)
    assert case.ncct.array[mask].mean() > case.ncct.array[shell].mean() + 5.0
    assert case.thrombus_volume_mm3 == pytest.approx(
        mask.sum() * case.thrombus.geometry.voxel_volume_mm3
    )
    assert case.thrombus_length_mm is not None and 5.0 <= case.thrombus_length_mm <= 30.0 * 1.1
    est = _centreline_length(mask, case.thrombus.geometry)
    assert est == pytest.approx(case.thrombus_length_mm, rel=0.2)


def test_classes_and_sides(m1_left: CaseB, m2_right: CaseB) -> None:
    assert (m1_left.occlusion, m1_left.occlusion_class) == ("M1", "LVO")
    assert (m2_right.occlusion, m2_right.occlusion_class) == ("M2", "MeVO")
    assert _lps(m1_left.thrombus.array, m1_left.cta.geometry)[:, 0].mean() > 5.0  # patient left
    assert _lps(m2_right.thrombus.array, m2_right.cta.geometry)[:, 0].mean() < -5.0
    ica = _case(2, "ICA", "right")
    assert ica.occlusion_class == "LVO" and ica.thrombus.voxel_count > 0
    assert _lps(ica.thrombus.array, ica.cta.geometry)[:, 0].mean() < 0.0


def test_no_occlusion_has_empty_truth() -> None:
    case = _case(3, "none")
    assert not case.thrombus.array.any()
    assert case.occlusion_class == "none" and case.thrombus_length_mm is None
    assert case.thrombus_volume_mm3 == 0.0


def test_calcification_adds_dense_plaques_beside_the_ica_but_no_clot() -> None:
    plain = _case(8, "none")
    calc = _case(8, "none", calcification=True)
    assert calc.calcification and not calc.thrombus.array.any()
    new = (calc.ncct.array > 200) & (plain.ncct.array < 150)
    assert new.sum() >= 3
    lumen = ndimage.binary_dilation(plain.cta.array > 200, iterations=2)
    assert (new & lumen).sum() >= 3  # on a contrast-filled vessel (the siphon)


def test_full_size_case_has_realistic_grid_and_hyperdense_clot() -> None:
    case = generate_case_b(3, occlusion="M1", side="left")
    g = case.ncct.geometry
    assert g.shape[1:] == (512, 512) and g.shape[0] <= 260
    assert 0.4 <= g.spacing[2] <= 0.5 and 0.5 <= g.spacing[0] <= 1.0
    assert 90.0 <= g.shape[0] * g.spacing[0] <= 130.0
    core = ndimage.binary_erosion(case.thrombus.array, structure=np.ones((1, 3, 3)))
    assert core.sum() > 20
    assert 50.0 <= case.ncct.array[core].mean() <= 80.0
    perviousness = case.cta.array[core].mean() - case.ncct.array[core].mean()
    assert -10.0 <= perviousness <= 35.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"occlusion": "MCA", "side": "left"},
        {"occlusion": "M1", "side": "both"},
        {"occlusion": "none", "side": "left", "calcification": "yes"},
    ],
)
def test_invalid_arguments_raise_input_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        generate_case_b(1, quick=True, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        generate_case_b(-1, occlusion="none", side="left", quick=True)
