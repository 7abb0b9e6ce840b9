"""A page as pixels, made ready for Tesseract: what it can read depends on the cleaning.

- a page is rendered at the scan's own resolution (200–300 dpi): upsampling a noisy 200 dpi
  scan to 300 dpi makes Tesseract read the noise as letters;
- red seal ink is dropped (the stamp sits on the signer's title and name);
- it is deskewed by projection profiles: a 1° tilt moves a line's end by 9 pt, which would cut
  one visual line into several;
- it is median-filtered only when speckled: on a clean page the filter erodes the dot below
  (ạ, ộ) and costs time;
- horizontal rules (under the issuer and the motto, table borders) are whitened: Tesseract
  reads a rule as a row of letters.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_DPI, MAX_DPI = 200, 300  # render scans at their own resolution, within these bounds
DESKEW_LIMIT = 5.0  # degrees: the largest tilt searched for
DESKEW_STEP = 0.2  # degrees: coarse search step, refined to a tenth of it
MIN_DESKEW = 0.1  # degrees: smaller tilts are left alone (rotation blurs the page)
SPECKLE_RATIO = 0.02  # isolated dark pixels per dark pixel above which a page is median-filtered
RULE_LENGTH = 36.0  # pt: a horizontal run of ink this long is a rule, not a letter
PAGE_WIDTH_PT = 595.0  # A4: the width assumed for an image without a usable resolution tag


@dataclass
class PageImage:
    """A page as pixels, with the pixels-per-point factor that maps words back to points."""

    image: object  # PIL.Image
    scale: float
    number: int

    @property
    def width(self) -> float:
        return self.image.width / self.scale

    @property
    def height(self) -> float:
        return self.image.height / self.scale


def open_for_rendering(path, forms: bool = True):
    """A pypdfium2 document; with ``forms`` its form fields (signature stamps) are drawn when
    rendering. A scanned page is rendered without them: the signing system's stamps (seal
    images, "Ký bởi: …" text) lie over the scan's header and signer block, and Tesseract reads
    them into the lines beneath; their text, when they carry any, is read from the PDF itself."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    if forms:
        pdf.init_forms()
    return pdf


def render_pdf_page(pdf, index: int) -> PageImage:
    """Render page `index` of a pypdfium2 document at its scan's resolution."""
    page = pdf[index]
    dpi = min(MAX_DPI, max(MIN_DPI, image_dpi(page) or MAX_DPI))
    scale = dpi / 72
    image = page.render(scale=scale).to_pil()
    return PageImage(image, scale, index + 1)


def image_dpi(page) -> float | None:
    """Resolution of the largest image drawn on the page (the scan), or None."""
    import pypdfium2.raw as pdfium_c

    best = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, _, right, _ = obj.get_bounds()
        width_px, _ = obj.get_px_size()
        if right - left > 72 and (best is None or right - left > best[0]):
            best = (right - left, width_px / ((right - left) / 72))
    return best[1] if best else None


def image_scale(image) -> float:
    """Pixels per point of an image file: from its dpi tag when plausible, else A4 width."""
    dpi = image.info.get("dpi")
    try:
        dpi_x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        dpi_x = 0.0
    if 100 <= dpi_x <= 1200 and 4 * 72 < image.width / dpi_x * 72 < 17 * 72:  # a page 4–17 in wide
        return dpi_x / 72
    return image.width / PAGE_WIDTH_PT


def prepare(image, scale: float):
    """Grayscale, without seal ink, deskewed, despeckled when speckled, without ruled lines."""
    gray = drop_red_ink(image)
    angle = skew_angle(gray)
    if abs(angle) >= MIN_DESKEW:
        from PIL import Image

        gray = gray.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    if speckle_ratio(gray) > SPECKLE_RATIO:
        from PIL import ImageFilter

        gray = gray.filter(ImageFilter.MedianFilter(3))
    return erase_rules(gray, scale)


def drop_red_ink(image):
    """Grayscale with clearly red pixels (seals, red signatures) turned white."""
    import numpy as np
    from PIL import Image

    if image.mode not in ("RGB", "RGBA", "P", "CMYK"):
        return image.convert("L")
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    gray = np.asarray(image.convert("L")).copy()
    gray[(red - green > 60) & (red - blue > 40)] = 255
    return Image.fromarray(gray)


def dark_pixels(gray, factor: int = 4):
    """Row and column indexes of the ink in a reduced copy of the page (fast to search)."""
    import numpy as np

    small = gray.reduce(factor) if min(gray.size) > 400 else gray
    ink = np.asarray(small) < 128
    return np.nonzero(ink)


def skew_angle(gray) -> float:
    """Rotation (degrees, counter-clockwise) that makes the text lines horizontal.

    Projection profiles: rotated by the right angle, ink rows pile up into sharp peaks, so the
    sum of squared row counts is largest.
    """
    import numpy as np

    rows, cols = dark_pixels(gray)
    if len(rows) < 100:
        return 0.0
    rows = rows.astype(np.float64)
    cols = cols.astype(np.float64)

    def sharpness(angle: float) -> float:
        theta = np.deg2rad(angle)
        shifted = rows * np.cos(theta) - cols * np.sin(theta)
        counts = np.bincount((shifted - shifted.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    coarse = np.arange(-DESKEW_LIMIT, DESKEW_LIMIT + 1e-9, DESKEW_STEP)
    best = coarse[int(np.argmax([sharpness(a) for a in coarse]))]
    fine = np.arange(best - DESKEW_STEP, best + DESKEW_STEP + 1e-9, DESKEW_STEP / 10)
    return round(float(fine[int(np.argmax([sharpness(a) for a in fine]))]), 2)


def erase_rules(gray, scale: float):
    """Whiten horizontal rules (the lines under the issuer and the motto, table borders):
    Tesseract reads them as a row of letters. A run of ink longer than any letter is a rule."""
    import numpy as np
    from PIL import Image

    length = int(RULE_LENGTH * scale)
    ink = np.asarray(gray) < 128
    if ink.shape[1] <= length:
        return gray
    height, width = ink.shape
    runs = np.cumsum(ink, axis=1, dtype=np.int32)
    starts = np.zeros_like(ink)
    starts[:, :width - length] = (runs[:, length:] - runs[:, :-length]) == length  # ink on all of (k, k + length]
    if not starts.any():
        return gray
    before = np.concatenate([np.zeros((height, length + 1), np.int32), np.cumsum(starts, axis=1, dtype=np.int32)], axis=1)
    rule = (before[:, length:length + width] - before[:, :width]) > 0  # column c lies in some (k, k + length]
    rule[1:-1] |= (rule[:-2] | rule[2:]) & ink[1:-1]  # the rule's ragged edge above and below
    pixels = np.asarray(gray).copy()
    pixels[rule] = 255
    return Image.fromarray(pixels)


def speckle_ratio(gray) -> float:
    """Share of dark pixels with no dark neighbour: noise, not ink."""
    import numpy as np

    ink = np.asarray(gray) < 128
    total = int(ink.sum())
    if not total:
        return 0.0
    padded = np.pad(ink, 1)
    neighbours = sum(padded[1 + dy: padded.shape[0] - 1 + dy, 1 + dx: padded.shape[1] - 1 + dx]
                     for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    return float((ink & (neighbours == 0)).sum()) / total
