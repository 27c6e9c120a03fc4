"""DICOM Segmentation (binary, highdicom): one segment per finding type.

Segment 1 is the thrombus (SNOMED CT 396339007), segment 2 the hemorrhage (50960005), in
that order when both are present; both under the category "Morphologically Altered
Structure" (49755003). When the thrombus result holds the labelled arterial tree, the last
segment is the tree, every traced segment drawn to its lumen radius ("Cerebral artery",
88556005, under "Anatomical Structure", 91723000); its labels, opacification and clot
burden score are in the SR. Frames are the source images' planes, so (0020,0032) Image Position
and (0020,0037) Image Orientation of every frame equal those of the CT slice it derives
from; see :mod:`strokescope.outputs.source_refs` for resampled volumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from strokescope import RESEARCH_ONLY, __version__
from strokescope.outputs import codes as cc
from strokescope.outputs.codes import Algorithm
from strokescope.volume import Mask, Volume

MANUFACTURER = "StrokeScope (open source)"
MODEL_NAME = "StrokeScope"


@dataclass(frozen=True)
class SegmentSpec:
    """One segment to write: its label, coded type, anatomic region and algorithm."""

    label: str
    property_type: Code
    region: Code
    mask: Mask
    algorithm: Algorithm
    tracking_id: str
    category: Code = cc.MORPHOLOGICALLY_ALTERED


def _algorithm_sequence(alg: Algorithm) -> hd.AlgorithmIdentificationSequence:
    params = dict(alg.parameters) or None
    if params:  # (0066,0032) Algorithm Parameters is LT; keep each value short
        params = {k: v[:1024] for k, v in params.items()}
    return hd.AlgorithmIdentificationSequence(
        name=alg.name,
        family=codes.cid7162.ArtificialIntelligence,
        version=alg.version,
        parameters=params,
    )


def _descriptions(specs: Sequence[SegmentSpec]) -> list[hd.seg.SegmentDescription]:
    out = []
    for number, spec in enumerate(specs, 1):
        out.append(
            hd.seg.SegmentDescription(
                segment_number=number,
                segment_label=spec.label,
                segmented_property_category=spec.category,
                segmented_property_type=spec.property_type,
                algorithm_type=(
                    hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC
                    if spec.algorithm.automatic
                    else hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC
                ),
                algorithm_identification=_algorithm_sequence(spec.algorithm),
                tracking_uid=hd.UID(),
                tracking_id=spec.tracking_id,
                anatomic_regions=[spec.region],
            )
        )
    return out


def _derived_geometry(
    vol: Volume,
) -> tuple[hd.PixelMeasuresSequence, hd.PlaneOrientationSequence, list[hd.PlanePositionSequence]]:
    geom = vol.geometry
    d = np.asarray(geom.direction)
    normal = np.cross(d[:, 2], d[:, 1])
    step = abs(float(np.dot(geom.matrix[:, 0], normal / np.linalg.norm(normal))))
    measures = hd.PixelMeasuresSequence(
        pixel_spacing=(geom.spacing[1], geom.spacing[2]),
        slice_thickness=vol.meta.slice_thickness_mm or step,
        spacing_between_slices=step,
    )
    orientation = hd.PlaneOrientationSequence(
        coordinate_system="PATIENT",
        image_orientation=(*d[:, 2].tolist(), *d[:, 1].tolist()),
    )
    positions = [
        hd.PlanePositionSequence(
            coordinate_system="PATIENT",
            image_position=tuple(float(v) for v in geom.index_to_lps((k, 0, 0))),
        )
        for k in range(geom.shape[0])
    ]
    return measures, orientation, positions


def build_seg(
    source: Volume,
    headers: Sequence[Dataset],
    specs: Sequence[SegmentSpec],
    *,
    series_uid: str,
    sop_uid: str,
    same_grid: bool,
    series_number: int = 901,
) -> hd.seg.Segmentation:
    """A binary SEG of ``specs`` (masks on ``source``'s grid) referencing ``headers``.

    ``same_grid`` says the volume's slices are exactly the source images (then frame ``k``
    derives from ``headers[k]``); otherwise the SEG carries the volume's own plane
    positions and references the source series as a whole.
    """
    # Boolean masks viewed as 0/1 bytes: one segment costs no copy (an interleaved copy of
    # 84 MB cost 1.2 s at 512 x 512 x 320 on the 2-core reference machine).
    masks = [np.asarray(spec.mask.array, dtype=bool) for spec in specs]
    pixels = (masks[0][..., None] if len(masks) == 1 else np.stack(masks, axis=-1)).view(np.uint8)
    pixels.flags.writeable = False  # a view of the result's own mask: never written through
    measures = orientation = positions = None
    if not same_grid:
        measures, orientation, positions = _derived_geometry(source)
    seg = hd.seg.Segmentation(
        source_images=list(headers),
        pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=_descriptions(specs),
        series_instance_uid=series_uid,
        series_number=series_number,
        sop_instance_uid=sop_uid,
        instance_number=1,
        manufacturer=MANUFACTURER,
        manufacturer_model_name=MODEL_NAME,
        software_versions=__version__,
        device_serial_number="0",
        content_description=RESEARCH_ONLY,
        content_label="STROKESCOPE",
        series_description=f"StrokeScope SEG ({RESEARCH_ONLY.rstrip('.').lower()})"[:64],
        omit_empty_frames=True,
        pixel_measures=measures,
        plane_orientation=orientation,
        plane_positions=positions,
    )
    return seg
