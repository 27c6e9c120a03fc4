"""A write that fails or comes out short (full disk, file size limit) fails the export in
one line and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_cases import Study, file_size_limit

from strokescope.errors import ExportError
from strokescope.io import sitk_convert
from strokescope.outputs import export_results
from strokescope.volume import Mask


def test_short_nifti_write_fails_the_export(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_mask = sitk_convert.write_mask

    def short_write(mask: Mask, path: Path) -> Path:
        with file_size_limit(200):  # SimpleITK truncates silently past this
            return write_mask(mask, path)

    monkeypatch.setattr(sitk_convert, "write_mask", short_write)
    with pytest.raises(ExportError, match=r"hemorrhage_mask\.nii\.gz") as err:
        export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_write_error_is_one_line(study: Study, tmp_path: Path) -> None:
    with file_size_limit(4096), pytest.raises(ExportError) as err:
        export_results(tmp_path, source=study.cta, thrombus=study.thrombus)
    message = str(err.value)
    assert message == f"{tmp_path}: cannot write results (File too large)"
    assert list(tmp_path.iterdir()) == []
