"""A small PDF 1.4 writer: Helvetica text (WinAnsi), lines, filled boxes and RGB images.

Enough for a one- or two-page report without a browser, Qt or a new dependency. Text is
placed by the caller (points, origin at the page's lower-left corner); :func:`text_width`
gives Helvetica advance widths for alignment and wrapping. Text content streams are left
uncompressed (they are small and remain searchable byte by byte); images are FlateDecode
RGB XObjects.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

A4 = (595.28, 841.89)
FONTS = {"regular": ("F1", "Helvetica"), "bold": ("F2", "Helvetica-Bold")}

# Advance widths (1/1000 em) of characters 32..126 from the Adobe core-font metrics.
_REGULAR = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
    "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
    "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
    "556 556 500 389 280 389 584"
)
WIDTHS = {
    "regular": [int(w) for w in _REGULAR.split()],
    "bold": [int(w) for w in _BOLD.split()],
}


def text_width(text: str, size: float, *, font: str = "regular") -> float:
    """Width in points of ``text`` set in Helvetica (``font`` "regular" or "bold")."""
    table = WIDTHS[font]
    units = sum(table[ord(c) - 32] if 32 <= ord(c) <= 126 else 556 for c in text)
    return units * size / 1000.0


def wrap(text: str, width: float, size: float, *, font: str = "regular") -> list[str]:
    """Split ``text`` into lines no wider than ``width`` points (breaking at spaces)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width(trial, size, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") or "0"


@dataclass
class Page:
    """Drawing operations of one page, in points from the lower-left corner."""

    width: float = A4[0]
    height: float = A4[1]
    ops: list[bytes] = field(default_factory=list)
    images: list[npt.NDArray[np.uint8]] = field(default_factory=list)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.0,
        font: str = "regular",
        color: tuple[float, float, float] = (0.0, 0.0, 0.0),
        align: str = "left",
    ) -> None:
        """Draw one line of text with its baseline at ``y`` (align left/right/center at x)."""
        if align == "right":
            x -= text_width(text, size, font=font)
        elif align == "center":
            x -= text_width(text, size, font=font) / 2
        name = FONTS[font][0]
        rgb = " ".join(_num(c) for c in color)
        self.ops.append(
            f"BT {rgb} rg /{name} {_num(size)} Tf 1 0 0 1 {_num(x)} {_num(y)} Tm ".encode()
            + _pdf_string(text)
            + b" Tj ET"
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        width: float = 0.5,
        gray: float = 0.0,
    ) -> None:
        ops = f"{_num(width)} w {_num(gray)} G {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S"
        self.ops.append(ops.encode())

    def box(
        self, x: float, y: float, w: float, h: float, *, fill: tuple[float, float, float]
    ) -> None:
        """A filled rectangle with lower-left corner (x, y)."""
        rgb = " ".join(_num(c) for c in fill)
        self.ops.append(f"{rgb} rg {_num(x)} {_num(y)} {_num(w)} {_num(h)} re f".encode())

    def image(self, rgb: npt.NDArray[np.uint8], x: float, y: float, w: float, h: float) -> None:
        """Place an (rows, columns, 3) uint8 image in the box (x, y, w, h)."""
        arr = np.ascontiguousarray(rgb, dtype=np.uint8)
        if arr.ndim != 3 or arr.shape[2] != 3:
            raise ValueError(f"image must be (rows, columns, 3) uint8, got {arr.shape}")
        self.images.append(arr)
        name = f"Im{len(self.images)}"
        self.ops.append(f"q {_num(w)} 0 0 {_num(h)} {_num(x)} {_num(y)} cm /{name} Do Q".encode())


@dataclass
class PdfDocument:
    """Pages plus document info; :meth:`to_bytes` serialises the whole file."""

    title: str = ""
    producer: str = "StrokeScope"
    pages: list[Page] = field(default_factory=list)

    def new_page(self) -> Page:
        page = Page()
        self.pages.append(page)
        return page

    def to_bytes(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled in below
        pages_id = add(b"")
        font_ids = {
            key: add(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                f"/Encoding /WinAnsiEncoding >>".encode()
            )
            for key, (_name, base) in FONTS.items()
        }
        font_res = " ".join(f"/{FONTS[k][0]} {i} 0 R" for k, i in font_ids.items())
        kids = []
        for page in self.pages:
            xobjs = []
            for n, img in enumerate(page.images, 1):
                data = zlib.compress(img.tobytes(), 6)
                head = (
                    f"<< /Type /XObject /Subtype /Image /Width {img.shape[1]} "
                    f"/Height {img.shape[0]} /ColorSpace /DeviceRGB /BitsPerComponent 8 "
                    f"/Filter /FlateDecode /Length {len(data)} >>\nstream\n"
                ).encode()
                image_id = add(head + data + b"\nendstream")
                xobjs.append(f"/Im{n} {image_id} 0 R")
            content = b"\n".join(page.ops)
            content_id = add(
                f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
            )
            res = f"<< /Font << {font_res} >> /XObject << {' '.join(xobjs)} >> >>"
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {_num(page.width)} "
                    f"{_num(page.height)}] /Resources {res} /Contents {content_id} 0 R >>".encode()
                )
            )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
        objects[pages_id - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
            f"/Count {len(kids)} >>".encode()
        )
        info = add(
            b"<< /Title "
            + _pdf_string(self.title)
            + b" /Producer "
            + _pdf_string(self.producer)
            + b" >>"
        )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, 1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)
