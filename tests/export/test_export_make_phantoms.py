"""The phantom training set: deterministic options, resumable, regenerated when they change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from export.dataset import list_cases  # noqa: E402
from export.make_phantoms import random_options, write_phantom_dataset  # noqa: E402


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
    logged[ids[0]]["sah"] = not logged[ids[0]]["sah"]  # as if the option draw had changed
    (tmp_path / "phantom_options.json").write_text(json.dumps(logged))
    write_phantom_dataset(tmp_path, n=1, seed=5, tiny=True)
    assert label.read_bytes() != b"kept"
    assert json.loads((tmp_path / "phantom_options.json").read_text())[ids[0]] == json.loads(
        json.dumps(random_options(5, 0, tiny=True).to_dict())
    )
