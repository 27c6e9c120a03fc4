from __future__ import annotations

import pytest

from strokescope.errors import InputError
from strokescope.hemorrhage import Roi, parse_point, parse_roi
from strokescope.volume import Geometry

GEOM = Geometry((30, 224, 224), (5.0, 0.9, 0.9), origin=(-100.0, -80.0, -60.0))


def test_voxel_syntax_single_slice_range_and_all_slices() -> None:
    assert parse_roi("z=12 x=100:180 y=140:200", GEOM) == Roi(
        z=(12, 12), y=(140, 200), x=(100, 180)
    )
    assert parse_roi("z=10:14 y=1:2 x=3:4", GEOM).z == (10, 14)
    roi = parse_roi("y=1:2 x=3:4", GEOM)
    assert roi.z is None
    resolved, warnings = roi.resolve(GEOM.shape)
    assert resolved.z == (0, 29)
    assert warnings == ()


def test_mm_syntax_maps_lps_to_array_axes() -> None:
    # AXIAL_LPS: LPS x = column axis (origin -100, 0.9 mm), LPS z = slice axis (origin -60, 5 mm)
    roi = parse_roi("z=-10:0mm y=-80:-71mm x=-100:-91mm", GEOM)
    assert roi.z == (10, 12)
    assert roi.y == (0, 10)
    assert roi.x == (0, 10)
    assert parse_point("z=-10mm y=-79.1mm x=-100mm", GEOM) == (10, 1, 0)


def test_mixed_voxel_and_mm_fields() -> None:
    roi = parse_roi("z=5 y=0:9mm x=10:20", GEOM)
    assert roi.z == (5, 5)
    assert roi.y == (89, 99)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("z=1 x=1:2", "needs both x and y"),
        ("z=1 y=1:2 x=1:2 x=3", "given twice"),
        ("z=1 y=a:b x=1:2", "cannot read"),
        ("z=1.5 y=1:2 x=1:2", "must be whole"),
        ("z=3:1 y=1:2 x=1:2", "start is after end"),
    ],
)
def test_malformed_roi_text(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_roi(text, GEOM)


def test_resolve_clips_partial_and_rejects_outside() -> None:
    clipped, warnings = Roi(z=(25, 40), y=(-5, 10), x=(0, 10)).resolve(GEOM.shape)
    assert clipped == Roi(z=(25, 29), y=(0, 10), x=(0, 10))
    assert warnings and "clipped" in warnings[0]
    with pytest.raises(InputError, match="outside the image"):
        Roi(z=(0, 1), y=(300, 310), x=(0, 10)).resolve(GEOM.shape)


def test_click_errors() -> None:
    with pytest.raises(InputError, match="single value"):
        parse_point("z=1:2 y=1 x=1", GEOM)
    with pytest.raises(InputError, match="needs z, y and x"):
        parse_point("y=1 x=1", GEOM)
    with pytest.raises(InputError, match="outside the image"):
        parse_point("z=40 y=1 x=1", GEOM)


def test_text_round_trips() -> None:
    roi = Roi(z=(3, 7), y=(10, 20), x=(30, 40))
    assert parse_roi(roi.text, GEOM) == roi


@pytest.mark.parametrize("axis", ["z", "y", "x"])
def test_partly_outside_warns_and_wholly_outside_fails_alike_on_every_axis(axis: str) -> None:
    n = GEOM.shape["zyx".index(axis)]
    inside = {"z": (2, 4), "y": (10, 20), "x": (10, 20)}
    for partial in ((-3, 5), (n - 3, n + 5)):
        clipped, warnings = Roi(**{**inside, axis: partial}).resolve(GEOM.shape)
        assert getattr(clipped, axis) == (max(partial[0], 0), min(partial[1], n - 1))
        assert len(warnings) == 1 and "clipped to the image" in warnings[0]
    for outside in ((-9, -1), (n, n + 4)):
        with pytest.raises(InputError, match=rf"{axis}=.* is outside the image \(0:{n - 1}\)"):
            Roi(**{**inside, axis: outside}).resolve(GEOM.shape)
