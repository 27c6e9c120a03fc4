"""Gantry tilt: the corrected volume puts a known feature at its true patient position.

The series is sampled from a Gaussian blob at a known LPS point on a tilted grid (image plane
rising anteriorly, as for head CT along the orbitomeatal line). dcm2niix (Debian package
``dcm2niix``) is run on the same files when installed; its tilt-corrected output must place
the blob within one voxel of ours.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from dicom_factory import tilted_volume

from strokescope.io import load_volume
from strokescope.io.dicom_write import SeriesIdentity, write_ct_series
from strokescope.volume import Volume

CENTRE = np.array([3.0, 10.0, 40.0])
SPACING = (2.0, 0.8, 0.8)


def _blob(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1000.0 * np.exp(-np.sum((points - CENTRE) ** 2, axis=1) / (2 * 3.0**2))


def _centroid(vol: Volume) -> npt.NDArray[np.float64]:
    w = np.where(vol.array > 100, vol.array, 0).astype(float).ravel()
    pts = vol.geometry.index_to_lps(np.indices(vol.shape).reshape(3, -1).T)
    return (pts * w[:, None]).sum(0) / w.sum()


def _write(folder: Path, tilt_deg: float) -> None:
    vol = tilted_volume(
        _blob, shape=(30, 64, 64), spacing=SPACING, tilt_deg=tilt_deg, origin=(-20.0, -20.0, 10.0)
    )
    write_ct_series(vol, folder, SeriesIdentity(description="TILTED HEAD"))


@pytest.mark.parametrize("tilt", [-15.0, 22.0])
def test_tilt_is_corrected_onto_an_orthonormal_grid(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, tilt: float
) -> None:
    _write(tmp_path, tilt)
    with caplog.at_level(logging.WARNING, logger="strokescope.io"):
        vol = load_volume(tmp_path)
    assert vol.geometry.is_orthogonal
    assert vol.meta.gantry_tilt_deg == pytest.approx(abs(tilt), abs=0.01)
    (warning,) = vol.meta.warnings
    assert (
        f"gantry tilt {abs(tilt):.1f} deg (slices sheared); resampled onto an axis-aligned grid"
        in warning
    )
    assert warning in caplog.text
    assert vol.spacing[0] == pytest.approx(SPACING[0] * np.cos(np.radians(tilt)), rel=1e-4)
    assert vol.shape[1] > 64  # widened so that every sheared slice fits
    assert np.linalg.norm(_centroid(vol) - CENTRE) < 0.1
    # the uncorrected geometry would be off by millimetres: the check can fail
    k, j, i = np.unravel_index(np.argmax(vol.array), vol.shape)
    assert np.linalg.norm(vol.geometry.index_to_lps((k, j, i)) - CENTRE) < 1.5


@pytest.mark.skipif(shutil.which("dcm2niix") is None, reason="dcm2niix not installed")
def test_tilt_correction_agrees_with_dcm2niix(tmp_path: Path) -> None:
    from strokescope.io.sitk_convert import read_volume

    _write(tmp_path / "dcm", -15.0)
    out = tmp_path / "nii"
    out.mkdir()
    run = subprocess.run(
        ["dcm2niix", "-z", "n", "-b", "n", "-f", "tilt", "-o", str(out), str(tmp_path / "dcm")],
        capture_output=True,
        text=True,
        check=True,
    )
    corrected = sorted(out.glob("*Tilt*.nii"))
    assert corrected, run.stdout
    theirs = read_volume(corrected[0])
    ours = load_volume(tmp_path / "dcm")
    assert np.linalg.norm(_centroid(ours) - _centroid(theirs)) < min(SPACING)
    # same values where both grids see the blob: sample theirs at our voxel centres
    k, j, i = np.unravel_index(np.argmax(ours.array), ours.shape)
    idx = np.rint(theirs.geometry.lps_to_index(ours.geometry.index_to_lps((k, j, i)))).astype(int)
    assert abs(float(theirs.array[tuple(idx)]) - float(ours.array[k, j, i])) < 150.0
