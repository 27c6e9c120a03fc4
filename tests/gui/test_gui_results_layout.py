"""The results tables read without horizontal scrolling at a 1600 x 1000 window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTableWidget
from test_export_action import measure_bleed
from test_gui_thrombus_settings import fake_analyze

from strokescope import pipeline


def test_results_tables_fit_a_1600_by_1000_window(qtbot, window, study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    window.resize(1600, 1000)
    measure_bleed(qtbot, window, study, timeout=120000)
    window.acts["thrombus"].trigger()
    qtbot.waitUntil(lambda: not window.busy, timeout=120000)
    assert window.thrombus is not None and window.ht.result is not None
    QApplication.processEvents()
    assert (window.width(), window.height()) == (1600, 1000)
    results = window.results
    for table in (results.thrombus_table, results.outcome.table, results.roi_table):
        assert isinstance(table, QTableWidget) and table.rowCount() >= 1
        assert table.isVisible()
        assert not table.horizontalScrollBar().isVisible(), table.objectName()
        used = sum(table.columnWidth(c) for c in range(table.columnCount()))
        assert used <= table.viewport().width(), table.objectName()
        # nothing elided: every cell's text fits its column (wrapped text: its row grew)
        metrics = table.fontMetrics()
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                text = table.item(r, c).text()
                lines = max(1, -(-metrics.horizontalAdvance(text) // table.columnWidth(c)))
                assert table.rowHeight(r) >= lines * metrics.height(), (table.objectName(), text)
