"""The midsagittal plane by mirror symmetry: turned heads and a cut field of view."""

from __future__ import annotations

import numpy as np
import pytest
from phantoms import small_study

from strokescope.phantom.grids import head_pose
from strokescope.preprocess import brain_mask
from strokescope.thrombus.anatomy import midsagittal_plane
from strokescope.thrombus.symmetry import symmetric_plane
from strokescope.volume import Volume


def _angle(normal: tuple[float, float, float], truth: np.ndarray) -> float:
    return float(np.degrees(np.arccos(min(1.0, abs(float(np.dot(normal, truth)))))))


@pytest.mark.parametrize(
    ("seed", "rotation"),
    [(41, (0.0, 0.0, 24.0)), (42, (-18.0, 14.0, 22.0)), (43, (3.0, -4.0, 5.0))],
)
def test_plane_of_a_turned_head(seed: int, rotation: tuple[float, float, float]) -> None:
    study = small_study(seed, "none", rotation_deg=rotation)
    pose = head_pose(rotation)
    truth_normal = pose[:3, 0]
    brain = brain_mask(study.ncct)
    plane = symmetric_plane(study.ncct, brain)
    assert _angle(plane.normal, truth_normal) < 3.0
    assert plane.normal[0] > 0  # to the patient's left
    # the head frame's origin lies on the plane, and a point 60 mm to the patient's
    # left of it (about where an M1 ends) stays 60 mm away
    origin = pose[:3, 3]
    assert abs(float(plane.signed_distance(origin)[0])) < 2.0
    assert float(plane.signed_distance(origin + 60 * truth_normal)[0]) == pytest.approx(60, abs=3)
    if max(abs(a) for a in rotation) > 20:  # the principal-axis plane is replaced by LPS x
        assert _angle(midsagittal_plane(brain).normal, truth_normal) > 10.0


def test_plane_when_the_field_of_view_cuts_one_side() -> None:
    study = small_study(44, "none", rotation_deg=(0.0, 0.0, 8.0))
    ncct = study.ncct
    pose = head_pose((0.0, 0.0, 8.0))
    # keep the head's right side only up to 45 mm from the midline (a cut field of view)
    kji = np.indices(ncct.shape).reshape(3, -1).T
    d = (ncct.geometry.index_to_lps(kji.astype(float)) - pose[:3, 3]) @ pose[:3, 0]
    cut = ncct.array.copy().reshape(-1)
    cut[d < -45.0] = -1024.0
    head = Volume(cut.reshape(ncct.shape), ncct.geometry, ncct.meta)
    brain = brain_mask(head)
    plane = symmetric_plane(head, brain)
    assert _angle(plane.normal, pose[:3, 0]) < 3.0
    assert abs(float(plane.signed_distance(pose[:3, 3])[0])) < 2.0
    # the brain mask's centroid, and so the principal-axis plane, moves to the left
    assert float(midsagittal_plane(brain).signed_distance(pose[:3, 3])[0]) < -5.0
