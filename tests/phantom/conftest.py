"""Small seeded phantom studies shared by the phantom tests (generated once per session)."""

from __future__ import annotations

import pytest

from strokescope.phantom import PhantomOptions, PhantomStudy, generate_study

SMALL = {"matrix": 128, "inplane_mm": 1.0, "slice_mm": 1.0, "slices": 100}


@pytest.fixture(scope="session")
def clean_m1() -> PhantomStudy:
    """Noise-free, streak-free left M1 occlusion with plaques and SAH."""
    options = PhantomOptions(
        seed=7,
        occlusion="M1",
        side="left",
        thrombus_length_mm=14.0,
        thrombus_hu=65.0,
        perviousness_hu=10.0,
        distal_enhancement=0.4,
        calcification=True,
        sah=True,
        noise_hu=0.0,
        streaks=False,
        **SMALL,
    )
    return generate_study(options)


@pytest.fixture(scope="session")
def clean_thin() -> PhantomStudy:
    """Finer grid (0.6 mm) around the circle of Willis for partial-volume checks."""
    options = PhantomOptions(
        seed=3,
        occlusion="M2",
        side="right",
        noise_hu=0.0,
        streaks=False,
        matrix=200,
        inplane_mm=0.6,
        slice_mm=0.6,
        slices=60,
    )
    return generate_study(options)
