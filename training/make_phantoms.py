"""Generate randomised phantom studies and write them in nnU-Net raw layout.

Usage::

    python -m training.make_phantoms --out cache/phantoms_raw --n 60 --seed 0 [--tiny]

Every case's options derive from ``(seed, index)``, so the same command writes the same
dataset. Following SynthSeg (Billot et al. 2023: train on synthetic data randomised far
beyond realism), every option of :class:`strokescope.phantom.PhantomOptions` that real
scans vary in is drawn over its full range, keeping the HU physics that carries the signal
(clot hyperdense on NCCT, a filling defect on CTA):

- anatomy (the phantom's own seed); occlusion site by ``OCCLUSION_WEIGHTS`` (ICA, M1, M2,
  A1, basilar, P1, none) and side; thrombus length 3-40 mm, density 40-90 HU,
  perviousness 0-30 HU, distal enhancement 0-1;
- blood and contrast: haematocrit 32-58 %, CTA lumen 150-600 HU, venous sinuses (p 0.9)
  with venous contamination 0-350 HU (p 0.3, else none);
- vessels: calibre x 0.7-1.3, tortuosity 0-1, circle-of-Willis variant (``COW_WEIGHTS``);
- mimics: vessel-wall calcification (p 0.3), SAH (p ``SAH_P``; ``SAH_POSTERIOR_P`` with a
  basilar or P1 clot), dural / choroid / pineal calcification (p 0.25), aneurysm (p 0.2);
- scanner: kernel (standard, smooth, sharp, uniform), in half the cases a different one
  on the CTA (a brain kernel on the NCCT, a vascular one on the CTA), HU offset +-12,
  noise SD 2-14 HU with the kernel's texture or (p 0.5) a 0.3-1.5 mm one, streaks (p
  0.5), head rotation +-25 degrees about each axis, a field of view cutting the head (p
  0.2), in-plane pixel 0.4-1.0 mm and slices 0.5-2.5 mm (``--tiny``: 2 mm pixels, 2.5 mm
  slices, for tests).

The NCCT is resampled onto the CTA grid when they differ (the phantoms are generated
without patient motion, so no registration is needed).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from strokescope.atomic import atomic_write_text
from strokescope.errors import InputError
from training.dataset import Case, write_case, write_dataset_json
from training.parallel import in_processes

if TYPE_CHECKING:
    from strokescope.phantom import PhantomOptions
    from strokescope.phantom.options import Kernel

log = logging.getLogger(__name__)

OCCLUSION_WEIGHTS = {
    "ICA": 0.2,
    "M1": 0.3,
    "M2": 0.15,
    "A1": 0.05,
    "basilar": 0.07,
    "P1": 0.05,
    "none": 0.18,
}
COW_WEIGHTS = {"normal": 0.55, "hypoplastic_a1": 0.15, "fetal_pca": 0.15, "absent_p1": 0.15}
KERNELS = ("standard", "smooth", "sharp")
SAH_P = 0.35
"""Subarachnoid blood is the mimic that fooled the first models (0.15 then): it sheathes the
ICA and MCA with clot-like HU on both scans, so it is drawn often as a hard negative."""
SAH_POSTERIOR_P = 0.7
"""Subarachnoid blood in basilar and P1 occlusions: a clot in a blood-filled prepontine
cistern is isodense with the blood round it, and only the CTA's missing artery tells it
apart - the shipped networks' two basilar misses (docs/THROMBUS.md, "Where `posterior` fails")."""
POSTERIOR = ("basilar", "P1")
CTA_KERNEL_P = 0.5
"""Share of the phantoms whose CTA gets a kernel of its own (:func:`_cta_kernel`)."""


def random_options(seed: int, index: int, *, tiny: bool = False) -> PhantomOptions:
    """Phantom options of case ``index`` of a dataset seeded with ``seed``."""
    from strokescope.phantom import PhantomOptions

    rng = np.random.default_rng([seed, index])
    occlusion = str(rng.choice(list(OCCLUSION_WEIGHTS), p=list(OCCLUSION_WEIGHTS.values())))
    if tiny:
        inplane, matrix, slice_mm = 2.0, 96, 2.5
    else:
        inplane = float(rng.uniform(0.4, 1.0))
        matrix = min(512, 2 * math.ceil(100.0 / inplane))
        slice_mm = float(rng.uniform(0.5, 2.5))
    rot = [float(a) for a in rng.uniform(-25.0, 25.0, 3)]
    options = PhantomOptions(
        seed=int(rng.integers(0, 2**31 - 1)),
        occlusion=occlusion,  # type: ignore[arg-type]
        side=str(rng.choice(["left", "right"])),  # type: ignore[arg-type]
        thrombus_length_mm=float(rng.uniform(3.0, 40.0)),
        thrombus_hu=float(rng.uniform(40.0, 90.0)),
        perviousness_hu=float(rng.uniform(0.0, 30.0)),
        distal_enhancement=float(rng.uniform(0.0, 1.0)),
        calcification=bool(rng.random() < 0.3),
        sah=bool(rng.random() < (SAH_POSTERIOR_P if occlusion in POSTERIOR else SAH_P)),
        hemorrhage="none",
        noise_hu=float(rng.uniform(2.0, 14.0)),
        slice_mm=slice_mm,
        inplane_mm=inplane,
        matrix=matrix,
        rotation_deg=(rot[0], rot[1], rot[2]),
        streaks=bool(rng.random() < 0.5),
        cta=True,
        **_randomisation(rng),
    )
    return replace(options, cta_kernel=_cta_kernel(seed, index, options.kernel))


def _cta_kernel(seed: int, index: int, ncct_kernel: str) -> Kernel | None:
    """The CTA's own kernel in ``CTA_KERNEL_P`` of the cases (one of the two the NCCT was
    not given), else None (the NCCT's). Drawn from a stream of its own, so every other
    option of a case is what it was before this draw existed."""
    rng = np.random.default_rng([seed, index, 7])
    if rng.random() >= CTA_KERNEL_P:
        return None
    return cast("Kernel", str(rng.choice([k for k in KERNELS if k != ncct_kernel])))


def _randomisation(rng: np.random.Generator) -> dict[str, Any]:
    """The options that vary what real scans vary in (contrast, blood, vessels, mimics,
    scanner), each over its full range."""
    venous = float(rng.uniform(0.0, 350.0)) if rng.random() < 0.3 else 0.0
    texture = float(rng.uniform(0.3, 1.5)) if rng.random() < 0.5 else None
    return {
        "cta_lumen_hu": float(rng.uniform(150.0, 600.0)),
        "veins": bool(rng.random() < 0.9),
        "venous_hu": venous,
        "haematocrit_pct": float(rng.uniform(32.0, 58.0)),
        "kernel": str(rng.choice(KERNELS)),
        "hu_offset": float(rng.uniform(-12.0, 12.0)),
        "vessel_scale": float(rng.uniform(0.7, 1.3)),
        "tortuosity": float(rng.uniform(0.0, 1.0)),
        "cow_variant": str(rng.choice(list(COW_WEIGHTS), p=list(COW_WEIGHTS.values()))),
        "dural_calcification": bool(rng.random() < 0.25),
        "aneurysm": bool(rng.random() < 0.2),
        "noise_texture_mm": texture,
        "partial_fov": bool(rng.random() < 0.2),
    }


def _drawn(options: dict[str, Any] | None) -> dict[str, Any] | None:
    """``options`` without the fields at their defaults: a field added to
    :class:`~strokescope.phantom.PhantomOptions` later, at a default that renders as
    before, does not make written cases look changed."""
    from strokescope.phantom import PhantomOptions

    if options is None:
        return None
    default = json.loads(json.dumps(PhantomOptions().to_dict()))
    return {k: v for k, v in options.items() if k not in default or v != default[k]}


def phantom_case(case_id: str, options: PhantomOptions) -> Case:
    """Generate one study and return it as a training case on the CTA grid."""
    from strokescope.phantom import generate_study
    from strokescope.preprocess import resample_volume
    from strokescope.volume import Mask

    study = generate_study(options)
    cta = study.cta
    if cta is None:
        raise InputError(f"phantom {case_id}: generated without a CTA (options.cta must be True)")
    ncct = study.ncct
    if ncct.geometry != cta.geometry:
        ncct = resample_volume(ncct, cta.geometry)
    thrombus = study.masks.get("thrombus")
    if thrombus is None:
        thrombus = Mask(np.zeros(cta.shape, dtype=bool), cta.geometry, "thrombus")
    return Case(case_id, ncct, cta, Mask(thrombus.array, cta.geometry, "thrombus"))


def _write_one(base: Path, case_id: str, seed: int, index: int, tiny: bool) -> str:
    write_case(phantom_case(case_id, random_options(seed, index, tiny=tiny)), base)
    return case_id


def write_phantom_dataset(
    root: str | Path,
    *,
    n: int,
    seed: int,
    tiny: bool = False,
    prefix: str = "PHANTOM",
    jobs: int = 1,
) -> tuple[str, ...]:
    """Write ``n`` phantom cases into ``root`` (nnU-Net raw layout), ``jobs`` at a time;
    return their ids.

    Cases already present with the same options (``root/phantom_options.json``) are kept, so
    an interrupted run resumes and a change of the option draw regenerates only the cases
    it changes.
    """
    base = Path(root)
    log_path = base / "phantom_options.json"
    written: dict[str, Any] = (
        json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else {}
    )
    ids: list[str] = []
    todo: dict[str, Any] = {}
    work = []
    for index in range(n):
        case_id = f"{prefix}_{seed:03d}_{index:04d}"
        options = json.loads(json.dumps(random_options(seed, index, tiny=tiny).to_dict()))
        ids.append(case_id)
        present = (base / "labelsTr" / f"{case_id}.nii.gz").is_file()
        if present and _drawn(written.get(case_id)) == _drawn(options):
            continue
        written.pop(case_id, None)
        todo[case_id] = options
        work.append((base, case_id, seed, index, tiny))
    atomic_write_text(log_path, json.dumps(written, indent=1) + "\n")
    for case_id in in_processes(_write_one, work, jobs):
        written[case_id] = todo[case_id]
        atomic_write_text(log_path, json.dumps(written, indent=1) + "\n")
        log.info("phantom %s written (%s)", case_id, todo[case_id]["occlusion"])
    kind = "tiny test phantoms" if tiny else "randomised phantoms"
    write_dataset_json(
        base, description=f"StrokeScope {kind} (strokescope.phantom), seed {seed}, n={n}"
    )
    return tuple(ids)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.make_phantoms", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    parser.add_argument("--n", type=int, default=60, help="number of cases (default 60)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="small coarse phantoms for tests")
    parser.add_argument("--jobs", type=int, default=1, help="processes writing cases (default 1)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.jobs < 1:
        parser.error("--n and --jobs must be >= 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ids = write_phantom_dataset(args.out, n=args.n, seed=args.seed, tiny=args.tiny, jobs=args.jobs)
    print(f"wrote {len(ids)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
