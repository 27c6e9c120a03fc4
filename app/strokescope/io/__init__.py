"""DICOM discovery and series building, and the SimpleITK/NIfTI bridge.

``scan_folder`` finds the image series in a folder, ``load_series`` builds one HU volume from
a series, ``load_volume`` does both for a user's path (or reads a NIfTI/NRRD/MHA file);
``scan_source`` and ``pick_series`` are the path and ``--series`` rules they share with
``strokescope info``.
Importing this package is light: pydicom and SimpleITK are imported when first needed.
"""

from strokescope.io.dicom_load import load_series, load_volume
from strokescope.io.dicom_scan import scan_folder, scan_folder_report
from strokescope.io.series_info import FolderScan, FrameRef, PixelFormat, SeriesInfo, SkippedItem
from strokescope.io.series_select import pick_series, scan_source, select_series

__all__ = [
    "FolderScan",
    "FrameRef",
    "PixelFormat",
    "SeriesInfo",
    "SkippedItem",
    "load_series",
    "load_volume",
    "pick_series",
    "scan_folder",
    "scan_folder_report",
    "scan_source",
    "select_series",
]
