"""The results panel's "Recanalization-related features" box: the rows of the PDF report
(label, value and unit or "absent: reason", the definition as tooltip) and the outcome
model's line, for a clot, a negative study and a study without CTA."""

from __future__ import annotations

from strokescope.gui.results_panel import ResultsPanel
from strokescope.outcome.definitions import DEFINITIONS
from strokescope.outcome.features import NEEDS_TREE, NO_REFERENCE
from strokescope.outcome.prediction import NO_MODEL, OutcomePrediction
from strokescope.thrombus import ThrombusResult
from strokescope.thrombus.result import Thrombus
from thrombus_results import thrombus_result

MODEL = "Site A (n=240), cross-validated AUC 0.74 (95 % CI 0.68-0.80)"


def _result(*, clot: bool = True, assessed: bool = True) -> ThrombusResult:
    t = Thrombus(1, 120.0, 18.0, 3.0, 70.0, 5.0, 80.0, 10.0, 1.6, "left", (0, 0, 0), "M1", 0.9)
    return thrombus_result(t) if clot else thrombus_result(assessed=assessed)


def _cells(panel: ResultsPanel) -> list[tuple[str, str]]:
    table = panel.outcome.table
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def test_features_and_probability_beside_the_model_card(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    prediction = OutcomePrediction(0.62, None, MODEL, ("clot_length_mm",))
    panel.set_thrombus(_result(), prediction)
    cells = dict(_cells(panel))
    assert list(cells) == [d.label for d in DEFINITIONS]
    assert cells["Occlusion site"] == "M1" and cells["Clot length"] == "18.0 mm"
    assert cells["Relative attenuation"] == "1.60"
    assert cells["Clot burden score"] == f"absent: {NEEDS_TREE}"
    assert cells["Collateral grade"] == f"absent: {NO_REFERENCE}"  # no ratio measured
    tips = [panel.outcome.table.item(r, 0).toolTip() for r in range(len(DEFINITIONS))]
    assert tips == [d.text() for d in DEFINITIONS]
    line = panel.outcome.line.text()
    assert "mTICI >= 2c) 0.62" in line and MODEL in line
    panel.set_thrombus(_result())
    assert panel.outcome.line.text() == NO_MODEL
    panel.set_thrombus(None)
    assert panel.outcome.table.rowCount() == 0 and NO_MODEL not in panel.outcome.line.text()


def test_negative_and_no_cta_studies_show_every_feature_absent(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    for result, why in (
        (_result(clot=False), "no thrombus found on NCCT + CTA"),
        (_result(clot=False, assessed=False), "thrombus not assessed: no CTA series"),
    ):
        panel.set_thrombus(result)
        assert _cells(panel) == [(d.label, f"absent: {why}") for d in DEFINITIONS]
        assert panel.outcome.line.text() == NO_MODEL
