"""CTA signs of an occluded artery (strokescope.thrombus.vessel_evidence) on drawn tubes.

Two mirror-image arteries run left and right of a midsagittal plane at x = 40 mm. A clot
inside the left one shows both signs; blood lying beside a patent artery shows neither.
"""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import PLANE, RADIUS, analyse_scene, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.candidate_rules import no_occlusion_reason
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.report_text import format_result
from strokescope.thrombus.result import Thrombus
from strokescope.thrombus.rules import Rules
from strokescope.thrombus.vessel_evidence import opacified, vessel_evidence
from thrombus_results import thrombus_result


def _evidence(clot: bool, blob: bool, middle: bool = False):  # type: ignore[no-untyped-def]
    ncct, cta, mask = scene(clot=clot, blob=blob, middle=middle)
    index = np.argwhere(mask)
    points = cta.geometry.index_to_lps(index.astype(float))
    line = centerline(index, cta.geometry)
    volume = len(index) * cta.geometry.voxel_volume_mm3
    return vessel_evidence(points, line, volume, PLANE, cta, ncct, identity_registration())


def test_opacified_is_contrast_not_brightness() -> None:
    ncct, cta, _ = scene(clot=False, blob=False)
    n = np.array([40.0, 800.0, 60.0, 40.0, 35.0], dtype=np.float32)
    c = np.array([160.0, 820.0, 95.0, 95.0, 45.0], dtype=np.float32)
    # weak bolus lumen; bone; pervious clot (35 HU of contrast); lumen below 100 HU; brain
    expected = [True, False, False, False, False]
    points = cta.geometry.index_to_lps(np.array([[20, 30, 20 + 10 * k] for k in range(5)], float))
    idx = tuple(np.rint(cta.geometry.lps_to_index(points)).astype(int).T)
    ncct.array[idx], cta.array[idx] = n, c
    assert opacified(points, cta, ncct, identity_registration()).tolist() == expected


def test_clot_in_an_artery_shows_both_signs() -> None:
    ev = _evidence(clot=True, blob=False)
    assert ev.inline_lumen >= 0.8  # the lumen goes on beyond both ends
    assert ev.mirrored_lumen >= 0.9  # the right artery lies at its mirror image
    assert ev.own_lumen <= 0.45  # only the voxels near its two ends touch lumen
    assert ev.missing_artery >= 0.5


def test_a_candidate_inside_a_longer_clot_is_followed_to_the_lumen() -> None:
    ev = _evidence(clot=True, blob=False, middle=True)
    assert ev.inline_lumen >= 0.8  # 3 mm of clot lie beyond either end, then the lumen


def test_blood_beside_a_patent_artery_shows_neither() -> None:
    ev = _evidence(clot=False, blob=True)
    assert ev.inline_lumen <= 0.1  # beyond its ends lies brain, the artery runs beside it
    assert ev.own_lumen >= 0.1  # its inner side touches the patent artery ...
    assert ev.missing_artery <= 0.1  # ... as its mirror image touches the other one


@pytest.mark.parametrize(
    ("inline", "missing", "kept_clot", "kept_blob"),
    [(0.3, None, True, False), (None, 0.3, True, False), (0.3, 0.3, True, False)],
)
def test_rule_keeps_the_clot_and_drops_the_blood(
    inline: float | None, missing: float | None, kept_clot: bool, kept_blob: bool
) -> None:
    rules = Rules(min_inline_lumen=inline, min_missing_artery=missing)
    assert rules.uses_vessel_evidence
    assert (no_occlusion_reason(_evidence(clot=True, blob=False), rules) is None) == kept_clot
    reason = no_occlusion_reason(_evidence(clot=False, blob=True), rules)
    assert (reason is None) == kept_blob
    assert reason is not None and reason.startswith("no CTA sign of an occluded artery")
    assert "CTA sign of occlusion" in rules.describe()


@pytest.mark.parametrize(
    ("inline", "missing", "no_sign"),
    [(0.05, -0.1, True), (0.5, -0.1, False), (0.05, 0.4, False), (None, None, False)],
)
def test_a_thrombus_without_a_cta_sign_says_so(
    inline: float | None, missing: float | None, no_sign: bool
) -> None:
    t = Thrombus(
        1, 90.0, 12.0, 3.0, 60.0, 4.0, 70.0, 10.0, 1.4, "left", (1.0, 2.0, 3.0), "M1", 0.9,
        cta_lumen_in_line=inline, cta_missing_artery=missing,
    )  # fmt: skip
    assert t.occlusion_sign_missing() == no_sign
    text = format_result(thrombus_result(t))
    assert ("CTA lumen in line" in text) == (inline is not None)
    if inline is not None:
        assert f"CTA lumen in line {inline:.0%}" in text


def test_rule_is_off_unless_the_manifest_sets_it() -> None:
    assert not Rules().uses_vessel_evidence
    assert "CTA sign" not in Rules().describe()


@pytest.mark.parametrize(
    ("clot", "scan_only", "kept"),
    [(False, True, False), (False, False, True), (True, True, True)],
)
def test_only_what_the_scan_alone_proposed_must_show_a_sign(
    clot: bool, scan_only: bool, kept: bool
) -> None:
    rules = Rules(
        fine_scan=True, scan_needs_cta_sign=True, min_inline_lumen=0.12, min_missing_artery=0.12
    )
    thrombi, _ = analyse_scene(clot=clot, rules=rules, scan_only=scan_only)
    assert len(thrombi) == int(kept)


def test_the_sign_rule_reads_the_clot_as_followed() -> None:
    """A network that finds 4 mm in the middle of a 26 mm clot stops 11 mm short of the
    lumen at either end, beyond the sign's own 8 mm march: the candidate alone shows no
    lumen in line, the clot followed to its ends does, so the rule keeps it."""
    ncct, cta, _ = scene(clot=False, blob=False)
    clot = tube(15.0, 46.0, 72.0, RADIUS)
    ncct.array[clot], cta.array[clot] = 62.0, 70.0
    middle = tube(15.0, 57.0, 61.0, RADIUS)
    index = np.argwhere(middle)
    g = cta.geometry
    alone = vessel_evidence(
        g.index_to_lps(index.astype(float)), centerline(index, g),
        len(index) * g.voxel_volume_mm3, PLANE, cta, ncct, identity_registration(),
    )  # fmt: skip
    assert alone.inline_lumen < 0.12
    found = []
    for follow in (0.0, 15.0):
        rules = Rules(min_inline_lumen=0.12, extend_along_axis_mm=follow)
        found.append(len(read_candidate(middle, ncct, cta, rules)))
    assert found == [0, 1]
