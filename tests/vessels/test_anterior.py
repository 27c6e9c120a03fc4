"""A side's reading whose M2 division paths do not part has not found the M1's end."""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import register_rigid
from strokescope.thrombus.shifts import make_case
from strokescope.vessels import arterial_tree
from strokescope.vessels.anterior import divisions_part


def _mm(path: np.ndarray) -> np.ndarray:
    return path.astype(float)  # 1 mm voxels


def _run(start: tuple[int, int, int], step: tuple[int, int, int], n: int) -> np.ndarray:
    return np.asarray(start) + np.arange(n)[:, None] * np.asarray(step)


def test_division_paths_part_only_where_each_runs_on_by_itself() -> None:
    trunk = _run((0, 0, 0), (0, 0, 1), 30)
    sup = np.vstack([trunk, _run((0, 1, 29), (0, 1, 0), 20)])  # parts after 30 mm
    inf = np.vstack([trunk, _run((1, 0, 29), (1, 0, 0), 20)])
    assert divisions_part(sup, inf, _mm)
    # the superior region reached on the inferior division: its path a prefix of the other
    assert not divisions_part(inf[:40], inf, _mm)
    assert not divisions_part(sup, sup[:45], _mm)
    assert not divisions_part(sup, np.vstack([trunk, _run((1, 0, 29), (1, 0, 0), 3)]), _mm)
    assert not divisions_part(None, inf, _mm)


def test_a_superior_m2_clot_is_read_on_the_m2_not_on_a_long_m1() -> None:
    """Calibration head 800010: a left superior M2 clot. The anatomy's-extremes reading
    reached the superior region on the inferior division's path, so the M1 ran 92 mm to
    its end and the clot was read as M1 (CBS 5 against the truth's 9); the head-frame
    reading's divisions part where the truth's do."""
    case = make_case("in-distribution", 10, quick=True, seed0=800_000)
    assert case.occlusion == "M2"
    tree = arterial_tree(case.ncct, case.cta, register_rigid(case.cta, case.ncct))
    assert tree.clot_burden.score == 9
    assert tree.clot_burden.occluded == ("M2 superior",)
    m1 = tree.segment("M1", "left")
    assert m1 is not None and m1.length_mm < 40.0
