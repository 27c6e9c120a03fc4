"""Opacified lumen beside bone when the two scans draw bone edges with different kernels.

A slab of bone and a 4 mm artery 1.5 mm from it; the CTA is drawn with a softer kernel than
the NCCT (more blur), so its bone spills further out. The plain subtraction rule then finds
a shell of "lumen" just outside the bone; the kernel-matched rule must not, and must keep the
artery whole, the stretch beside the bone included.
"""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.preprocess.gaussian import gaussian_mm
from strokescope.thrombus.vessel_evidence import opacified_hu
from strokescope.vessels.grid import kernel_match, opacified_lumen

SHAPE = (40, 60, 60)  # z, y, x at 1 mm
BONE_X = 30  # bone fills x >= 30
ARTERY_YX = (30.0, 26.0)  # centre 4 mm from the bone face (1.5 mm of tissue between)
ARTERY_R = 2.0
CTA_EXTRA_BLUR_MM = 1.0


def _scans(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z, y, x = np.indices(SHAPE).astype(float)
    bone = x >= BONE_X
    artery = (y - ARTERY_YX[0]) ** 2 + (x - ARTERY_YX[1]) ** 2 <= ARTERY_R**2
    anatomy = np.where(bone, 1200.0, 35.0).astype(np.float32)
    blood = np.where(artery, 45.0, anatomy).astype(np.float32)
    contrast = np.where(artery, 380.0, anatomy).astype(np.float32)
    spacing = (1.0, 1.0, 1.0)
    cta = gaussian_mm(contrast, float(np.hypot(0.5, CTA_EXTRA_BLUR_MM)), spacing)
    cta += rng.normal(0, 4, SHAPE).astype(np.float32)
    ncct = gaussian_mm(blood, 0.5, spacing)
    ncct += rng.normal(0, 4, SHAPE).astype(np.float32)
    return cta, ncct, artery


def test_kernel_match_blurs_the_sharper_scan() -> None:
    cta, ncct, _ = _scans(np.random.default_rng(0))
    match = kernel_match(cta, ncct, 1.0)
    assert match.scan == "ncct"
    assert match.sigma_mm == pytest.approx(CTA_EXTRA_BLUR_MM, abs=0.25)


def test_bone_edge_shell_goes_artery_stays() -> None:
    cta, ncct, artery = _scans(np.random.default_rng(1))
    x = np.indices(SHAPE)[2]
    shell = (x >= BONE_X - 2) & (x < BONE_X) & ~artery
    shell[:, 20:40, :] = False  # keep the artery's neighbourhood out of the shell count
    plain = opacified_hu(cta, ncct)
    assert plain[shell].sum() > 200  # the failure this guards against is drawn
    lumen = opacified_lumen(cta, ncct, 1.0)
    assert lumen[shell].sum() == 0
    core = artery & ((np.indices(SHAPE)[1] - ARTERY_YX[0]) ** 2 + (x - ARTERY_YX[1]) ** 2 <= 1.0)
    assert lumen[core].all()
    assert lumen[artery].mean() >= 0.9
