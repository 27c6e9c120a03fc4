"""Lay out the PDF report: header, study, key images, measurements, recanalization-related
features, warnings, method.

Built on :mod:`strokescope.outputs.pdf_writer`; every page carries the research-use
statement in its footer and the first page in a banner under the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strokescope import RESEARCH_ONLY, __version__
from strokescope.outcome.definitions import SECTION_TITLE
from strokescope.outcome.features import FeatureRow
from strokescope.outputs.pdf_images import KeyImage
from strokescope.outputs.pdf_profile import (
    LEGEND,
    PLOT_H,
    TREE_LEGEND,
    ProfilePlot,
    draw_profile,
)
from strokescope.outputs.pdf_writer import A4, Page, PdfDocument, text_width, wrap
from strokescope.outputs.source_refs import StudyHeader
from strokescope.outputs.tables import MeasurementRow

MARGIN = 42.0
INK = (0.1, 0.12, 0.16)
MUTED = (0.38, 0.4, 0.45)
ACCENT = (0.07, 0.27, 0.45)
WARN = (0.62, 0.16, 0.1)
BAND = (0.93, 0.95, 0.97)
COLUMNS = (0.0, 0.30, 0.55, 0.68, 0.76)  # finding, measurement, value, unit, method


@dataclass(frozen=True)
class ReportContent:
    """Everything the report prints (already de-identified when requested)."""

    header: StudyHeader
    title: str
    impression: Sequence[str]  # the headline finding of each analysis, printed first
    images: Sequence[KeyImage]
    rows: Sequence[MeasurementRow]
    warnings: Sequence[str]
    method_lines: Sequence[str]
    created: str | None
    profiles: Sequence[ProfilePlot] = ()  # CTA/NCCT along each thrombus, after the table
    tree_profiles: Sequence[ProfilePlot] = ()  # along the arterial tree's segments, if traced
    cpr: KeyImage | None = None  # the headline clot's artery straightened, if the tree ran
    features: Sequence[FeatureRow] = ()  # recanalization-related features (thrombus only)
    outcome_line: str | None = None  # the outcome model's probability, or "no model"


def _date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 else (value or "-")


class _Layout:
    def __init__(self, doc: PdfDocument, content: ReportContent) -> None:
        self.doc = doc
        self.content = content
        self.width = A4[0] - 2 * MARGIN
        self.page = self._new_page()
        self.y = A4[1] - MARGIN

    def _new_page(self) -> Page:
        page = self.doc.new_page()
        n = len(self.doc.pages)
        page.line(MARGIN, 40, A4[0] - MARGIN, 40, width=0.5, gray=0.7)
        page.text(MARGIN, 28, f"StrokeScope {__version__} - {RESEARCH_ONLY}", size=7.5, color=MUTED)
        page.text(A4[0] - MARGIN, 28, f"Page {n}", size=7.5, color=MUTED, align="right")
        self.y = A4[1] - MARGIN
        return page

    def need(self, height: float) -> None:
        if self.y - height < 56:
            self.page = self._new_page()

    def heading(self, text: str) -> None:
        self.need(40)
        self.y -= 22
        self.page.text(MARGIN, self.y, text, size=11.5, font="bold", color=ACCENT)
        self.y -= 5
        self.page.line(MARGIN, self.y, MARGIN + self.width, self.y, width=0.8, gray=0.55)
        self.y -= 14

    def title(self) -> None:
        c = self.content
        self.page.box(MARGIN, self.y - 46, self.width, 46, fill=ACCENT)
        self.page.text(MARGIN + 14, self.y - 21, c.title, size=17, font="bold", color=(1, 1, 1))
        sub = f"Automated CT stroke analysis - StrokeScope {__version__}"
        self.page.text(MARGIN + 14, self.y - 37, sub, size=9, color=(0.85, 0.9, 0.96))
        if c.created:
            self.page.text(
                MARGIN + self.width - 14,
                self.y - 21,
                f"Created {c.created}",
                size=8,
                color=(0.85, 0.9, 0.96),
                align="right",
            )
        self.y -= 46
        self.page.box(MARGIN, self.y - 20, self.width, 20, fill=(0.99, 0.93, 0.9))
        self.page.text(
            MARGIN + self.width / 2,
            self.y - 14,
            f"{RESEARCH_ONLY.upper().rstrip('.')} - phantom-trained models, not validated "
            "on patients",
            size=9,
            font="bold",
            color=WARN,
            align="center",
        )
        self.y -= 20

    def impression(self) -> None:
        self.heading("Impression")
        for line in self.content.impression:
            for part in wrap(line, self.width, 11):
                self.need(15)
                self.page.text(MARGIN, self.y, part, size=11, font="bold", color=INK)
                self.y -= 15
        self.y += 4

    def study(self) -> None:
        h = self.content.header
        self.heading("Study")
        left = [
            ("Patient", h.patient_name.replace("^", " ") or "-"),
            ("Patient ID", h.patient_id or "-"),
            ("Birth date", _date(h.patient_birth_date)),
            ("Sex", h.patient_sex or "-"),
        ]
        right = [
            ("Study date", _date(h.study_date)),
            ("Accession", h.accession_number or "-"),
            ("Study", h.study_description or "-"),
            ("Series", h.series_description or "-"),
        ]
        top = self.y
        for col, items in ((0.0, left), (0.5, right)):
            y = top
            for label, value in items:
                x = MARGIN + col * self.width
                self.page.text(x, y, label, size=8.5, color=MUTED)
                shown = value
                while len(shown) > 4 and text_width(shown, 9.5) > self.width * 0.5 - 80:
                    shown = shown[:-4] + "..."
                self.page.text(x + 70, y, shown, size=9.5, color=INK)
                y -= 14
        self.y = top - 14 * 4
        self.page.text(MARGIN, self.y, f"Study UID {h.study_uid or '-'}", size=7, color=MUTED)
        self.y -= 10
        self.page.text(MARGIN, self.y, f"Series UID {h.series_uid or '-'}", size=7, color=MUTED)
        self.y -= 4

    def images(self, imgs: Sequence[KeyImage], title: str) -> None:
        if not imgs:
            return
        self.heading(title)
        gap = 14.0
        box_w = (self.width - gap * (len(imgs) - 1)) / len(imgs)
        box_h = min(
            box_w,
            200.0,
            max(box_w * im.rgb.shape[0] / im.rgb.shape[1] for im in imgs),
        )
        self.need(box_h + 30)
        top = self.y
        for n, im in enumerate(imgs):
            x0 = MARGIN + n * (box_w + gap)
            self.page.box(x0, top - box_h, box_w, box_h, fill=(0, 0, 0))
            scale = min(box_w / im.rgb.shape[1], box_h / im.rgb.shape[0])
            w, h = im.rgb.shape[1] * scale, im.rgb.shape[0] * scale
            x, y = x0 + (box_w - w) / 2, top - box_h + (box_h - h) / 2
            self.page.image(im.rgb, x, y, w, h)
            left, right, upper, lower = im.letters
            white = (1.0, 1.0, 1.0)
            mid_y = top - box_h / 2
            self.page.text(x0 + 4, mid_y, left, size=9, font="bold", color=white)
            self.page.text(
                x0 + box_w - 4, mid_y, right, size=9, font="bold", color=white, align="right"
            )
            self.page.text(
                x0 + box_w / 2, top - 11, upper, size=9, font="bold", color=white, align="center"
            )
            self.page.text(
                x0 + box_w / 2,
                top - box_h + 4,
                lower,
                size=9,
                font="bold",
                color=white,
                align="center",
            )
            self.page.text(x0, top - box_h - 12, im.caption, size=8, color=MUTED)
        self.y = top - box_h - 18

    def table(self) -> None:
        rows = list(self.content.rows)
        self.heading("Measurements")
        if not rows:
            self.page.text(MARGIN, self.y, "No finding measured.", size=9.5, color=INK)
            self.y -= 14
            return
        xs = [MARGIN + c * self.width for c in COLUMNS]
        heads = ("Finding", "Measurement", "Value", "Unit", "Method")
        self.page.box(MARGIN, self.y - 5, self.width, 16, fill=BAND)
        for x, head in zip(xs, heads, strict=True):
            if head == "Value":
                self.page.text(
                    xs[3] - 10, self.y, head, size=8.5, font="bold", color=INK, align="right"
                )
            else:
                self.page.text(x + 4, self.y, head, size=8.5, font="bold", color=INK)
        self.y -= 16
        previous = ""
        for row in rows:
            self.need(16)
            if row.finding != previous and previous:
                self.page.line(
                    MARGIN, self.y + 10, MARGIN + self.width, self.y + 10, width=0.4, gray=0.75
                )
            finding = row.finding if row.finding != previous else ""
            previous = row.finding
            self.page.text(xs[0] + 4, self.y, finding, size=9, font="bold", color=INK)
            self.page.text(xs[1] + 4, self.y, row.name, size=9, color=INK)
            self.page.text(
                xs[3] - 10, self.y, row.value_text(), size=9, font="bold", color=INK, align="right"
            )
            self.page.text(xs[3] + 4, self.y, row.unit, size=9, color=INK)
            self.page.text(xs[4] + 4, self.y, row.method, size=8, color=MUTED)
            self.y -= 14
        self.page.line(MARGIN, self.y + 10, MARGIN + self.width, self.y + 10, width=0.6, gray=0.5)

    def profiles(self, plots: Sequence[ProfilePlot], title: str, legend: str) -> None:
        if not plots:
            return
        self.need(PLOT_H + 70)
        self.heading(title)
        for part in wrap(legend, self.width, 8):
            self.page.text(MARGIN, self.y, part, size=8, color=MUTED)
            self.y -= 10
        half = (self.width - 16.0) / 2
        for k, plot in enumerate(plots):
            if k % 2 == 0:
                self.need(PLOT_H + 8)
                self.y -= PLOT_H
            draw_profile(self.page, plot, MARGIN + (k % 2) * (half + 16.0), self.y, half)
        self.y -= 8

    def features(self) -> None:
        """Each feature: label, value and unit (or "absent: reason"), its definition
        under it; then the outcome model's line."""
        rows, line = list(self.content.features), self.content.outcome_line
        if not rows and line is None:
            return
        self.need(70)
        self.heading(SECTION_TITLE)
        x, width = MARGIN + 0.3 * self.width, 0.7 * self.width
        for row in rows:
            font = "bold" if row.present else "regular"
            values = wrap(row.value_text(), width, 9, font=font)
            defs = wrap(row.definition, width, 7.5)
            self.need(12 * len(values) + 9 * len(defs) + 4)
            self.page.text(MARGIN, self.y, row.label, size=9, font="bold", color=INK)
            for part in values:
                self.page.text(
                    x, self.y, part, size=9, font=font, color=INK if row.present else MUTED
                )
                self.y -= 12
            for part in defs:
                self.page.text(x, self.y + 2, part, size=7.5, color=MUTED)
                self.y -= 9
            self.y -= 3
        for part in wrap(line or "", self.width, 9.5, font="bold"):
            self.need(14)
            self.page.text(MARGIN, self.y, part, size=9.5, font="bold", color=ACCENT)
            self.y -= 13

    def paragraphs(
        self, title: str, lines: Sequence[str], *, bullet: bool, color: tuple[float, float, float]
    ) -> None:
        self.need(70)
        self.heading(title)
        for line in lines:
            indent = 10.0 if bullet else 0.0
            for n, part in enumerate(wrap(line, self.width - indent, 9)):
                self.need(13)
                if bullet and n == 0:
                    self.page.text(MARGIN, self.y, "-", size=9, color=color)
                self.page.text(MARGIN + indent, self.y, part, size=9, color=color)
                self.y -= 12
            self.y -= 2


def render_report(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    doc = PdfDocument(title=content.title, producer=f"StrokeScope {__version__}")
    layout = _Layout(doc, content)
    layout.title()
    layout.impression()
    layout.study()
    layout.images(content.images, "Key images")
    layout.images([content.cpr] if content.cpr else [], "Curved planar reformat (research)")
    layout.table()
    layout.profiles(content.profiles, "CTA and NCCT along each thrombus", LEGEND)
    layout.profiles(content.tree_profiles, "Contrast along the arterial tree", TREE_LEGEND)
    layout.features()
    warnings = list(content.warnings) or ["None."]
    layout.paragraphs(
        "Warnings", warnings, bullet=bool(content.warnings), color=WARN if content.warnings else INK
    )
    layout.paragraphs("Method and provenance", content.method_lines, bullet=True, color=INK)
    return doc.to_bytes()
