"""The ICA terminus on the path to the M2 where the A1 folds back along the ICA."""

from __future__ import annotations

import numpy as np

from strokescope.vessels.terminus import a1_from, chord, terminus

STEP = 0.5


def _line(start: np.ndarray, direction: np.ndarray, mm: float) -> np.ndarray:
    u = np.asarray(direction, float) / np.linalg.norm(direction)
    return np.asarray(start, float) + np.arange(0.0, mm + 1e-9, STEP)[:, None] * u


def _to_m2() -> np.ndarray:
    """ICA along +y to the terminus at the origin (index 60), then the M1 along +x."""
    ica = _line(np.array([0.0, -30.0, 0.0]), np.array([0.0, 1.0, 0.0]), 30.0)
    m1 = _line(np.zeros(3), np.array([1.0, 0.0, 0.0]), 20.0)[1:]
    return np.vstack([ica, m1])


def test_an_a1_folded_back_along_the_ica_moves_the_terminus_to_where_it_leaves() -> None:
    to_m2 = _to_m2()
    # the A1 leaves the terminus 160 degrees from the ICA's course, 1.7 mm off it 5 mm back:
    # the A2 path crossed the merged lumina and parted 5 mm (index 50) before the terminus
    angle = np.radians(160.0)
    a1_dir = np.array([np.sin(angle), np.cos(angle), 0.0])
    a1_full = _line(np.zeros(3), a1_dir, 30.0)
    a1 = a1_full[10:]  # from the parting on
    assert 58 <= terminus(to_m2, a1, parting=50, last=90) <= 60  # within 1 mm
    assert terminus(to_m2, a1, parting=50, last=55) <= 55  # never past the M1's end


def test_an_a1_at_a_right_angle_keeps_the_parting() -> None:
    to_m2 = _to_m2()
    a1 = _line(np.zeros(3), np.array([-1.0, 0.0, 0.0]), 20.0)
    assert terminus(to_m2, a1, parting=60, last=90) == 60


def test_a_short_a1_keeps_the_parting() -> None:
    to_m2 = _to_m2()
    a1 = _line(np.zeros(3), np.array([-1.0, -1.0, 0.0]), 1.0)
    assert terminus(to_m2, a1, parting=50, last=90) == 50


def test_the_chord_steps_one_voxel_at_a_time_from_end_to_end() -> None:
    a, b = np.array([5, 5, 5]), np.array([9, 3, 6])
    line = chord(a, b)
    assert (line[0] == a).all() and (line[-1] == b).all()
    assert len(line) == 5
    assert np.abs(np.diff(line, axis=0)).max() == 1


def test_a_moved_terminus_starts_the_a1_there() -> None:
    to_m2 = np.array([[0, 0, i] for i in range(20)], dtype=np.int64)
    a1 = np.array([[0, i, 10 - i] for i in range(1, 12)], dtype=np.int64)
    a1_mm = a1.astype(float)
    assert a1_from(to_m2, a1, a1_mm, t=10, parting=10) is a1
    moved = a1_from(to_m2, a1, a1_mm, t=14, parting=10)
    assert (moved[0] == to_m2[14]).all()
    assert (moved[-1] == a1[-1]).all()
    assert np.abs(np.diff(moved, axis=0)).max() == 1
