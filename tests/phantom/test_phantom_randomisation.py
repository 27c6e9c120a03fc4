"""Options that widen the training distribution: each one changes what it says, defaults none."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.phantom import PhantomOptions, PhantomStudy, generate_study
from strokescope.phantom.anatomy import draw_anatomy
from strokescope.phantom.grids import head_pose
from strokescope.phantom.veins import draw_veins
from strokescope.phantom.vessel_variants import vary_vessels
from strokescope.phantom.vessels import SITE_P1, Segment, draw_vessels
from strokescope.volume import Volume

CLEAN = {"noise_hu": 0.0, "streaks": False}
FINE = {"matrix": 200, "inplane_mm": 0.6, "slice_mm": 0.6, "slices": 60}
REFERENCE = {
    "default": (PhantomOptions(), "0c278a5daa5622c0"),
    "mimics": (
        PhantomOptions(
            seed=3,
            occlusion="ICA",
            side="right",
            calcification=True,
            sah=True,
            hemorrhage="PH",
            hemorrhage_ml=10.0,
            motion_mm=2.0,
            rotation_deg=(5.0, -3.0, 8.0),
        ),
        "45df9616c555b0ae",
    ),
}
"""Digests of small studies computed with the generator before these options existed."""


def _digest(study: PhantomStudy) -> str:
    h = hashlib.sha256()
    for v in (study.ncct, study.cta, study.followup):
        if v is not None:
            h.update(np.ascontiguousarray(v.array).tobytes())
    for k in sorted(study.masks):
        h.update(k.encode())
        h.update(np.packbits(study.masks[k].array).tobytes())
    return h.hexdigest()[:16]


def _small(**kwargs: object) -> PhantomStudy:
    return generate_study(PhantomOptions(**{"seed": 3, **CLEAN, **kwargs}).small())  # type: ignore[arg-type]


def _sample(vol: Volume, head_points: np.ndarray) -> np.ndarray:
    pose = head_pose((0.0, 0.0, 0.0))
    idx = np.rint(vol.geometry.lps_to_index(head_points @ pose[:3, :3].T)).astype(int)
    idx = idx[np.all((idx >= 0) & (idx < np.array(vol.shape)), axis=1)]
    return vol.array[idx[:, 0], idx[:, 1], idx[:, 2]]


def _tree(seed: int) -> list[Segment]:
    anatomy = draw_anatomy(np.random.default_rng([seed, 1]))
    return draw_vessels(np.random.default_rng([seed, 2]), anatomy)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_defaults_keep_the_studies_bit_identical(name: str) -> None:
    options, digest = REFERENCE[name]
    assert _digest(generate_study(options.small())) == digest


@pytest.mark.parametrize(
    "kwargs",
    [
        {"occlusion": "P2"},
        {"cta_lumen_hu": 140.0},
        {"cta_lumen_hu": 610.0},
        {"venous_hu": -1.0},
        {"venous_hu": 401.0},
        {"haematocrit_pct": 29.0},
        {"haematocrit_pct": 61.0},
        {"kernel": "bone"},
        {"cta_kernel": "bone"},
        {"hu_offset": 15.5},
        {"vessel_scale": 0.6},
        {"vessel_scale": 1.4},
        {"tortuosity": 1.1},
        {"cow_variant": "absent_a1"},
        {"noise_texture_mm": 0.2},
        {"noise_texture_mm": 1.6},
        {"rotation_deg": (-26.0, 0.0, 0.0)},
    ],
)
def test_new_options_are_range_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError, match="phantom option"):
        PhantomOptions(**kwargs)  # type: ignore[arg-type]


def test_occlusion_classes() -> None:
    classes = {o: PhantomOptions(occlusion=o).occlusion_class for o in ("basilar", "A1", "P1")}
    assert classes == {"basilar": "LVO", "A1": "MeVO", "P1": "MeVO"}


def test_basilar_clot_is_midline_below_the_circle_of_willis_and_may_be_long() -> None:
    study = _small(occlusion="basilar", side="left", thrombus_length_mm=40.0, thrombus_hu=90.0)
    truth = study.truth
    assert truth.occlusion_class == "LVO" and truth.occlusion_site == "basilar"
    assert truth.thrombus_length_mm is not None and truth.thrombus_length_mm >= 36.0
    x, _, z = truth.thrombus_centroid_lps or (99.0, 0.0, 99.0)
    assert abs(x) < 4.0 and z < -10.0
    clot = study.masks["thrombus"].array
    assert np.median(study.ncct.array[clot]) > 60  # a hyperdense basilar


@pytest.mark.parametrize(("site", "side"), [("A1", "left"), ("P1", "right")])
def test_a1_and_p1_clots_sit_on_their_vessel(site: str, side: str) -> None:
    truth = _small(occlusion=site, side=side).truth
    assert truth.occlusion_class == "MeVO"
    x, y, z = truth.thrombus_centroid_lps or (0.0, 0.0, 99.0)
    assert (x > 0) == (side == "left") and abs(z) < 12.0
    assert y < -5.0 if site == "A1" else y > 0.0  # A1 forward of the terminus, P1 behind


@pytest.mark.parametrize("request_hu", [200.0, 550.0])
def test_cta_lumen_hu_sets_the_arterial_enhancement(request_hu: float) -> None:
    options = PhantomOptions(seed=3, occlusion="none", cta_lumen_hu=request_hu, **CLEAN, **FINE)
    study = generate_study(options)
    assert study.cta is not None
    mean = float(study.cta.array[study.masks["lumen"].array].mean())
    assert mean == pytest.approx(request_hu, rel=0.15)


def test_haematocrit_sets_blood_hu_on_ncct() -> None:
    high, low = _small(haematocrit_pct=55.0), _small(haematocrit_pct=32.0)
    for study in (high, low):
        assert study.truth.blood_hu_ncct == pytest.approx(6.0 + 0.9 * study.options.haematocrit_pct)
    assert np.median(high.ncct.array[high.masks["lumen"].array]) > 50.0
    assert np.median(low.ncct.array[low.masks["lumen"].array]) < 40.0


def test_veins_are_blood_on_ncct_and_enhance_with_venous_hu() -> None:
    sss = draw_veins(np.random.default_rng([3, 6]), draw_anatomy(np.random.default_rng([3, 1])))[0]
    inner = sss.points[len(sss.points) // 4 : -len(sss.points) // 4]
    plain, late, none = _small(veins=True), _small(venous_hu=300.0), _small()
    assert plain.cta is not None and late.cta is not None and none.cta is not None
    assert 35.0 <= np.median(_sample(plain.ncct, inner)) <= 52.0
    assert np.median(_sample(late.cta, inner)) > 250.0
    assert not 35.0 <= np.median(_sample(none.ncct, inner)) <= 52.0  # no sinus without veins


def test_hu_offset_shifts_tissue_not_air() -> None:
    base, shifted = _small(), _small(hu_offset=-12.0)
    brain = base.masks["brain"].array
    assert np.mean(shifted.ncct.array[brain] - base.ncct.array[brain]) == pytest.approx(-12.0)
    assert base.cta is not None and shifted.cta is not None
    assert np.mean(shifted.cta.array[brain] - base.cta.array[brain]) == pytest.approx(-12.0)
    assert shifted.ncct.array[0, 0, 0] == base.ncct.array[0, 0, 0] == -1000.0


def _high_frequency(a: np.ndarray) -> float:
    return float(np.mean(np.diff(a, axis=2) ** 2))


def test_sharp_kernel_has_more_high_frequency_energy_and_noise_than_smooth() -> None:
    smooth, sharp = _small(kernel="smooth"), _small(kernel="sharp")
    standard = _small()
    energies = [_high_frequency(s.ncct.array) for s in (smooth, standard, sharp)]
    assert energies[0] < energies[1] < energies[2]
    noisy = {k: _small(kernel=k, noise_hu=10.0).ncct.array[:, :8, :8] for k in ("smooth", "sharp")}
    assert np.std(noisy["smooth"]) == pytest.approx(7.0, rel=0.2)
    assert np.std(noisy["sharp"]) == pytest.approx(14.0, rel=0.2)


def test_cta_kernel_reconstructs_the_cta_alone() -> None:
    """A brain kernel on the NCCT and a vascular one on the CTA: each scan is the one its own
    kernel gives, noise included (the same draws), not the CTA of the NCCT's kernel."""
    mixed = _small(kernel="smooth", cta_kernel="sharp", noise_hu=6.0)
    smooth, sharp = _small(kernel="smooth", noise_hu=6.0), _small(kernel="sharp", noise_hu=6.0)
    assert np.array_equal(mixed.ncct.array, smooth.ncct.array)
    assert np.array_equal(mixed.cta.array, sharp.cta.array)
    assert not np.array_equal(mixed.cta.array, smooth.cta.array)


def test_noise_texture_sets_the_correlation_length() -> None:
    corr = {}
    for texture in (0.3, 1.5):
        n = _small(noise_hu=10.0, noise_texture_mm=texture).ncct.array[:, :20, :20]
        assert np.std(n) == pytest.approx(10.0, rel=0.2)
        corr[texture] = float(np.corrcoef(n[:, :, :-1].ravel(), n[:, :, 1:].ravel())[0, 1])
    # Gaussian-shaped noise of SD s: neighbours one pixel (1.8 mm) apart correlate exp(-(p/s)^2/4)
    assert corr[0.3] < 0.1
    assert corr[1.5] == pytest.approx(np.exp(-((1.8 / 1.5) ** 2) / 4), abs=0.08)


def test_vessel_scale_widens_the_lumen() -> None:
    counts = [_small(vessel_scale=v).masks["lumen"].voxel_count for v in (0.7, 1.3)]
    assert counts[1] > 2.0 * counts[0]


def test_tortuosity_moves_centerlines_but_keeps_junctions() -> None:
    tree = _tree(3)
    bent = vary_vessels(tree, PhantomOptions(tortuosity=1.0), np.random.default_rng(0))
    moved = np.concatenate(
        [np.linalg.norm(b.points - t.points, axis=1) for b, t in zip(bent, tree, strict=True)]
    )
    assert 1.0 < np.median(moved) < 8.0
    by_name = {g.name: g for g in bent}
    m2 = by_name["M2 inferior left"]
    parent = by_name[m2.parent]
    at = parent.points[np.argmin(np.abs(parent.s - m2.parent_s))]
    assert np.linalg.norm(at - m2.points[0]) < 1.0
    same = vary_vessels(tree, PhantomOptions(), np.random.default_rng(0))
    assert all(a is b for a, b in zip(same, tree, strict=True))


def test_circle_of_willis_variants() -> None:
    tree = _tree(3)

    def vary(variant: str, **kw: str) -> dict[str, Segment]:
        o = PhantomOptions(cow_variant=variant, **kw)  # type: ignore[arg-type]
        return {g.name: g for g in vary_vessels(tree, o, np.random.default_rng([3, 5]))}

    a1 = vary("hypoplastic_a1")
    assert min(a1["A1 left"].radius.max(), a1["A1 right"].radius.max()) < 0.5
    fetal = vary("fetal_pca")
    side = "left" if fetal["PComm left"].radius.mean() > 0.8 else "right"
    pca = fetal[f"PCA {side}"]
    assert pca.radius[pca.site == SITE_P1].max() < 0.5
    absent = vary("absent_p1", occlusion="P1", side="left")
    assert not (absent["PCA right"].site == SITE_P1).any()
    assert (absent["PCA left"].site == SITE_P1).any() and absent["PCA right"].s[0] == 0.0
    study = _small(cow_variant="absent_p1", occlusion="P1", side="left")
    assert study.truth.thrombus_mask_volume_mm3


def test_dural_calcification_and_aneurysm_mimics() -> None:
    study = _small(dural_calcification=True, aneurysm=True, occlusion="none")
    assert study.cta is not None
    calc = study.masks["dural_calcification"].array
    assert calc.any() and study.ncct.array[calc].max() > 130.0
    sac = study.masks["aneurysm"].array
    assert sac.sum() >= 3
    assert 30.0 <= np.median(study.ncct.array[sac]) <= 60.0
    assert np.median(study.cta.array[sac]) > 200.0
    assert "aneurysm" not in _small().masks


def test_partial_fov_cuts_the_head_on_one_side() -> None:
    def edge_tissue(study: PhantomStudy) -> int:
        a = study.ncct.array
        return int(np.count_nonzero(a[:, :, 0] > -500) + np.count_nonzero(a[:, :, -1] > -500))

    cut = _small(partial_fov=True)
    assert edge_tissue(_small()) == 0 and edge_tissue(cut) > 100
    assert cut.cta is not None and cut.cta.geometry == cut.ncct.geometry


def test_rotation_up_to_25_degrees() -> None:
    study = _small(rotation_deg=(25.0, -25.0, 25.0))
    assert study.masks["thrombus"].voxel_count > 0


def test_a_shorter_ncct_keeps_the_upper_slices_of_the_uncut_one() -> None:
    full, short = _small(), _small(ncct_short_mm=20.0)
    g, s = full.ncct.geometry, short.ncct.geometry
    cut = round(20.0 / g.spacing[0])
    assert s.shape == (g.shape[0] - cut, *g.shape[1:])
    np.testing.assert_allclose(s.index_to_lps(np.zeros(3)), g.index_to_lps(np.array([cut, 0, 0])))
    np.testing.assert_array_equal(short.ncct.array, full.ncct.array[cut:])
    assert short.masks["brain"].geometry == s
    assert short.cta is not None and full.cta is not None
    np.testing.assert_array_equal(short.cta.array, full.cta.array)  # the CTA keeps its length
    assert short.masks["thrombus"].geometry == short.cta.geometry
    with pytest.raises(InputError, match="ncct_short_mm"):
        PhantomOptions(ncct_short_mm=61.0)
