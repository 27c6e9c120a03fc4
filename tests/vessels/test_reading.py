"""The arterial tree read beside the thrombus result (``strokescope.vessels.reading``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from strokescope import pipeline
from strokescope.phantom import PhantomOptions, PhantomStudy, generate_study
from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.vessels.cbs import ClotBurden
from strokescope.vessels.reading import TREE_CAVEAT, TreeReading, read_tree
from strokescope.vessels.result import (
    NOT_OPACIFIED,
    OPACIFIED,
    ArterialTree,
    ArterySegment,
    Profile,
)
from strokescope.volume import Geometry, Mask

GEOM = Geometry((20, 20, 60), (1.0, 1.0, 1.0))


def _segment(
    label: str, x0: int, x1: int, clot: tuple[int, int] | None, start_mm: float = 0.0
) -> ArterySegment:
    """A straight segment along x at (z, y) = (10, 10), 0.5 mm steps from x0 to x1, its
    profile distance ``start_mm`` at x0."""
    x = np.arange(x0, x1 + 0.25, 0.5)
    idx = np.stack([np.full(len(x), 10.0), np.full(len(x), 10.0), x], axis=1)
    pts = np.asarray(GEOM.index_to_lps(idx))
    opac = np.ones(len(x), bool) if clot is None else ~((x >= clot[0]) & (x <= clot[1]))
    hu = np.where(opac, 350.0, 50.0).astype(np.float32)
    profile = Profile("ICA terminus", x - x0 + start_mm, hu, hu - 40.0, opac)
    status = OPACIFIED if opac.all() else NOT_OPACIFIED
    drop = None if opac.all() else float((x - x0)[~opac][0])
    return ArterySegment(label, "left", pts, np.ones(len(x), np.float32), profile, status, drop)


def _tree(*segments: ArterySegment) -> ArterialTree:
    return ArterialTree(tuple(segments), (), {}, None, ClotBurden(10, None, ()), 1.0)


def _lps(point: np.ndarray) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in np.asarray(point).reshape(3))
    return (x, y, z)


def _result(*clots: tuple[int, int]) -> ThrombusResult:
    arr = np.zeros(GEOM.shape, bool)
    thrombi = []
    for k, (a, b) in enumerate(clots, start=1):
        arr[9:12, 9:12, a : b + 1] = True
        c = _lps(GEOM.index_to_lps((10.0, 10.0, (a + b) / 2)))
        thrombi.append(
            Thrombus(k, 27.0, b - a, 3.0, 60.0, 5.0, 70.0, 10.0, 1.4, "left", c, "M1", 0.9)
        )
    return ThrombusResult(
        tuple(thrombi), bool(thrombi), bool(thrombi), "LVO" if thrombi else "none",
        Mask(arr, GEOM, "thrombus"), np.eye(4), None, "stand-in", {}, "rule",
    )  # fmt: skip


def test_a_clot_on_a_cut_off_segment_agrees_and_gets_its_distance() -> None:
    reading = read_tree(_tree(_segment("M1", 5, 40, clot=(20, 28))), _result((20, 28)))
    (clot,) = reading.clots
    assert (clot.segment, clot.side, clot.profile_agrees) == ("M1", "left", True)
    assert clot.distance_mm == pytest.approx(14.0, abs=1.6)  # proximal end, 15 mm in, +-NEAR
    assert clot.not_opacified_fraction is not None and clot.not_opacified_fraction > 0.7
    assert reading.warnings == ()


def test_a_clot_from_the_ica_into_the_m1_starts_on_the_ica() -> None:
    ica = _segment("ICA supraclinoid", 5, 17, clot=(14, 17), start_mm=-12.0)
    m1 = _segment("M1", 17, 40, clot=(17, 30))
    (clot,) = read_tree(_tree(ica, m1), _result((14, 30))).clots
    assert clot.segment == "M1"  # most of it
    assert clot.distance_mm == pytest.approx(-3.0, abs=1.6)  # but it begins 3 mm below


def test_the_pdf_plots_the_clots_segment_first_and_six_at_most() -> None:
    from strokescope.outputs.pdf_profile import MAX_TREE_PLOTS, tree_plots

    drops = [_segment(f"M2 {k}", 32, 40, clot=(34, 38)) for k in range(8)]  # beyond the clot
    result = replace(_result((20, 28)), arteries=None)
    reading = read_tree(_tree(*drops, _segment("M1", 5, 40, clot=(20, 28))), _result((20, 28)))
    plots = tree_plots(replace(result, arteries=reading))
    assert len(plots) == MAX_TREE_PLOTS == 6 and plots[0].title == "Left M1 (not opacified)"
    assert plots[0].shaded_mm == (15.0, 23.0)


def test_a_clot_on_an_opacified_segment_is_a_disagreement() -> None:
    reading = read_tree(_tree(_segment("M1", 5, 40, clot=None)), _result((20, 28)))
    assert reading.clots[0].profile_agrees is False
    assert any("left M1 is opacified along the clot" in w for w in reading.warnings)


def test_a_clot_off_the_tree_and_a_drop_without_a_clot_are_both_said() -> None:
    tree = _tree(_segment("M1", 5, 40, clot=(30, 38)))
    reading = read_tree(tree, _result((50, 55)))  # the clot lies beyond the traced M1
    assert reading.clots[0].segment is None
    assert any("on no traced artery" in w for w in reading.warnings)
    assert any("left M1: the contrast column drops 25 mm" in w for w in reading.warnings)
    negative = read_tree(tree, _result())  # a negative study reads the tree too
    assert negative.clots == () and len(negative.warnings) == 1


def test_exported_warnings_name_the_tree_once() -> None:
    """The tree's own warnings already begin "arterial tree: "; the reading's do not."""
    tree = replace(
        _tree(_segment("M1", 5, 40, clot=(30, 38))),
        warnings=("arterial tree: the basilar artery was not traced",),
    )
    lines = read_tree(tree, _result()).report_warnings()
    assert "arterial tree: the basilar artery was not traced" in lines
    assert any(w.startswith("arterial tree: left M1: the contrast column drops") for w in lines)
    assert not any("arterial tree: arterial tree" in w for w in lines)


def test_the_reading_survives_its_json() -> None:
    reading = read_tree(_tree(_segment("M1", 5, 40, clot=(20, 28))), _result((20, 28)))
    doc = json.loads(json.dumps(reading.to_dict()))
    assert doc["caveat"] == TREE_CAVEAT
    back = TreeReading.from_dict(doc)
    assert back.clots == reading.clots and back.warnings == reading.warnings
    seg, orig = back.tree.segments[0], reading.tree.segments[0]
    assert (seg.label, seg.status, seg.drop_mm) == (orig.label, orig.status, orig.drop_mm)
    np.testing.assert_allclose(seg.points, orig.points, atol=0.06)
    np.testing.assert_array_equal(seg.profile.opacified, orig.profile.opacified)
    assert back.summary() == reading.summary()


@pytest.fixture(scope="module")
def m1_study() -> tuple[PhantomStudy, ThrombusResult]:
    """A quick left M1 phantom and its true clot as the thrombus result (no network)."""
    options = PhantomOptions(seed=800_001, occlusion="M1", inplane_mm=1.0, matrix=200, slice_mm=1.0)
    study = generate_study(options)
    assert study.cta is not None
    clot = study.masks["thrombus"]
    assert clot.geometry.same_grid(study.cta.geometry)
    centre = _lps(clot.geometry.index_to_lps(np.argwhere(clot.array).mean(0)))
    th = Thrombus(
        1, clot.volume_mm3, 10.0, 3.0, 60.0, 5.0, 70.0, 10.0, 1.4, options.side, centre, "M1", 0.9
    )
    result = ThrombusResult(
        (th,), True, True, "LVO", Mask(clot.array, clot.geometry, "thrombus"), np.eye(4), None,
        "stand-in", {}, "rule",
    )  # fmt: skip
    return study, pipeline.analyze_arteries(study.ncct, study.cta, result)


def test_an_m1_clot_of_a_phantom_is_read_on_its_m1(
    m1_study: tuple[PhantomStudy, ThrombusResult],
) -> None:
    study, result = m1_study
    reading = result.arteries
    assert reading is not None
    (on,) = reading.clots
    assert (on.segment, on.side, on.profile_agrees) == ("M1", study.options.side, True)
    assert on.distance_mm is not None and 0.0 <= on.distance_mm <= 30.0
    assert reading.tree.clot_burden.score in (6, 8)  # one or both halves of the M1
    assert not any("opacified along the clot" in w for w in reading.warnings)


def test_the_export_carries_the_tree_and_reads_it_back(
    m1_study: tuple[PhantomStudy, ThrombusResult], tmp_path: Path
) -> None:
    """results.json (schema 1.10) holds the reading, the PDF its numbers and plots, and the
    viewer's reader restores it."""
    study, with_tree = m1_study
    assert study.cta is not None and with_tree.arteries is not None
    folder = pipeline.export_results(tmp_path, source=study.cta, thrombus=with_tree).folder
    doc = json.loads((folder / "results.json").read_text())
    assert doc["schema_version"] == "1.10"
    assert doc["thrombus"]["arteries"]["caveat"] == TREE_CAVEAT
    assert TREE_CAVEAT in doc["warnings"]
    pdf = (folder / "report.pdf").read_bytes()
    for text in (
        b"Contrast along the arterial tree",
        b"Clot burden score",
        b"From ICA terminus",
        b"Curved planar reformat, CTA along the left ICA",
    ):
        assert text in pdf, text
    back = pipeline.read_thrombus_results(folder)
    assert back.arteries is not None
    got, want = back.arteries.to_dict(), with_tree.arteries.to_dict()
    for doc_ in (got, want):  # the length is measured on the points, stored to 0.1 mm
        lengths = [s.pop("length_mm") for s in doc_["segments"]]
        assert all(v > 0 for v in lengths)
    assert got == want
    unregistered = replace(with_tree, cta_to_ncct=None, arteries=None)
    assert pipeline.analyze_arteries(study.ncct, study.cta, unregistered).arteries is None


def test_the_pdf_reformat_shows_the_ncct_under_the_cta_through_the_registration(
    m1_study: tuple[PhantomStudy, ThrombusResult],
) -> None:
    from strokescope.outputs.pdf_cpr import cpr_key_image

    study, with_tree = m1_study
    assert study.cta is not None
    alone = cpr_key_image(study.cta, with_tree)
    both = cpr_key_image(study.cta, with_tree, study.ncct)
    assert alone is not None and both is not None
    across = alone.rgb.shape[0]
    assert both.rgb.shape == (2 * across + 2, alone.rgb.shape[1], 3)
    assert np.array_equal(both.rgb[:across], alone.rgb)  # the CTA strip unchanged
    assert "CTA along the left" in alone.caption and "CTA above the NCCT, along" in both.caption
    mid = across // 2
    lumen, ncct_row = both.rgb[mid, :5].mean(), both.rgb[across + 2 + mid, :5].mean()
    assert lumen > ncct_row + 40  # the root's lumen: bright on the CTA, grey on the NCCT
    unregistered = replace(with_tree, cta_to_ncct=None)
    none = cpr_key_image(study.cta, unregistered, study.ncct)
    assert none is not None and none.rgb.shape == alone.rgb.shape
