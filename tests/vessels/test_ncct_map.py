"""The NCCT arterial map at run time: its grid, its tiles and its manifest checks (a stand-in
network; the trained one is tested in tests/training/test_artery_map.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from strokescope.errors import InputError, ModelError
from strokescope.vessels.ncct_map import artery_map, load_artery_map, map_grid
from strokescope.volume import Geometry, Volume

pytest.importorskip("onnx")
from tests.vessels.stand_in_map import sigmoid_model


def _head(shape: tuple[int, int, int] = (40, 60, 50)) -> Volume:
    """Air with a 30 HU box (the "head") inside, 0.5 x 0.8 x 0.8 mm voxels."""
    hu = np.full(shape, -1000.0, dtype=np.float32)
    hu[10:30, 15:45, 10:40] = 30.0
    return Volume(hu, Geometry(shape, (0.5, 0.8, 0.8)))


def test_the_grid_covers_the_head_at_the_model_spacing() -> None:
    grid = map_grid(_head(), 1.0)
    assert grid.spacing == (1.0, 1.0, 1.0)
    # head voxels 10-29 (z), 15-44 (y, x), grown by 2 mm (4 and 3 voxels): 13.5 and 28 mm
    assert grid.shape == (14, 29, 29)


def test_an_image_without_a_head_is_refused_by_name() -> None:
    air = Volume(np.full((8, 8, 8), -1000.0, np.float32), Geometry((8, 8, 8), (1.0, 1.0, 1.0)))
    with pytest.raises(InputError, match="no head"):
        map_grid(air, 1.0)


def test_tiles_cover_the_head_and_skip_air(tmp_path: Path) -> None:
    model = load_artery_map(sigmoid_model(tmp_path / "m"), threads=1)
    ncct = _head((60, 90, 90))
    ncct.array[:] = -1000.0
    ncct.array[5:55, 5:85, 5:45] = 30.0  # a head wider than one tile, in a larger field of view
    result = artery_map(ncct, model)
    hu = result.hu
    head = hu > 0
    expected = 1.0 / (1.0 + np.exp(-(30.0 + 20.0) / 200.0))
    assert np.allclose(result.probability[head], expected, atol=1e-5)
    assert not result.mask.array.any()  # 0.56 < threshold 0.6
    assert result.model_version == "test"


def test_altered_or_inconsistent_models_are_refused(tmp_path: Path) -> None:
    folder = sigmoid_model(tmp_path / "bad_tile", tile=12)
    with pytest.raises(ModelError, match="tile"):
        load_artery_map(folder, threads=1)
    folder = sigmoid_model(tmp_path / "altered")
    (folder / "arteries_ncct.onnx").write_bytes(b"not a network")
    with pytest.raises(ModelError, match="sha256"):
        load_artery_map(folder, threads=1)
    with pytest.raises(ModelError, match="not installed"):
        load_artery_map(tmp_path / "empty", threads=1)
