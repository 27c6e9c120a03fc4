"""Deep and skull-base structures of the family B head, painted as oriented ellipsoids.

Each :class:`Blob` overwrites the labels it is allowed to replace, inside a small index box,
so the painting order below is the anatomy: bone walls first, then the cavities carved in
them; nuclei first, then the ventricles beside them. "Cells" blobs (mastoid, ethmoid,
frontal sinus) keep thin bony septa from a periodic pattern so they look like air cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b import tissues as T
from strokescope.phantom_b.frame import Pose, head_box, head_coords, rotation_matrix
from strokescope.phantom_b.head import HeadShape
from strokescope.volume import Geometry

F64 = npt.NDArray[np.float64]

_BRAIN = T.label_set((T.GM, T.WM, T.CSF, T.DEEP))
_INFRA = T.label_set((T.PFSPACE, T.CSF, T.GM, T.WM))
_EXTRA = T.label_set((T.SKIN, T.FAT, T.MUSCLE, T.CORTICAL, T.DIPLOE, T.BASE, T.PETROUS))
_SKULL = T.label_set((T.CORTICAL, T.DIPLOE, T.BASE))
_ANY_BUT_AIR = T.label_set(tuple(range(1, T.N_LABELS)))


@dataclass(frozen=True, eq=False)
class Blob:
    center: F64
    axes: F64
    label: int
    allowed: npt.NDArray[np.bool_]
    rotation: F64  # head frame -> blob frame
    cells: float = 0.0  # > 0: air-cell period in mm


def _blob(
    c: tuple[float, float, float],
    ax: tuple[float, float, float],
    label: int,
    allowed: npt.NDArray[np.bool_],
    yaw: float = 0.0,
    pitch: float = 0.0,
    cells: float = 0.0,
) -> Blob:
    rot = rotation_matrix([1, 0, 0], pitch) @ rotation_matrix([0, 0, 1], yaw)
    return Blob(np.array(c, float), np.array(ax, float), label, allowed, rot.T, cells)


def _side_blobs(s: float, at: float, jit: F64) -> list[Blob]:
    """One hemisphere's structures; ``s`` is +1 for patient left, -1 for right."""
    v = 1.0 + 0.8 * at
    j = jit
    return [
        # skull base: orbit (bony cone, fat, globe, lens), petrous pyramid, mastoid cells
        _blob((s * 31, -57 + j[0], -21), (18.5, 22, 16), T.CORTICAL, _EXTRA, s * 12),
        _blob((s * 31, -57 + j[0], -21), (16, 20, 14), T.ORBFAT, _ANY_BUT_AIR, s * 12),
        _blob((s * 32, -68 + j[0], -21), (11.5, 11.5, 11.5), T.GLOBE, _ANY_BUT_AIR),
        _blob((s * 32, -79 + j[0], -21), (4.0, 1.8, 4.0), T.LENS, _ANY_BUT_AIR),
        _blob((s * 31, 11 + j[1], -29), (24, 8.5, 7.5), T.PETROUS, _EXTRA, -s * 33),
        _blob((s * 47, 27 + j[1], -39), (9, 10, 12), T.AIR, _EXTRA, cells=3.2),
        _blob((s * 10, -44, -22), (6.5, 15, 9), T.AIR, _SKULL | _EXTRA, cells=3.5),
        _blob((s * 24, -42, -56), (13, 15, 16), T.AIR, _EXTRA),  # maxillary sinus
        _blob((s * 13, -10, -16), (5, 10, 5.5), T.CAVERNOUS, _EXTRA),
        # basal ganglia, thalamus, choroid plexus, then the ventricles beside them
        _blob((s * 11, -12 + j[2], 13), (4.5, 8, 8), T.DEEP, _BRAIN),
        _blob((s * 23.5, -3 + j[2], 4), (4.5, 13, 8.5), T.DEEP, _BRAIN, s * 8),
        _blob((s * 10.5, 14 + j[3], 6), (7, 11, 8), T.DEEP, _BRAIN),
        _blob((s * (5.2 + 0.8 * at), -17 + j[2], 15), (3.3 * v, 11, 6.5), T.CSF, _BRAIN, -s * 18),
        _blob((s * (8 + at), 1 + j[3], 22), (3.6 * v, 17, 4.6 * v), T.CSF, _BRAIN, -s * 4),
        _blob((s * 17, 22 + j[3], 14), (6 * v, 9, 7 * v), T.CSF, _BRAIN, s * 25),
        _blob((s * 15, 33 + j[3], 12), (2.5 * v, 8, 3.5 * v), T.CSF, _BRAIN, -s * 15),
        _blob((s * 27, -2 + j[2], -14), (2.5 * v, 12, 2.5 * v), T.CSF, _BRAIN, s * 20, -10),
        _blob((s * 17, 22 + j[3], 13), (3, 4.5, 3), T.CHOROID, _BRAIN, s * 25),
        # insular cortex and its cistern
        _blob((s * 34, -3 + j[2], 6), (3.2, 17, 12), T.GM, _BRAIN),
        _blob((s * 36.5, -3 + j[2], 6), (0.8 + at, 17, 12), T.CSF, _BRAIN),
        # cerebellar hemisphere
        _blob((s * 24, 44 + j[1], -31), (27, 22, 17), T.CEREB, _INFRA, s * 10),
    ]


def structure_list(shape: HeadShape, rng: np.random.Generator) -> list[Blob]:
    """Every painted structure of one case, in painting order."""
    at = shape.atrophy
    out: list[Blob] = []
    for s in (1.0, -1.0):
        out += _side_blobs(s, at, rng.normal(0.0, 1.0, size=4))
    v = 1.0 + 0.8 * at
    front = shape.center[1] - shape.axes[1]
    out += [
        _blob((0, -13, -27), (12, 10, 9), T.AIR, _EXTRA | _SKULL),  # sphenoid sinus
        _blob((0, -6, -13), (6, 5, 3.5), T.PITUITARY, _EXTRA),
        _blob((0, -40, -50), (11, 26, 14), T.AIR, _EXTRA),  # nasal cavity
        _blob((0, -12, -55), (12, 10, 9), T.AIR, _EXTRA),  # nasopharynx
        _blob((0, front - 4, 10), (15, 6, 10), T.AIR, _SKULL, cells=6.0),  # frontal sinus
        _blob((0, 2, 3), (1.6 * v, 12, 9), T.CSF, _BRAIN),  # third ventricle
        _blob((0, -3, -5), (17, 12, 5), T.CSF, _BRAIN | _INFRA),  # suprasellar cistern
        _blob((0, 12, -4), (12, 11, 9), T.STEM, _BRAIN | _INFRA),  # midbrain
        _blob((0, 19, -21), (15, 12, 12), T.STEM, _BRAIN | _INFRA),  # pons
        _blob((0, 25, -40), (9, 8, 13), T.STEM, _BRAIN | _INFRA),  # medulla
        _blob((0, 40, -25), (9, 16, 13), T.CEREB, _INFRA),  # vermis
        _blob((0, 30, -28), (6, 4, 7.5), T.CSF, _INFRA | T.label_set((T.STEM, T.CEREB))),
        _blob((0, 20, 5), (8, 8, 6), T.CSF, _BRAIN | _INFRA),  # quadrigeminal cistern
        _blob((0, 52, -42), (12, 9, 6), T.CSF, _INFRA | T.label_set((T.CEREB,))),  # magna
    ]
    return out


def _paint(labels: npt.NDArray[np.uint8], geom: Geometry, pose: Pose, blob: Blob) -> None:
    box = head_box(geom, pose, blob.center, float(blob.axes.max()))
    if box is None:
        return
    hx, hy, hz = head_coords(geom, pose, box)
    r = blob.rotation.astype(np.float32)
    d = [hx - np.float32(blob.center[0]), hy - np.float32(blob.center[1]), hz - blob.center[2]]
    q = [r[a, 0] * d[0] + r[a, 1] * d[1] + r[a, 2] * d[2] for a in range(3)]
    inside = sum((q[a] / np.float32(blob.axes[a])) ** 2 for a in range(3)) < 1.0
    sub = labels[box]
    inside &= blob.allowed[sub]
    if blob.cells > 0:
        w = np.float32(2 * np.pi / blob.cells)
        septa = np.sin(w * hx) + np.sin(w * hy + 1.3) + np.sin(w * hz + 2.1)
        inside &= septa > -1.6
    sub[inside] = blob.label


def paint_structures(
    labels: npt.NDArray[np.uint8], geom: Geometry, pose: Pose, blobs: list[Blob]
) -> None:
    """Paint ``blobs`` in order, then turn the unclaimed posterior-fossa space to cerebellum."""
    for blob in blobs:
        _paint(labels, geom, pose, blob)
    labels[labels == T.PFSPACE] = T.CEREB
