"""Training cases of the NCCT arterial map: a randomised phantom's NCCT on the map's grid and
its arteries as the label.

Each case is a family-A phantom drawn by :func:`training.make_phantoms.random_options` (the
thrombus networks' domain randomisation: anatomy, vessel calibre and tortuosity, circle-of-
Willis variants, haematocrit, noise, kernels, slices, rotation up to 25 degrees, mimics).
The label is the phantom's arterial lumen with the clot in it (the artery as a physician
traces it; the CTA lumen of seed 002 plus the occluded stretch, so that the NCCT-only
screening finds a hyperdense clot on the map). Veins are not arteries and are not labelled.
Cases are written as ``CASE.npz`` (``hu`` float16 in HU, ``label`` float16 fraction) on the
grid :func:`strokescope.vessels.ncct_map.map_grid` gives at run time, so training and
inference see the same resampling. An interrupted run keeps the cases already written.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from strokescope.atomic import atomic_write_bytes
from training.make_phantoms import random_options
from training.parallel import in_processes

log = logging.getLogger(__name__)


def case_path(root: Path, seed: int, index: int) -> Path:
    return root / f"ARTERY_{seed:03d}_{index:04d}.npz"


def artery_case(
    seed: int, index: int, spacing_mm: float, *, tiny: bool = False
) -> dict[str, np.ndarray]:
    """``hu`` and ``label`` arrays of case ``index`` of the dataset seeded ``seed``
    (``tiny``: the small, coarse phantoms of the tests)."""
    from strokescope.phantom import generate_study
    from strokescope.preprocess.resample import resample_volume
    from strokescope.vessels.ncct_map import map_grid
    from strokescope.volume import Mask
    from training.resample import resample_fraction

    study = generate_study(random_options(seed, index, tiny=tiny))
    grid = map_grid(study.ncct, spacing_mm)
    hu = resample_volume(study.ncct, grid).array
    artery = study.masks["lumen"].array.copy()
    if "thrombus" in study.masks:
        artery |= study.masks["thrombus"].array
    motion = np.asarray(study.cta.meta.extra.get("ncct_to_cta", np.eye(4))) if study.cta else None
    if motion is not None and not np.allclose(motion, np.eye(4)):
        raise ValueError(f"case {seed}/{index}: NCCT and CTA differ by motion; not a pair")
    label = resample_fraction(Mask(artery, study.masks["lumen"].geometry, "artery"), grid)
    return {
        "hu": hu.astype(np.float16),
        "label": label.astype(np.float16),
        "spacing_mm": np.asarray(spacing_mm, dtype=np.float32),
    }


def _write_one(root: Path, seed: int, index: int, spacing_mm: float, tiny: bool) -> int:
    import io

    buf = io.BytesIO()
    case = artery_case(seed, index, spacing_mm, tiny=tiny)
    np.savez_compressed(buf, hu=case["hu"], label=case["label"], spacing_mm=case["spacing_mm"])
    atomic_write_bytes(case_path(root, seed, index), buf.getvalue())
    return index


def write_artery_dataset(
    root: str | Path, *, n: int, seed: int, spacing_mm: float, jobs: int = 1, tiny: bool = False
) -> list[Path]:
    """Write ``n`` cases into ``root`` (kept where already there); return their paths."""
    base = Path(root)
    base.mkdir(parents=True, exist_ok=True)
    todo = [i for i in range(n) if not case_path(base, seed, i).is_file()]
    work = [(base, seed, i, spacing_mm, tiny) for i in todo]
    for index in in_processes(_write_one, work, jobs):
        log.info("artery case %d written", index)
    return [case_path(base, seed, i) for i in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spacing-mm", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    write_artery_dataset(
        args.out, n=args.n, seed=args.seed, spacing_mm=args.spacing_mm, jobs=args.jobs
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
