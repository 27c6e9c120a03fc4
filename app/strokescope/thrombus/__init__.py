"""Thrombus on thin-slice NCCT + CTA: ONNX coarse-to-fine inference and measurements."""

from strokescope.thrombus.result import Thrombus, ThrombusResult

__all__ = ["Thrombus", "ThrombusResult"]
