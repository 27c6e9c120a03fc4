"""The pipeline API: the same calls the CLI and the GUI make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from strokescope import pipeline
from strokescope.errors import Cancelled, DicomLoadError
from strokescope.io.dicom_write import write_ct_series
from strokescope.volume import Volume


@pytest.fixture
def series_dir(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    vol = Volume.from_array(rng.normal(30, 4, (12, 32, 32)), (2.0, 0.8, 0.8))
    write_ct_series(vol, tmp_path / "s")
    return tmp_path / "s"


def test_scan_then_load_gives_the_written_volume(series_dir: Path) -> None:
    found = pipeline.scan(series_dir)
    assert [s.n_slices for s in found.series] == [12]
    vol = pipeline.load(found.series[0])
    assert vol.shape == (12, 32, 32)
    assert vol.spacing == pytest.approx((2.0, 0.8, 0.8))
    assert pipeline.load(series_dir).array == pytest.approx(vol.array)


def test_progress_callback_can_cancel_loading(series_dir: Path) -> None:
    seen: list[float] = []

    def cancel(fraction: float) -> None:
        seen.append(fraction)
        raise Cancelled

    with pytest.raises(Cancelled):
        pipeline.scan(series_dir, on_progress=cancel)
    assert len(seen) == 1


def test_bad_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DicomLoadError) as err:
        pipeline.scan(tmp_path)
    assert "\n" not in str(err.value) and str(tmp_path) in str(err.value)


def test_model_version_names_the_manifest_and_a_checksum_digest() -> None:
    import json

    from strokescope.resources import models_dir

    version, digest = pipeline.thrombus_model_version()
    manifest = json.loads((models_dir() / "manifest.json").read_text(encoding="utf-8"))
    assert version == manifest["version"]
    assert len(digest) == 12 and int(digest, 16) >= 0


def test_a_rule_change_changes_the_model_digest(tmp_path: Path) -> None:
    """Batch runs resume by this digest: results of other rules must not be reused."""
    import json
    import shutil

    from strokescope.resources import models_dir

    folder = tmp_path / "models"
    shutil.copytree(models_dir(), folder)
    before = pipeline.thrombus_model_version(folder)[1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["decision"]["min_component_volume_mm3"] += 1.0  # any rule, another value
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert pipeline.thrombus_model_version(folder)[1] != before


def test_assign_roles_picks_the_only_ncct(series_dir: Path) -> None:
    roles = pipeline.assign_roles(pipeline.scan(series_dir))
    assert roles.baseline is not None and roles.cta is None
