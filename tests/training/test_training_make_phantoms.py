"""The phantom training set: deterministic options, resumable, regenerated when they change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training.dataset import list_cases, read_case
from training.make_phantoms import random_options, write_phantom_dataset


def test_a_case_is_kept_while_its_options_hold_and_rewritten_when_they_change(
    tmp_path: Path,
) -> None:
    ids = write_phantom_dataset(tmp_path, n=1, seed=5, tiny=True)
    assert list_cases(tmp_path) == ids
    label = tmp_path / "labelsTr" / f"{ids[0]}.nii.gz"
    logged = json.loads((tmp_path / "phantom_options.json").read_text())
    assert logged[ids[0]]["seed"] == random_options(5, 0, tiny=True).seed
    label.write_bytes(b"kept")  # a marker: a kept case is not rewritten
    write_phantom_dataset(tmp_path, n=1, seed=5, tiny=True)
    assert label.read_bytes() == b"kept"
    del logged[ids[0]]["ncct_short_mm"]  # logged before the field existed, at its default
    (tmp_path / "phantom_options.json").write_text(json.dumps(logged))
    write_phantom_dataset(tmp_path, n=1, seed=5, tiny=True)
    assert label.read_bytes() == b"kept"
    logged[ids[0]]["sah"] = not logged[ids[0]]["sah"]  # as if the option draw had changed
    (tmp_path / "phantom_options.json").write_text(json.dumps(logged))
    write_phantom_dataset(tmp_path, n=1, seed=5, tiny=True)
    assert label.read_bytes() != b"kept"
    assert json.loads((tmp_path / "phantom_options.json").read_text())[ids[0]] == json.loads(
        json.dumps(random_options(5, 0, tiny=True).to_dict())
    )


def test_cases_written_by_several_processes_equal_those_written_by_one(tmp_path: Path) -> None:
    one = write_phantom_dataset(tmp_path / "one", n=3, seed=6, tiny=True)
    many = write_phantom_dataset(tmp_path / "many", n=3, seed=6, tiny=True, jobs=3)
    assert one == many == list_cases(tmp_path / "many")
    logs = [
        json.loads((tmp_path / d / "phantom_options.json").read_text()) for d in ("one", "many")
    ]
    assert logs[0] == logs[1] and sorted(logs[1]) == list(many)
    for case_id in one:
        a, b = (read_case(tmp_path / d, case_id) for d in ("one", "many"))
        np.testing.assert_array_equal(a.cta.array, b.cta.array)
        np.testing.assert_array_equal(a.label.array, b.label.array)


def test_random_options_cover_every_site_and_option_and_are_deterministic() -> None:
    drawn = [random_options(3, i) for i in range(400)]
    assert [o.to_dict() for o in drawn[:20]] == [random_options(3, i).to_dict() for i in range(20)]
    assert {o.occlusion for o in drawn} == {"none", "ICA", "M1", "M2", "A1", "basilar", "P1"}
    assert {o.kernel for o in drawn} == {"standard", "smooth", "sharp"}
    posterior = [o.sah for o in drawn if o.occlusion in ("basilar", "P1")]
    anterior = [o.sah for o in drawn if o.occlusion not in ("basilar", "P1")]
    assert len(posterior) >= 30 and sum(posterior) / len(posterior) > 0.55
    assert 0.25 < sum(anterior) / len(anterior) < 0.45
    own = [o for o in drawn if o.cta_kernel is not None]
    assert 0.4 < len(own) / len(drawn) < 0.6
    assert all(o.cta_kernel != o.kernel for o in own)
    assert {(o.kernel, o.cta_kernel) for o in own} == {
        (a, b) for a in ("standard", "smooth", "sharp") for b in ("standard", "smooth", "sharp")
    } - {(k, k) for k in ("standard", "smooth", "sharp")}
    assert {o.cow_variant for o in drawn} == {"normal", "hypoplastic_a1", "fetal_pca", "absent_p1"}
    for flag in ("veins", "dural_calcification", "aneurysm", "partial_fov", "calcification", "sah"):
        share = sum(bool(getattr(o, flag)) for o in drawn) / len(drawn)
        assert 0.1 < share < 0.97, (flag, share)

    def spread(name: str) -> tuple[float, float]:
        values = [getattr(o, name) for o in drawn if getattr(o, name) is not None]
        return min(values), max(values)

    wanted = {
        "haematocrit_pct": (32.0, 58.0),
        "cta_lumen_hu": (150.0, 600.0),
        "venous_hu": (0.0, 350.0),
        "hu_offset": (-12.0, 12.0),
        "noise_hu": (2.0, 14.0),
        "vessel_scale": (0.7, 1.3),
        "tortuosity": (0.0, 1.0),
        "distal_enhancement": (0.0, 1.0),
        "perviousness_hu": (0.0, 30.0),
        "thrombus_hu": (40.0, 90.0),
        "noise_texture_mm": (0.3, 1.5),
    }
    for name, (low, high) in wanted.items():
        got = spread(name)
        margin = 0.08 * (high - low)
        assert low <= got[0] < low + margin and high - margin < got[1] <= high, (name, got)
    angles = [a for o in drawn for a in o.rotation_deg]
    assert min(angles) < -23.0 and max(angles) > 23.0
    assert sum(o.venous_hu == 0.0 for o in drawn) / len(drawn) == pytest.approx(0.7, abs=0.08)
