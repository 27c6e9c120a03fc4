"""What pydicom says about a series reaches the user once, as one log line (not a warning)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from dicom_factory import set_tags, write_stack

from strokescope.io import load_volume
from strokescope.io.dicom_read import read_dataset
from strokescope.outputs.source_refs import read_source_headers

BAD_UID = "1.2.826.0.1.3680043.10.1467.05"  # a component with a leading zero
NOTE = f"Invalid value for VR UI: '{BAD_UID}'."


def _with_bad_series_uid(folder: Path, n: int) -> None:
    for path in write_stack(folder, [2.0 * k for k in range(n)]):
        set_tags(path, SeriesInstanceUID=BAD_UID)


def test_a_series_note_is_one_log_line_from_scan_to_export(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _with_bad_series_uid(tmp_path, 4)
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        vol = load_volume(tmp_path)
        headers = read_source_headers(vol)  # the export reads the same headers again
    assert headers is not None and len(headers) == 4
    assert [str(w.message) for w in caught if "pydicom" in w.filename] == []
    noted = [r.getMessage() for r in caplog.records if BAD_UID in r.getMessage()]
    assert noted == [f"pydicom warnings in 4 of 4 file(s): {NOTE}"]
    assert vol.meta.warnings == (noted[0],)


def test_outside_a_scan_pydicom_notes_are_logged_not_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _with_bad_series_uid(tmp_path, 1)
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        read_dataset(tmp_path / "IM00001.dcm")
    assert [str(w.message) for w in caught if "pydicom" in w.filename] == []
    assert [r.getMessage().split(" Please see")[0] for r in caplog.records] == [NOTE]
