"""Ask the node for an HT measurement: check the request, then queue it.

:func:`submit_ht_request` is what ``strokescope listen --ht`` and the viewer's Worklist
(through :func:`strokescope.pipeline.request_node_hemorrhage`) call. It finds the study in
the node's index (by the number ``strokescope listen --status`` prints, its Study Instance
UID, or a unique end of that UID), picks the study's follow-up NCCT, loads it and checks
every point and box against it, so that a bad request is refused at once in one line
(:class:`~strokescope.errors.InputError`) rather than failing in the node later. Points
in LPS millimetres become voxel indices of that series: the queue
(:mod:`strokescope.node.ht_queue`) stores the voxel syntax of ``strokescope ht
--click/--roi`` only, and the node measures on exactly the series that was checked.

The follow-up NCCT of a study is the series the role rules of
:func:`strokescope.pipeline.assign_roles` call the follow-up (an NCCT of a later date, or
one whose description says so beside another NCCT), or else, in a study without a CTA,
its NCCT: a follow-up scan usually reaches the node as a study of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.node.ht_queue import HtRequest, add_request
from strokescope.node.index import INDEX_NAME, Index, StudyRow
from strokescope.volume import Volume

Point = tuple[float, float, float]


def find_study(index: Index, study: str) -> StudyRow:
    """The study numbered ``study`` (up to 7 digits), or whose Study Instance UID is, or
    ends with, ``study`` (8 characters or more: the worklist's short UID, "…" and the last
    16 characters, is one)."""
    text = study.strip()
    number = text.isdigit() and len(text) < 8
    text = text.lstrip("…")
    rows = index.studies()
    if number:
        found = [r for r in rows if r.id == int(text)]
    else:
        found = [r for r in rows if r.study_uid == text] or [
            r for r in rows if len(text) >= 8 and r.study_uid.endswith(text)
        ]
    if not found:
        raise InputError(
            f"study {study!r}: no such study at this node ('strokescope listen --status' "
            "lists them)"
        )
    if len(found) > 1:
        raise InputError(f"study {study!r}: {len(found)} studies match; give the whole UID")
    return found[0]


def load_followup(
    root: Path, series_key: str | None = None, *, name: str = ""
) -> tuple[Volume, str]:
    """The follow-up NCCT of the study stored in ``root`` and its series key: the series
    ``series_key`` when given, else the pick of the module docstring."""
    name = name or root.name
    found = pipeline.scan(root)
    if series_key is not None:
        info = next((s for s in found.series if s.key == series_key), None)
        if info is None:
            raise InputError(f"{name}: the follow-up series of the request is no longer stored")
    else:
        roles = pipeline.assign_roles(found)
        info = roles.followup or (roles.baseline if roles.cta is None else None)
        if info is None:
            why = (
                "its NCCT is the baseline of an NCCT + CTA study (a follow-up scan usually "
                "arrives as a study of its own: ask on that one)"
                if roles.baseline is not None
                else "it holds no NCCT series"
            )
            raise InputError(f"{name}: no follow-up NCCT: {why}")
    return pipeline.load(info), info.key


def lps_click(volume: Volume, point: Point) -> str:
    """A point in LPS mm as a click in voxel syntax on ``volume`` (nearest voxel); an
    ``InputError`` when it lies outside the image."""
    index = [round(float(v)) for v in volume.geometry.lps_to_index(point)]
    for axis, (p, n) in enumerate(zip(index, volume.shape, strict=True)):
        if not 0 <= p < n:
            x, y, z = point
            raise InputError(
                f"point LPS x={x:g} y={y:g} z={z:g} mm lies outside the follow-up NCCT "
                f"({'zyx'[axis]}={p}, the image spans 0:{n - 1})"
            )
    return f"z={index[0]} y={index[1]} x={index[2]}"


def _voxel_text(
    volume: Volume, clicks: Sequence[str], rois: Sequence[str], points_lps: Sequence[Point]
) -> tuple[list[str], list[str]]:
    """The clicks (text and LPS points) and boxes in voxel syntax, each checked."""
    voxels = []
    for text in clicks:
        k, j, i = pipeline.parse_click(text, volume)  # refuses a point outside the image
        voxels.append(f"z={k} y={j} x={i}")
    voxels.extend(lps_click(volume, p) for p in points_lps)
    boxes = []
    for text in rois:
        box = pipeline.parse_roi(text, volume)
        box.resolve(volume.shape)  # refuses a box entirely outside the image
        boxes.append(box.text)
    return voxels, boxes


def submit_ht_request(
    storage: Path,
    study: str,
    *,
    clicks: Sequence[str] = (),
    rois: Sequence[str] = (),
    points_lps: Sequence[Point] = (),
) -> tuple[HtRequest, bool]:
    """Check and queue an HT request at the node storing into ``storage``; the request and
    whether it is new (see :func:`strokescope.node.ht_queue.add_request`).

    Raises
    ------
    InputError
        No node index, unknown study, no follow-up NCCT, no point or box, a point or box
        outside the follow-up NCCT, a malformed click or ROI (one line each).
    DicomLoadError
        The follow-up NCCT cannot be loaded.
    """
    if not (clicks or rois or points_lps):
        raise InputError("HT request: give a point on the bleed (a click or LPS mm) or an ROI")
    path = Path(storage) / INDEX_NAME
    if not path.is_file():
        raise InputError(f"{storage}: no DICOM node here (no {INDEX_NAME})")
    try:
        index = Index(path)
    except (OSError, sqlite3.Error) as exc:
        raise InputError(f"{path}: cannot open the node's index ({exc})") from exc
    try:
        row = find_study(index, study)
        name = f"study {row.id}"
        try:
            volume, key = load_followup(Path(storage) / row.folder, name=name)
        except OSError as exc:
            raise InputError(f"{name}: cannot read its files ({exc})") from exc
        voxels, boxes = _voxel_text(volume, clicks, rois, points_lps)
        return add_request(index, study_id=row.id, series_key=key, rois=boxes, clicks=voxels)
    finally:
        index.close()
