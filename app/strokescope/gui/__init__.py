"""StrokeScope desktop viewer (PySide6 + pyqtgraph).

The only package that imports Qt. It holds no image processing: every analysis is a call to
:mod:`strokescope.pipeline`, run in a :class:`~strokescope.gui.worker.Worker` thread. Start it
with ``strokescope gui [DIR]`` or ``strokescope-gui [DIR]`` (:func:`strokescope.gui.app.main`).
"""
