"""Display-only helpers and the view state (no window)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.gui.display import (
    AXIAL,
    CORONAL,
    SAGITTAL,
    axis_flips,
    outline,
    overlay_rgba,
    plane,
    slab_range,
    slab_slices,
    slice_title,
)
from strokescope.gui.presets import (
    DEFAULT_PRESETS,
    WindowPreset,
    presets_from_json,
    presets_to_json,
)
from strokescope.volume import Geometry, Volume


def test_planes_keep_zyx_order_and_slab_is_a_max() -> None:
    a = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
    assert plane(a, AXIAL, 2).shape == (5, 6)
    assert plane(a, CORONAL, 1).shape == (4, 6)
    assert plane(a, SAGITTAL, 3).shape == (4, 5)
    np.testing.assert_array_equal(plane(a, AXIAL, 1, slab=3), a[0:3].max(axis=0))
    assert slab_range(0, 3, 4) == (0, 3) and slab_range(3, 3, 4) == (1, 4)
    geom = Geometry((4, 5, 6), (2.5, 1.0, 1.0))
    assert slab_slices(geom, AXIAL, 10.0) == 4 and slab_slices(geom, SAGITTAL, 10.0) == 10


def test_slice_titles_are_the_zero_based_index_roi_takes() -> None:
    # "z=12" in --roi is the 13th slice; the title says 12 and the index range, not "13/320"
    assert slice_title("axial", 12, 320) == "Axial  slice 12 (0-319)"
    assert slice_title("sagittal", 0, 1) == "Sagittal  slice 0 (0-0)"


def test_outline_and_overlay_colours() -> None:
    m = np.zeros((7, 7), bool)
    m[2:5, 2:5] = True
    ring = outline(m)
    assert ring.sum() == 8 and not ring[3, 3]
    rgba = overlay_rgba(
        {"brain": m, "thrombus": m & ~ring},
        {"brain": (0, 0, 255), "thrombus": (255, 0, 0)},
        opacity=0.5,
    )
    assert rgba is not None
    assert tuple(rgba[3, 3]) == (255, 0, 0, 128)
    assert tuple(rgba[2, 2, :3]) == (0, 0, 255)
    assert rgba[0, 0, 3] == 0
    assert (
        overlay_rgba({"thrombus": np.zeros((3, 3), bool)}, {"thrombus": (1, 2, 3)}, opacity=1)
        is None
    )


def test_a_label_overlay_is_drawn_one_colour_per_code() -> None:
    codes = np.zeros((4, 4), np.uint8)
    codes[0, :2], codes[1, :2], codes[3, 3] = 1, 2, 3  # code 3 has no colour: not drawn
    rgba = overlay_rgba(
        {"arteries": codes},
        {"arteries": (9, 9, 9)},
        opacity=1.0,
        palettes={"arteries": {1: (255, 0, 0), 2: (0, 255, 0)}},
    )
    assert rgba is not None
    assert tuple(rgba[0, 0]) == (255, 0, 0, 255) and tuple(rgba[1, 1]) == (0, 255, 0, 255)
    assert rgba[2, 0, 3] == 0 and rgba[3, 3, 3] == 0


def test_axis_flips_follow_the_direction_matrix() -> None:
    assert axis_flips(Geometry((2, 2, 2), (1, 1, 1))) == (False, False, False)
    reversed_axes = ((0.0, 0.0, -1.0), (0.0, -1.0, 0.0), (-1.0, 0.0, 0.0))
    assert axis_flips(Geometry((2, 2, 2), (1, 1, 1), direction=reversed_axes)) == (
        True,
        True,
        True,
    )


def test_presets_round_trip_and_validate() -> None:
    names = [p.name for p in DEFAULT_PRESETS]
    assert names[:3] == ["Brain", "Stroke", "Narrow"]
    assert (DEFAULT_PRESETS[-1].width, DEFAULT_PRESETS[-1].level) == (2500, 480)
    custom = (WindowPreset("Mine", 123, 45),)
    assert presets_from_json(presets_to_json(custom)) == custom
    assert presets_from_json("not json") == DEFAULT_PRESETS
    with pytest.raises(InputError):
        WindowPreset("bad", 0, 40)


def test_view_state_maps_the_cursor_through_patient_space(qtbot: object) -> None:
    from strokescope.gui.view_state import ViewState

    state = ViewState()
    fine = Volume.from_array(np.zeros((20, 40, 40)), (1.0, 0.5, 0.5))
    coarse = Volume.from_array(np.zeros((4, 20, 20)), (5.0, 1.0, 1.0))
    state.set_volume(fine)
    assert state.cursor == (10, 20, 20)
    state.set_cursor((10, 20, 30))
    state.set_volume(coarse)
    assert state.cursor == (2, 10, 15)  # same LPS point: z 10 mm, y 10 mm, x 15 mm
    state.set_cursor((99, -5, 3))
    assert state.cursor == (3, 0, 3)
    state.set_window(0.0, 40.0)
    assert state.window.width == 1.0


def test_viewer_and_pdf_draw_each_finding_in_the_same_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strokescope.gui.view_state import OVERLAY_COLORS
    from strokescope.outputs import export as export_module
    from strokescope.thrombus.result import ThrombusResult
    from strokescope.volume import Mask

    seen: dict[str, tuple[int, int, int]] = {}

    def capture(vol: Volume, overlays: list[Any], **kwargs: Any) -> Any:
        seen.update({ov.mask.name: tuple(ov.color) for ov in overlays})
        raise RuntimeError("captured")

    monkeypatch.setattr(export_module, "render_key_images", capture)
    geometry = Geometry((8, 16, 16), (1.0, 1.0, 1.0))
    vol = Volume(np.zeros(geometry.shape, np.float32), geometry)
    mask = np.zeros(geometry.shape, bool)
    mask[3:5, 6:9, 6:9] = True
    thrombus = ThrombusResult(
        thrombi=(),
        occlusion=False,
        lvo=False,
        occlusion_class="none",
        mask=Mask(mask, geometry, "thrombus"),
        cta_to_ncct=None,
        registration_metric=None,
        model_version="test",
        model_sha256={},
        decision_rule="test",
    )
    with pytest.raises(RuntimeError, match="captured"):
        export_module.export_results(tmp_path, source=vol, thrombus=thrombus)
    assert seen == {"thrombus": OVERLAY_COLORS["thrombus"]}
