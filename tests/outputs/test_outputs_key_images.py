"""Key images of the PDF: centred on the union of the findings, whatever their sizes."""

from __future__ import annotations

import numpy as np

from strokescope.outputs.pdf_images import Overlay, _centre
from strokescope.volume import Geometry, Mask, Volume


def _volume_and_masks() -> tuple[Volume, Mask, Mask]:
    g = Geometry((12, 20, 16), (2.0, 0.5, 0.5))
    vol = Volume(np.zeros(g.shape, np.float32), g)
    a = np.zeros(g.shape, bool)
    a[2:4, 3:9, 4:6] = True
    b = np.zeros(g.shape, bool)
    b[3:9, 8:12, 10:15] = True  # overlaps a on slice 3, row 8
    return vol, Mask(a, g, "a"), Mask(b, g, "b")


def test_centre_is_the_mean_index_of_the_union() -> None:
    vol, a, b = _volume_and_masks()
    union = a.array | b.array
    expected = np.asarray([i.mean() for i in np.nonzero(union)])
    got = _centre(vol, [Overlay(a, (255, 0, 0)), Overlay(b, (0, 255, 0))])
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(
        _centre(vol, [Overlay(a, (255, 0, 0))]), [i.mean() for i in np.nonzero(a.array)]
    )


def test_without_findings_the_centre_is_the_volume_centre() -> None:
    vol, a, _ = _volume_and_masks()
    empty = Mask(np.zeros(vol.shape, bool), vol.geometry, "empty")
    np.testing.assert_allclose(_centre(vol, [Overlay(empty, (0, 0, 0))]), [5.5, 9.5, 7.5])
    np.testing.assert_allclose(_centre(vol, []), [5.5, 9.5, 7.5])
