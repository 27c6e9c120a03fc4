"""The DICOM node of ``strokescope listen``: receive studies, analyse them, send results back.

A thin shell over :mod:`strokescope.pipeline`: a Storage SCP (pynetdicom) writes each
instance atomically into a study store and indexes it in SQLite
(:mod:`strokescope.node.index`); a study with no new instance for the quiet time is
classified and analysed (:mod:`strokescope.node.analysis`); its DICOM results are queued
in the same database and sent to every destination with retry and backoff
(:mod:`strokescope.node.sender`). :mod:`strokescope.node.service` runs the three together.
"""
