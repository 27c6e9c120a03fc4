"""Golden end-to-end tests: the installed ``strokescope`` console script on seeded phantoms.

Each case writes a phantom study with ``strokescope phantom``, analyses it with
``strokescope thrombus --out`` and the shipped models (or ``strokescope ht --click --out``
on a follow-up bleed), and compares the summary of ``results.json`` with
``tests/golden/<case>.json`` within stated tolerances. A case with a
clot, a negative study and an NCCT-only study ("not assessed") are all results and must
export, their recanalization-related features absent with the reason. After a deliberate
change (new models), regenerate the expected files with
``STROKESCOPE_UPDATE_GOLDEN=1 pytest tests/test_golden_cli.py`` and review the diff.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from strokescope.atomic import atomic_write_text

GOLDEN = Path(__file__).parent / "golden"
GEOMETRY = ["--matrix", "400", "--inplane-mm", "0.5", "--slice-mm", "0.5"]
CASES = {
    "thrombus_m1_left": ["--seed", "5", "--occlusion", "M1", "--side", "left"],
    "thrombus_none": ["--seed", "11", "--occlusion", "none", "--calcification"],
    "thrombus_no_cta": ["--seed", "12", "--occlusion", "M1", "--no-cta"],
}
TOLERANCE = {"volume_mm3": 0.10, "length_mm": 2.0, "ncct_mean_hu": 5.0, "cta_mean_hu": 10.0}
"""Relative for volumes, absolute (mm, HU) for the rest: a retrained model or a changed
library shifts numbers slightly; a different call, segment, side or count is a failure."""
FEATURE_TOLERANCE = {
    "clot_length_mm": 2.0,
    "clot_volume_mm3": 0.10,  # relative, as volume_mm3
    "ncct_density_hu": 5.0,
    "relative_attenuation": 0.1,
    "perviousness_hu": 15.0,  # CTA and NCCT means' tolerances together
    "collateral_grade": 1.0,  # one grade: the collateral ratio may lie near a cut-off
}
"""The recanalization-related features' numbers; their text, reasons and absence are exact."""


def _cli() -> str:
    exe = Path(sys.executable).with_name("strokescope")
    assert exe.is_file(), f"{exe}: the console script is not installed (pip install -e .)"
    return str(exe)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([_cli(), *args], capture_output=True, text=True, check=False)
    assert run.returncode == 0, f"strokescope {' '.join(args)} failed:\n{run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr
    return run


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """What the golden file pins: the calls, the impression and each thrombus' numbers."""
    t = doc["thrombus"]
    return {
        "impression": doc["impression"],
        "occlusion": t["occlusion"],
        "lvo": t["lvo"],
        "occlusion_class": t["occlusion_class"],
        "assessed": t["assessed"],
        "files": {k: v is not None for k, v in doc["files"].items() if k != "masks"},
        "thrombi": [
            {
                "segment": th["segment"],
                "side": th["side"],
                **{k: round(float(th[k]), 1) for k in TOLERANCE},
            }
            for th in sorted(t["thrombi"], key=lambda th: -th["volume_mm3"])
        ],
        "outcome": {
            "features": {
                name: {**f, "value": round(f["value"], 2) if _number(f["value"]) else f["value"]}
                for name, f in doc["outcome"]["features"].items()
            },
            "prediction": doc["outcome"]["prediction"],
        },
    }


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare_outcome(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Same features, reasons, text values and prediction; numbers within tolerance."""
    assert got["prediction"] == want["prediction"]
    assert list(got["features"]) == list(want["features"])
    for name, g in got["features"].items():
        w = want["features"][name]
        assert (g["reason"], g["unit"]) == (w["reason"], w["unit"]), name
        if not (_number(g["value"]) and _number(w["value"])):
            assert g["value"] == w["value"], name
            continue
        limit = FEATURE_TOLERANCE[name] * (abs(w["value"]) if name == "clot_volume_mm3" else 1)
        assert abs(g["value"] - w["value"]) <= limit, f"{name}: got {g['value']}, want {w['value']}"


def _close(key: str, got: float, want: float) -> bool:
    limit = TOLERANCE[key] * abs(want) if key == "volume_mm3" else TOLERANCE[key]
    return math.isfinite(got) and abs(got - want) <= limit


def _compare(got: dict[str, Any], want: dict[str, Any]) -> None:
    numbers, own = set(TOLERANCE), ("thrombi", "impression", "outcome")
    strip = [{k: v for k, v in th.items() if k not in numbers} for th in got["thrombi"]]
    want_strip = [{k: v for k, v in th.items() if k not in numbers} for th in want["thrombi"]]
    assert {k: v for k, v in got.items() if k not in own} == {
        k: v for k, v in want.items() if k not in own
    }
    _compare_outcome(got["outcome"], want["outcome"])
    assert strip == want_strip
    for g, w in zip(got["thrombi"], want["thrombi"], strict=True):
        bad = {k: (g[k], w[k]) for k in numbers if not _close(k, g[k], w[k])}
        assert not bad, f"outside tolerance (got, expected): {bad}"
    if not want["thrombi"]:
        assert got["impression"] == want["impression"]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_thrombus_matches_golden(case: str, tmp_path: Path) -> None:
    study, out = tmp_path / "study", tmp_path / "out"
    _run("phantom", str(study), *CASES[case], *GEOMETRY)
    run = _run("thrombus", str(study), "--out", str(out))
    first = run.stdout.splitlines()[0]
    assert first.startswith("Impression: "), "the CLI must start with the impression line"
    doc = json.loads((out / "results-001" / "results.json").read_text(encoding="utf-8"))
    assert doc["impression"][0] == first.removeprefix("Impression: ")
    got = summary(doc)
    expected = GOLDEN / f"{case}.json"
    if os.environ.get("STROKESCOPE_UPDATE_GOLDEN") == "1":
        atomic_write_text(expected, json.dumps(got, indent=1) + "\n")
    _compare(got, json.loads(expected.read_text(encoding="utf-8")))


HT_TOLERANCE = 0.03
"""Relative, on every volume of the HT summary."""


def _ht_summary(doc: dict[str, Any]) -> dict[str, Any]:
    h = doc["hemorrhage"]
    return {
        "impression": doc["impression"],
        "files": {k: v is not None for k, v in doc["files"].items() if k != "masks"},
        "volume_ml": round(h["volume_ml"], 2),
        "global_50_80_volume_ml": round(h["global_50_80_volume_ml"], 2),
        "abc2_volume_ml": round(h["abc2"]["volume_ml"], 2),
        "abc2_slice_count": h["abc2"]["slice_count"],
    }


@pytest.mark.slow
def test_cli_ht_click_matches_golden(tmp_path: Path) -> None:
    import numpy as np

    from strokescope.io.sitk_convert import read_mask

    study, out = tmp_path / "study", tmp_path / "out"
    _run(
        "phantom", str(study), "--seed", "3", "--occlusion", "none", "--no-cta",
        "--hemorrhage", "PH:12", "--matrix", "256", "--inplane-mm", "0.9",
    )  # fmt: skip
    truth = read_mask(study / "truth" / "hemorrhage.nii.gz").array
    k, j, i = (int(round(float(v))) for v in np.argwhere(truth).mean(axis=0))
    run = _run("ht", "--ncct", str(study / "followup"), "--click", f"z={k} y={j} x={i}",
               "--out", str(out))  # fmt: skip
    assert run.stdout.startswith("Impression: Hemorrhage ")
    doc = json.loads((out / "results-001" / "results.json").read_text(encoding="utf-8"))
    got = _ht_summary(doc)
    expected = GOLDEN / "ht_ph12_click.json"
    if os.environ.get("STROKESCOPE_UPDATE_GOLDEN") == "1":
        atomic_write_text(expected, json.dumps(got, indent=1) + "\n")
    want = json.loads(expected.read_text(encoding="utf-8"))
    numbers = ("volume_ml", "global_50_80_volume_ml", "abc2_volume_ml")
    assert {k: v for k, v in got.items() if k not in numbers + ("impression",)} == {
        k: v for k, v in want.items() if k not in numbers + ("impression",)
    }
    bad = {n: (got[n], want[n]) for n in numbers if abs(got[n] - want[n]) > HT_TOLERANCE * want[n]}
    assert not bad, f"outside tolerance (got, expected): {bad}"
