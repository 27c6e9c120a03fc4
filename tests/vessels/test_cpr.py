"""Straightened curved planar reformat (``strokescope.vessels.cpr``) on drawn tubes."""

from __future__ import annotations

import numpy as np

from strokescope.vessels.cbs import ClotBurden
from strokescope.vessels.cpr import artery_path, resample_path, straighten
from strokescope.vessels.result import OPACIFIED, ArterialTree, ArterySegment, Profile
from strokescope.volume import Geometry

GEOM = Geometry((40, 80, 80), (0.5, 0.5, 0.5))


def _tube(path_idx: np.ndarray, radius_vox: float, hu: float = 400.0) -> np.ndarray:
    """A bright tube of ``radius_vox`` round the (n, 3) index polyline, on 20 HU."""
    vol = np.full(GEOM.shape, 20.0, np.float32)
    kk, jj, ii = np.indices(GEOM.shape)
    vox = np.stack([kk, jj, ii], axis=-1).reshape(-1, 3).astype(float)
    dense = resample_path(path_idx.astype(float), 0.25)
    d2 = np.full(len(vox), np.inf)
    for p in dense:
        d2 = np.minimum(d2, ((vox - p) ** 2).sum(1))
    vol.reshape(-1)[d2 <= radius_vox**2] = hu
    return vol


def test_a_straight_tube_with_a_gap_reads_along_the_middle_row() -> None:
    idx = np.array([[20.0, 40.0, 5.0], [20.0, 40.0, 75.0]])
    vol = _tube(idx, 3.0)
    vol[:, :, 35:45] = 20.0  # a 5 mm filling defect 15-20 mm along
    view = straighten(GEOM.index_to_lps(idx), half_width_mm=4.0)
    image, along = view.sample(vol, GEOM), view.along_mm
    mid = image.shape[0] // 2
    assert image.shape == (17, len(along)) and along[-1] == np.float64(35.0)
    defect = (along >= 15.5) & (along <= 19.5)
    assert np.all(image[mid, defect] < 30) and np.all(image[mid, along < 14] > 390)
    assert np.all(image[0, :] < 30) and np.all(image[-1, :] < 30)  # 4 mm out: outside


def test_a_moved_image_is_read_at_the_moved_points() -> None:
    """The NCCT strip: the same points carried into the NCCT's space by the registration."""
    idx = np.array([[20.0, 40.0, 5.0], [20.0, 40.0, 75.0]])
    view = straighten(GEOM.index_to_lps(idx), half_width_mm=4.0)
    shifted = np.eye(4)
    shifted[1, 3] = 5.0  # the NCCT's head lies 5 mm further posterior (+y, LPS)
    moved = _tube(idx + [0.0, 10.0, 0.0], 3.0)  # 10 voxels of 0.5 mm
    mid = view.points_lps.shape[0] // 2
    assert np.all(view.sample(moved, GEOM, moved=shifted)[mid, 2:-2] > 390)
    assert np.all(view.sample(moved, GEOM)[mid] < 30)
    assert np.array_equal(view.sample(moved, GEOM, moved=np.eye(4)), view.sample(moved, GEOM))


def test_a_path_without_length_gives_an_empty_reformat() -> None:
    view = straighten(np.zeros((3, 3)))
    assert view.along_mm.size == 0 and view.points_lps.shape == (0, 0, 3)


def test_a_curved_tube_stays_on_the_middle_row() -> None:
    t = np.linspace(0, np.pi / 2, 60)
    idx = np.stack([np.full(60, 20.0), 10 + 50 * np.sin(t), 10 + 50 * (1 - np.cos(t))], axis=1)
    vol = _tube(idx, 2.5)
    view = straighten(GEOM.index_to_lps(idx), half_width_mm=3.0)
    image, along = view.sample(vol, GEOM), view.along_mm
    mid = image.shape[0] // 2
    assert along[-1] > 35.0 and np.all(image[mid] > 350) and np.all(image[0] < 100)


def _segment(label: str) -> ArterySegment:
    d = np.arange(3.0)
    p = Profile(
        "ICA terminus", d, np.zeros(3, np.float32), np.zeros(3, np.float32), np.ones(3, bool)
    )
    return ArterySegment(
        label, "left", np.zeros((3, 3)), np.ones(3, np.float32), p, OPACIFIED, None
    )


def test_the_artery_runs_from_the_root_through_the_segment_into_its_first_branch() -> None:
    names = ("ICA infraclinoid", "ICA supraclinoid", "M1", "A1", "M2 superior", "M2 inferior")
    segs = tuple(_segment(n) for n in names)
    edges = ((0, 1), (1, 2), (1, 3), (2, 4), (2, 5))
    tree = ArterialTree(segs, edges, {}, None, ClotBurden(10, None, ()), 1.0)
    assert [s.label for s in artery_path(tree, segs[2])] == [
        "ICA infraclinoid",
        "ICA supraclinoid",
        "M1",
        "M2 superior",
    ]
    assert [s.label for s in artery_path(tree, segs[5])] == [
        "ICA infraclinoid",
        "ICA supraclinoid",
        "M1",
        "M2 inferior",
    ]
