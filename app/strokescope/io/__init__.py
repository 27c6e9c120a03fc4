"""DICOM discovery and series building, and the SimpleITK/NIfTI bridge.

``scan_folder`` finds the image series in a folder, ``load_series`` builds one HU volume from
a series, ``load_volume`` does both for a user's path (or reads a NIfTI/NRRD/MHA file).
Importing this package is light: pydicom and SimpleITK are imported when first needed.
"""

from strokescope.io.dicom_load import load_series, load_volume, select_series
from strokescope.io.dicom_scan import scan_folder, scan_folder_report
from strokescope.io.series_info import FolderScan, FrameRef, PixelFormat, SeriesInfo, SkippedItem

__all__ = [
    "FolderScan",
    "FrameRef",
    "PixelFormat",
    "SeriesInfo",
    "SkippedItem",
    "load_series",
    "load_volume",
    "scan_folder",
    "scan_folder_report",
    "select_series",
]
