"""The NIfTI masks of an export (:mod:`strokescope.outputs.export`), each read back."""

from __future__ import annotations

import re
from pathlib import Path

from strokescope.arrays import same_content
from strokescope.errors import ExportError, StrokeScopeError
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Mask


def _itk_message(exc: RuntimeError) -> str:
    """The reason in an ITK exception's text, without its source file and object address."""
    text = str(exc).split("ITK ERROR:")[-1]
    return re.sub(r"^\s*\w+\(0x[0-9a-fA-F]+\):\s*", "", text).strip().splitlines()[0]


def write_mask_checked(mask: Mask, path: Path) -> None:
    """Write ``mask`` as NIfTI and read it back.

    SimpleITK reports a short write (disk full, file size limit) only on stderr ("wrote
    only 0 of ... bytes") and returns, so a file that does not read back equal to
    ``mask`` fails the export.

    Raises
    ------
    ExportError
        In one line, when the file cannot be written or does not read back.
    """
    from strokescope.io.sitk_convert import read_mask, write_mask

    try:
        write_mask(mask, path)
    except RuntimeError as exc:
        raise ExportError(f"{path.name}: cannot write the mask ({_itk_message(exc)})") from exc
    try:
        same = same_content(read_mask(path).array, mask.array)
    except (RuntimeError, StrokeScopeError):
        same = False
    if not same:
        raise ExportError(f"{path.name}: the mask written is incomplete (disk full?)")


def write_masks(
    staging: Path, thrombus: ThrombusResult | None, hemorrhage: HemorrhageResult | None
) -> tuple[str, ...]:
    """Each result's mask as NIfTI in ``staging``; the file names, thrombus first."""
    masks = []
    for result, name in (
        (thrombus, "thrombus_mask.nii.gz"),
        (hemorrhage, "hemorrhage_mask.nii.gz"),
    ):
        if result is not None:
            write_mask_checked(result.mask, staging / name)
            masks.append(name)
    return tuple(masks)
