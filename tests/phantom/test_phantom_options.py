from __future__ import annotations

import pytest

from strokescope.errors import InputError
from strokescope.phantom import PhantomOptions


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": -1},
        {"occlusion": "M3"},
        {"side": "up"},
        {"thrombus_length_mm": 2.0},
        {"thrombus_length_mm": 41.0},
        {"perviousness_hu": 35.0},
        {"hemorrhage": "PH", "hemorrhage_ml": 0.05},
        {"hemorrhage": "HI2", "hemorrhage_ml": 61.0},
        {"hemorrhage": "none", "hemorrhage_ml": 5.0},
        {"hemorrhage": "SDH", "hemorrhage_ml": 5.0},
        {"slice_mm": 0.3},
        {"slice_mm": 6.0},
        {"matrix": 8},
        {"rotation_deg": (0.0, 26.0, 0.0)},
        {"rotation_deg": (0.0, 1.0)},
        {"tilt_deg": 45.0},
        {"noise_hu": float("nan")},
        {"motion_mm": 11.0},
    ],
)
def test_bad_options_raise_input_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError, match="phantom option"):
        PhantomOptions(**kwargs)  # type: ignore[arg-type]


def test_valid_options_and_class() -> None:
    assert PhantomOptions(occlusion="ICA").occlusion_class == "LVO"
    assert PhantomOptions(occlusion="M1").occlusion_class == "LVO"
    assert PhantomOptions(occlusion="M2").occlusion_class == "MeVO"
    assert PhantomOptions(occlusion="none").occlusion_class == "none"
    assert PhantomOptions(rotation_deg=(1, 2, 3)).to_dict()["rotation_deg"] == [1.0, 2.0, 3.0]


def test_cli_parser_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from strokescope import cli; cli.build_parser()\n"
        "print(','.join(m for m in ('numpy', 'SimpleITK', 'pydicom') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_small_keeps_the_study_and_coarsens_the_grid() -> None:
    full = PhantomOptions(seed=5, occlusion="M2", side="right", hemorrhage="HI2", hemorrhage_ml=3)
    small = full.small()
    assert (small.seed, small.occlusion, small.side, small.hemorrhage, small.hemorrhage_ml) == (
        5,
        "M2",
        "right",
        "HI2",
        3,
    )
    assert (small.matrix, small.inplane_mm, small.slice_mm, small.slices) == (128, 1.8, 2.0, 80)
    assert full.matrix == 512  # the original is untouched
