"""Small seeded phantom studies shared by the thrombus tests (1 mm, 200 x 200 matrix)."""

from __future__ import annotations

from functools import lru_cache

from strokescope.phantom import PhantomOptions, PhantomStudy, generate_study


@lru_cache(maxsize=8)
def small_study(seed: int, occlusion: str = "M1", **options: object) -> PhantomStudy:
    base = {"inplane_mm": 1.0, "matrix": 200, "slice_mm": 1.0, "noise_hu": 3.0}
    base.update(options)
    return generate_study(PhantomOptions(seed=seed, occlusion=occlusion, **base))  # type: ignore[arg-type]
