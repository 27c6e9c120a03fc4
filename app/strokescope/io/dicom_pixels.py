"""Read the pixels of a series' frames into a preallocated float32 HU stack.

Uncompressed little-endian frames are read straight from disk at the byte offset the scan
recorded (no second header parse); everything else (JPEG Lossless, JPEG-LS, JPEG 2000, RLE,
big-endian, deflated) is decoded by pydicom with the pylibjpeg / pyjpegls plugins. Files are
read by a small thread pool; file I/O, decoding and numpy release the GIL.

HU come from the modality LUT: ``HU = stored * slope + intercept`` with (0028,1053) Rescale
Slope and (0028,1052) Rescale Intercept (per frame for Enhanced CT), or (0028,3000) Modality
LUT Sequence when present. Stored values equal to (0028,0120) Pixel Padding Value (or within
the range up to (0028,0121) Pixel Padding Range Limit) become ``padding_hu`` (air, -1024 HU,
by default) instead of their rescaled value.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.errors import DicomLoadError
from strokescope.io.dicom_read import read_dataset
from strokescope.io.pixel_layout import length_mismatch, pixel_format_of, transfer_syntax_of
from strokescope.io.series_info import FrameRef, PixelFormat

log = logging.getLogger(__name__)


def _fix_bits(raw: npt.NDArray[Any], fmt: PixelFormat) -> npt.NDArray[Any]:
    """Sign-extend or mask stored values when Bits Stored < Bits Allocated (in place)."""
    unused = fmt.bits_allocated - fmt.bits_stored
    if unused <= 0:
        return raw
    if fmt.signed:
        raw <<= unused
        raw >>= unused
    else:
        raw &= (1 << fmt.bits_stored) - 1
    return raw


def _padding_mask(raw: npt.NDArray[Any], fmt: PixelFormat) -> npt.NDArray[np.bool_] | None:
    if fmt.padding_value is None:
        return None
    if fmt.padding_limit is None:
        mask = raw == fmt.padding_value
    else:
        lo, hi = sorted((fmt.padding_value, fmt.padding_limit))
        mask = (raw >= lo) & (raw <= hi)
    return mask if mask.any() else None


def to_hu(
    raw: npt.NDArray[Any],
    out: npt.NDArray[np.float32],
    fmt: PixelFormat,
    slope: float,
    intercept: float,
    padding_hu: float,
) -> None:
    """Write ``raw * slope + intercept`` into ``out``; padding values become ``padding_hu``."""
    mask = _padding_mask(raw, fmt)
    np.multiply(raw, np.float32(slope), out=out, casting="unsafe")
    if intercept:
        out += np.float32(intercept)
    if mask is not None:
        out[mask] = padding_hu


def _read_native(frame: FrameRef, fmt: PixelFormat, shape: tuple[int, int]) -> npt.NDArray[Any]:
    raw = np.empty(shape, dtype=fmt.numpy_dtype)
    with open(frame.path, "rb") as fp:
        fp.seek(frame.pixel_offset)
        got = fp.readinto(raw.data.cast("B"))
    if got != raw.nbytes:
        raise DicomLoadError(
            f"file {frame.path}: truncated pixel data ({got} of {raw.nbytes} bytes)"
        )
    return _fix_bits(raw, fmt)


def _unchanged(frame: FrameRef) -> bool:
    try:
        st = os.stat(frame.path)
    except OSError:
        return False
    return st.st_size == frame.file_size and st.st_mtime_ns == frame.mtime_ns


def _check_native_length(ds: Any, syntax: str, n_frames: int, fmt: PixelFormat) -> None:
    """Uncompressed (7FE0,0010) Pixel Data must hold what the header says (one rule)."""
    from pydicom.uid import UID

    if UID(syntax).is_compressed or "PixelData" not in ds:
        return
    if reason := length_mismatch(len(ds.PixelData), ds, n_frames, fmt):
        raise DicomLoadError(reason)


def _decode_file(
    path: Path,
    items: Sequence[tuple[int, FrameRef]],
    out: npt.NDArray[np.float32],
    padding_hu: float,
) -> None:
    """Decode ``path`` with pydicom and write its frames to ``out[k]`` for each (k, frame)."""
    from pydicom.pixels import apply_modality_lut

    try:
        ds = read_dataset(path, stop_before_pixels=False)  # as the scan read it (force)
        syntax = transfer_syntax_of(ds)
        ds.ensure_file_meta()
        ds.file_meta.TransferSyntaxUID = syntax  # what pydicom's decoders go by
        fmt = pixel_format_of(ds, syntax)
        n_frames = int(ds.get("NumberOfFrames", 1) or 1)
        _check_native_length(ds, syntax, n_frames, fmt)
        pixels = ds.pixel_array
    except DicomLoadError as exc:
        raise DicomLoadError(f"file {path}: {exc}") from exc
    except Exception as exc:  # decoder errors arrive as many types; report them in one line
        detail = " ".join(str(exc).split())[:200]
        raise DicomLoadError(f"file {path}: cannot decode pixel data ({detail})") from exc
    if n_frames == 1:
        pixels = pixels[None]
    if pixels.ndim != 3 or pixels.shape[1:] != out.shape[1:]:
        raise DicomLoadError(
            f"file {path}: pixel data shape {pixels.shape} does not match the series "
            f"({out.shape[1]} x {out.shape[2]})"
        )
    for k, frame in items:
        raw = pixels[frame.frame]
        if fmt.modality_lut_sequence:
            mask = _padding_mask(raw, fmt)
            out[k] = apply_modality_lut(raw, ds)
            if mask is not None:
                out[k][mask] = padding_hu
        else:
            to_hu(raw, out[k], fmt, frame.slope, frame.intercept, padding_hu)


def read_frames(
    frames: Sequence[FrameRef],
    fmt: PixelFormat,
    shape_yx: tuple[int, int],
    *,
    padding_hu: float = -1024.0,
    workers: int = 2,
    on_progress: Callable[[float], None] | None = None,
) -> npt.NDArray[np.float32]:
    """HU stack (len(frames), rows, columns) float32, one slice per frame in the given order."""
    out = np.empty((len(frames), *shape_yx), dtype=np.float32)
    native: list[tuple[int, FrameRef]] = []
    decoded: dict[Path, list[tuple[int, FrameRef]]] = {}
    for k, frame in enumerate(frames):
        if frame.pixel_offset >= 0 and fmt.numpy_dtype and _unchanged(frame):
            native.append((k, frame))
        else:
            decoded.setdefault(frame.path, []).append((k, frame))

    def read_native(batch: Sequence[tuple[int, FrameRef]]) -> int:
        for k, frame in batch:
            raw = _read_native(frame, fmt, shape_yx)
            to_hu(raw, out[k], fmt, frame.slope, frame.intercept, padding_hu)
        return len(batch)

    def decode(path: Path) -> int:
        _decode_file(path, decoded[path], out, padding_hu)
        return len(decoded[path])

    chunk = 16
    jobs: list[tuple[Callable[..., int], Any]] = [
        (read_native, native[i : i + chunk]) for i in range(0, len(native), chunk)
    ]
    jobs += [(decode, path) for path in decoded]
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(fn, arg) for fn, arg in jobs]
        try:
            for fut in as_completed(futures):
                done += fut.result()
                if on_progress is not None:
                    on_progress(done / max(1, len(frames)))
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    log.debug(
        "read %d frames, %d from %d decoded files",
        len(frames),
        len(frames) - len(native),
        len(decoded),
    )
    return out
