"""Preprocessing: brain (intracranial) mask and resampling helpers."""

from strokescope.preprocess.brain_mask import BrainMaskSettings, brain_mask
from strokescope.preprocess.resample import resample_mask, resample_volume

__all__ = ["BrainMaskSettings", "brain_mask", "resample_mask", "resample_volume"]
