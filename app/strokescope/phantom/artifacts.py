"""CT artefacts: beam-hardening streaks at the skull base and correlated image noise."""

from __future__ import annotations

import math

import numpy as np

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.shapes import F32
from strokescope.phantom.tissue import HeadMapping

NOISE_POOL = 24
NOISE_NEIGHBOUR = np.float32(0.45)  # weight of the 4 in-plane neighbours: mild correlation


def _streak_lines(anatomy: Anatomy) -> list[tuple[float, float, float, float]]:
    """(x, y, angle, amplitude) of streak lines in the head frame: a dark band between the
    petrous bones (the "Hounsfield bar") and alternating lines fanning from each."""
    petrous = [s.shape.center for s in anatomy.solids if s.name == "petrous"]
    (xl, yl, _), (xr, yr, _) = petrous
    bar = math.atan2(yr - yl, xr - xl)
    lines = [((xl + xr) / 2, (yl + yr) / 2, bar, -45.0)]
    for x, y, _ in petrous:
        for da, amp in ((0.45, -30.0), (-0.4, 18.0), (1.2, -20.0)):
            lines.append((x, y, bar + da * (1 if x > 0 else -1), amp))
    return lines


def add_streaks(image: F32, mapping: HeadMapping, anatomy: Anatomy) -> None:
    """Add beam-hardening lines (in place) to slices near the petrous level (z -45..-10)."""
    petrous_z = float(np.mean([s.shape.center[2] for s in anatomy.solids if s.name == "petrous"]))
    lines = _streak_lines(anatomy)
    n_k, n_j, n_i = image.shape
    a = mapping.a.astype(np.float32)
    j = np.arange(n_j, dtype=np.float32)
    i = np.arange(n_i, dtype=np.float32)
    for k in range(n_k):
        center = mapping.b + mapping.a @ np.array([k, (n_j - 1) / 2, (n_i - 1) / 2])
        weight = math.exp(-(((center[2] - petrous_z) / 7.0) ** 2))
        if weight < 0.05:
            continue
        base = mapping.b + mapping.a[:, 0] * k
        x = np.add.outer(a[0, 1] * j, a[0, 2] * i + np.float32(base[0]))
        y = np.add.outer(a[1, 1] * j, a[1, 2] * i + np.float32(base[1]))
        for lx, ly, angle, amp in lines:
            nx, ny = np.float32(-math.sin(angle)), np.float32(math.cos(angle))
            dx, dy = x - np.float32(lx), y - np.float32(ly)
            across = np.abs(dx * nx + dy * ny)
            along = (dx * ny - dy * nx) * np.float32(1.0 / 110.0)
            profile = np.clip(np.float32(1.0) - across * np.float32(1.0 / 1.6), 0.0, None)
            profile *= np.clip(np.float32(1.0) - along * along, 0.0, None)
            image[k] += profile * np.float32(amp * weight)


def add_noise(image: F32, sd: float, rng: np.random.Generator) -> None:
    """Add noise of standard deviation ``sd`` HU (in place), slightly correlated in-plane.

    White Gaussian noise is drawn once for a small pool of slices; each slice combines two
    randomly shifted pool slices (still Gaussian, independent between slices in practice)
    and is smoothed by a 5-point kernel, then scaled to ``sd``.
    """
    if sd <= 0:
        return
    n_k, n_j, n_i = image.shape
    pool = rng.standard_normal((min(NOISE_POOL, n_k), n_j, n_i), dtype=np.float32)
    picks = rng.integers(0, len(pool), size=(n_k, 2))
    shifts = rng.integers(0, max(n_j, n_i), size=(n_k, 4))
    w = NOISE_NEIGHBOUR
    gain = np.float32(sd / math.sqrt(2.0 * (1.0 + 4.0 * float(w) ** 2)))
    for k in range(n_k):
        a, b = picks[k]
        n = np.roll(pool[a], (shifts[k, 0] % n_j, shifts[k, 1] % n_i), axis=(0, 1))
        n += np.roll(pool[b], (shifts[k, 2] % n_j, shifts[k, 3] % n_i), axis=(0, 1))
        c = n.copy()
        c[1:] += w * n[:-1]
        c[:-1] += w * n[1:]
        c[:, 1:] += w * n[:, :-1]
        c[:, :-1] += w * n[:, 1:]
        image[k] += c * gain


def noise_rng(seed: int, phase: str) -> np.random.Generator:
    """Independent noise stream per phase of a seeded study."""
    code = {"ncct": 11, "cta": 12, "followup": 13}[phase]
    return np.random.default_rng([seed, code])
