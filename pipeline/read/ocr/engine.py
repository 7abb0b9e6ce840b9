"""OCR with Tesseract's Vietnamese model: a page image → words with boxes and confidences.

The words go through the PDF reader's own word geometry (visual lines, header and signature
columns), so a scan is arranged exactly like a text layer. Before Tesseract sees a page:

- it is rendered at the scan's own resolution (200–300 dpi): upsampling a noisy 200 dpi scan
  to 300 dpi makes Tesseract read the noise as letters;
- red seal ink is dropped (the stamp sits on the signer's title and name);
- it is deskewed by projection profiles: a 1° tilt moves a line's end by 9 pt, which would cut
  one visual line into several;
- it is median-filtered only when speckled: on a clean page the filter erodes the dot below
  (ạ, ộ) and costs time.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): on a few cores its threads cost more than
they save; batches parallelise across documents and pages instead.
"""
from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..normalize import fold
from ..records import Line, ReadError

LANG = "vie"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"
MIN_DPI, MAX_DPI = 200, 300  # render scans at their own resolution, within these bounds
DESKEW_LIMIT = 5.0  # degrees: the largest tilt searched for
DESKEW_STEP = 0.2  # degrees: coarse search step, refined to a tenth of it
MIN_DESKEW = 0.1  # degrees: smaller tilts are left alone (rotation blurs the page)
SPECKLE_RATIO = 0.02  # isolated dark pixels per dark pixel above which a page is median-filtered
LOW_CONFIDENCE = 75.0  # % word confidence under which a key field needs review
HANDWRITTEN_CONFIDENCE = 50.0  # % given to digits read as hand-written: always reviewed
NAME_CONFIDENCE = 94.0  # … and a person's name: below this, a tone is often wrong ("Hiên" for "Hiền")
LIST_CONFIDENCE = 85.0  # … and a list (Kính gửi, Nơi nhận): many words, one wrong tone loses an entry
FIELD_CONFIDENCE = {"signer.name": NAME_CONFIDENCE, "recipients": LIST_CONFIDENCE, "distribution": LIST_CONFIDENCE,
                    "directives": LIST_CONFIDENCE}  # a task's text: one wrong tone misquotes it
NOISE_MARKS = dict.fromkeys(map(ord, "~^`|¢©®¬´¨ˆ˜•·¦"), None)
LIST_DASH = re.compile(r"^['‘’`.,]?[-~–—_]['‘’`]?$")
NOISE_CONFIDENCE = 60.0  # % under which a letterless token is noise (half of it: a 1–2 letter token)
STAMP_DPI = 400  # stamped digits are small: render them larger than a page
DIGIT_LOOKALIKES = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})
STAMP_PAD = 4.0  # pt above and below a header line searched for a stamped number or date
KEY_FIELDS = {"number": "number", "issued_on": "date", "issuer": "issuer", "signer.name": "signer"}
RULE_LENGTH = 36.0  # pt: a horizontal run of ink this long is a rule, not a letter
PAGE_WIDTH_PT = 595.0  # A4: the width assumed for an image without a usable resolution tag
AUTHORITY_PREFIXES = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
DATE_WORDS = {"ngay": "ngày", "thang": "tháng", "nam": "năm"}
# Words of the agencies' and signers' names that head Decree 30 documents, beside the
# vocabulary's organisation heads, localities and provinces: Tesseract's fast model often
# puts the wrong tone on them, and one wrong tone loses the issuer.
HEADER_WORDS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ỦY BAN NHÂN DÂN TỈNH", "UBND TỈNH", "HỘI ĐỒNG NHÂN DÂN TỈNH",
    "HĐND TỈNH", "BẢO HIỂM XÃ HỘI TỈNH", "KHO BẠC NHÀ NƯỚC TỈNH", "DÂN HUYỆN", "BAN CHỈ HUY",
    "BAN QUẢN LÝ KHU KINH TẾ CÔNG NGHIỆP", "TÀI NGUYÊN VÀ MÔI TRƯỜNG", "TÀI CHÍNH", "Y TẾ", "NỘI VỤ",
    "TƯ PHÁP", "CÔNG THƯƠNG", "XÂY DỰNG", "GIAO THÔNG VẬN TẢI", "GIÁO DỤC VÀ ĐÀO TẠO",
    "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "KẾ HOẠCH VÀ ĐẦU TƯ", "THÔNG TIN VÀ TRUYỀN THÔNG", "KHOA HỌC VÀ CÔNG NGHỆ", "NGOẠI VỤ", "DÂN TỘC",
    "NGÂN HÀNG NHÀ NƯỚC", "KHO BẠC NHÀ NƯỚC", "BẢO HIỂM XÃ HỘI", "THUẾ", "HẢI QUAN", "CÔNG AN", "QUÂN SỰ",
    "CHÍNH PHỦ", "THỦ TƯỚNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ TỊCH", "PHÓ", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC",
    "TRƯỞNG BAN", "CHÁNH VĂN PHÒNG", "HIỆU TRƯỞNG", "VIỆN TRƯỞNG", "CỤC TRƯỞNG", "TRƯỜNG ĐẠI HỌC",
    "TRUNG TÂM", "BỆNH VIỆN", "THÀNH PHỐ", "HỒ CHÍ MINH", "TM.", "KT.", "TL.", "TUQ.",
)


@lru_cache(maxsize=1)
def tesseract_problem() -> str | None:
    """Why OCR cannot run here (a one-line reason with the install command), or None."""
    try:
        import pytesseract
    except ImportError:
        return "OCR needs the pytesseract package: pip install pytesseract"
    try:
        result = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return f"OCR needs Tesseract, which is not installed: {INSTALL}"
    if LANG not in result.stdout.split():
        return f"OCR needs Tesseract's Vietnamese data ({LANG}), which is not installed: {INSTALL}"
    return None


def require_ocr(path: str, what: str) -> None:
    """Raise ReadError("<what>, <why OCR cannot run>") when Tesseract or its data is missing."""
    problem = tesseract_problem()
    if problem:
        raise ReadError(path, f"{what}, and {problem}")


# ------------------------------------------------------------------------------ images


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


# ------------------------------------------------------------------------------ words


def recognise(gray, scale: float, origin: tuple[float, float] = (0.0, 0.0), psm: int = 3) -> list[dict]:
    """Tesseract's words on a prepared page, as boxes in points with a confidence (0–100).

    A word's top and bottom are those of its Tesseract line: diacritics stacked over capitals
    ("Ủ", "Ộ") raise a word's own top by a third of the font size, enough to split a line.
    """
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by the tesseract process
    data = pytesseract.image_to_data(gray, lang=LANG, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
    left, top = origin
    lines: dict[tuple, list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= 0:
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    words = []
    for members in lines.values():
        members = sorted(members, key=lambda i: data["left"][i])
        if LIST_DASH.match(data["text"][members[0]]):
            data["text"][members[0]] = "-"  # a list dash blurred into "'-" or "~" by the noise
        members = [i for k, i in enumerate(members) if (k == 0 and data["text"][i] == "-")
                   or not (is_noise(data["text"][i], float(data["conf"][i])) or is_rule(data["text"][i]))]
        if not members or is_scribble([data["text"][i] for i in members], [float(data["conf"][i]) for i in members]):
            continue
        # The line's median box, not its extremes: one blob merged with the line above
        # (Tesseract's own line finder errs) must not drag every word of the line up.
        line_top = median(data["top"][i] for i in members)
        line_bottom = median(data["top"][i] + data["height"][i] for i in members)
        line = []
        for i in members:
            text = clean_word(data["text"][i])
            conf = float(data["conf"][i])
            if PEN_SEVEN.match(text):  # "0†", "4†": a hand-written 7 with its crossbar
                text, conf = text.replace("†", "7"), min(conf, HANDWRITTEN_CONFIDENCE)
            if text:
                line.append({
                    "text": text,
                    "x0": left + data["left"][i] / scale,
                    "x1": left + (data["left"][i] + data["width"][i]) / scale,
                    "top": top + line_top / scale,
                    "bottom": top + line_bottom / scale,
                    "conf": conf,
                })
        words += repair_line(drop_stray_capitals(line))
    return words


def repair_line(words: list[dict]) -> list[dict]:
    """Undo the fast model's usual slips where the words are certain: capitalised header words
    with a wrong tone mark ("TÍNH" → "TỈNH", "BẢO HIẾM" → "BẢO HIỂM"), the words of a date
    ("ngày 11 thắng 11 năm 2024" → "tháng"), the "Số:" label of a number and the family name
    heading a person's name ("Trân Phước Hiền" → "Trần")."""
    repair_caps(words)
    repair_surname(words)
    repair_portal(words)
    repair_subject_head(words)
    for k, word in enumerate(words):
        text = word["text"]
        if fold(text) in DATE_WORDS and is_date_word(words, k):
            word["text"] = DATE_WORDS[fold(text)]
        elif k == 0 and fold(text).rstrip(":.") == "so" and len(words) > 1 and words[1]["text"][:1].isdigit():
            word["text"] = "Số:" if text.endswith((":", ".")) else "Số"
    return words


def repair_caps(words: list[dict]) -> None:
    """Respell capitalised words as the header vocabulary does when they differ only by tone
    marks: word pairs first ("TÍNH BÌNH" → "TỈNH BÌNH"), then, in a line mostly made of such
    words, lone words with one reading ("BẢO HIẾM XÃ HỘI" → "HIỂM")."""
    known, singles, pairs = header_vocabulary()
    cores = [w["text"].strip(".,;:") if is_caps_word(w["text"]) else "" for w in words]
    fixed = repair_phrases(words, cores)
    for k in range(len(words) - 1):
        if cores[k] and cores[k + 1]:
            found = pairs.get((strip_tone(cores[k]), strip_tone(cores[k + 1])), ())
            if len(found) == 1:
                for j, spelling in zip((k, k + 1), found[0]):
                    words[j]["text"] = words[j]["text"].replace(cores[j], spelling)
                    fixed[j] = True
    caps = [core for core in cores if core]
    if sum(core in known for core in caps) * 2 < len(caps):
        return  # not a header line ("I. MỤC ĐÍCH, YÊU CẦU"): its words need not be ours
    for k, core in enumerate(cores):  # a toneless word is usually right ("NHA TRANG")
        if core and not fixed[k] and core not in known and strip_tone(core) != core:
            found = singles.get(strip_tone(core), ())
            if len(found) == 1:
                words[k]["text"] = words[k]["text"].replace(core, found[0])
                cores[k], fixed[k] = found[0], True
    repair_one_slip(words, cores, known)
    if len(caps) >= 3 and all(core in known for core in caps):  # agency names carry no "." or ":"
        for k, core in enumerate(cores):
            if core and words[k]["text"] not in AUTHORITY_PREFIXES:
                words[k]["text"] = words[k]["text"].rstrip(".:")  # a speck read as a stop ("VIỆT NAM.")


def repair_one_slip(words: list[dict], cores: list[str], known: set) -> None:
    """In a line whose other capitalised words are all known (a title: "PHÓ CHỦ TIC"), the one
    unknown word of three letters or more that is a single letter away from exactly one known
    word, diacritics aside (or from one that pairs with its neighbour), is that word ("TIC" →
    "TỊCH": the seal's ink ate the "H")."""
    unknown = [k for k, core in enumerate(cores) if core and core not in known]
    if len(unknown) != 1 or sum(1 for core in cores if core) < 3:
        return
    k = unknown[0]
    key = fold(cores[k])
    if len(key) < 3:
        return
    found = {word for word in known if one_edit(key, fold(word))}
    if len(found) > 1:  # the word that forms a known pair with a neighbour ("CHỦ" + "TỊCH", not "TIN")
        _, _, pairs = header_vocabulary()
        before = strip_tone(cores[k - 1]) if k and cores[k - 1] else None
        after = strip_tone(cores[k + 1]) if k + 1 < len(cores) and cores[k + 1] else None
        found = {w for w in found if (before, strip_tone(w)) in pairs or (strip_tone(w), after) in pairs}
    if len(found) == 1:
        spelling = found.pop()
        words[k]["text"] = words[k]["text"].replace(cores[k], spelling)
        cores[k] = spelling


def one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by exactly one inserted, deleted or replaced letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def drop_stray_capitals(words: list[dict]) -> list[dict]:
    """Without a lone toned capital glued to the end of a lower-case word ("Tuần" + "Ấ"): a pen
    stroke of the signature beside the name; no Vietnamese word has a capital after small letters."""
    out: list[dict] = []
    for word in words:
        text = word["text"]
        if (out and len(text) == 1 and text.isupper() and not text.isascii() and out[-1]["text"][-1:].islower()
                and word["x0"] - out[-1]["x1"] < 2.0):
            continue
        out.append(word)
    return out


def same_marks(a: str, b: str) -> bool:
    """Whether two spellings differ only in where the tone mark sits ("UỶ", "ỦY")."""
    marks = lambda t: sorted(c for c in unicodedata.normalize("NFD", t) if unicodedata.combining(c))  # noqa: E731
    return a != b and fold(a) == fold(b) and marks(a) == marks(b)


def repair_phrases(words: list[dict], cores: list[str]) -> list[bool]:
    """Respell runs of three to five capitalised words that match a known agency phrase once
    every diacritic is dropped ("UY BAN NHAN DÀN" → "ỦY BAN NHÂN DÂN"): at that length the
    match is certain even where the vowel shapes, not only the tones, were lost."""
    table = phrase_spellings()
    fixed = [False] * len(words)
    k = 0
    while k < len(words):
        for n in (5, 4, 3):  # "THÀNH PHÓ HỒ CHÍ MINH" → "PHỐ"
            window = cores[k:k + n]
            spelled = table.get(tuple(fold(c) for c in window)) if len(window) == n and all(window) else None
            if spelled:
                for j, spelling in enumerate(spelled):
                    if same_marks(cores[k + j], spelling):
                        spelling = cores[k + j]  # "UỶ" for "ỦY": the old tone placement is the writer's
                    words[k + j]["text"] = words[k + j]["text"].replace(cores[k + j], spelling)
                    cores[k + j], fixed[k + j] = spelling, True
                k += n - 1
                break
        k += 1
    return fixed


@lru_cache(maxsize=1)
def phrase_spellings() -> dict[tuple, tuple]:
    phrases = [*agency_phrases(), "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "BẢO HIỂM XÃ HỘI", "MẶT TRẬN TỔ QUỐC"]
    table = {}
    for phrase in phrases:
        tokens = tuple(t.upper() for t in phrase.split())
        if 3 <= len(tokens) <= 5:
            table.setdefault(tuple(fold(t) for t in tokens), tokens)
    return table


def agency_phrases() -> list[str]:
    """Names that head an agency's header lines: the header words, organisation heads, and
    "TỈNH …" / "THÀNH PHỐ …" for every province."""
    from ..vocab import vocab

    provinces = [p.upper() for p in vocab()["provinces"]]
    return [*HEADER_WORDS, *vocab()["org_heads"], *(f"TỈNH {p}" for p in provinces),
            *(f"THÀNH PHỐ {p}" for p in provinces)]


# Vietnamese family names (a closed set, most people bear one of these): a name line's first
# word that differs from one only by its tone mark is that name.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Đinh", "Lâm", "Trịnh", "Trương", "Đoàn", "Lương", "Hà", "Cao", "Tạ", "Lưu",
    "Mai", "Tô", "Châu", "Quách", "Thái", "Kiều", "Đàm", "Lại", "Mạc", "Triệu", "Phùng", "Âu",
    "Ông", "Khúc", "Nghiêm", "Diệp", "Thân", "Chu", "Tăng", "Hứa", "Giang", "Lò", "Vi",
)


PORTAL_NEXT = {"ttdt", "tt-dt", "tt.dt", "thong"}  # "Cổng TTĐT", "Cổng TT-ĐT", "Cổng thông tin điện tử"
# Word pairs of running text with one spelling once the diacritics are gone ("thành phô" can
# only be "thành phố"): the second word respelled, its case kept.
TEXT_PAIRS = {("thanh", "pho"): "phố", ("nhan", "dan"): "dân", ("phat", "trien"): "triển"}


def repair_portal(words: list[dict]) -> None:
    """"Công TTĐT tỉnh" → "Cổng": the province's web portal, in nearly every Nơi nhận list, and
    the fast model drops the hook of "Cổng"; "Thành phô" → "Thành phố"."""
    for k in range(len(words) - 1):
        first, second = fold(words[k]["text"]), fold(words[k + 1]["text"])
        if first == "cong" and second.rstrip(";,.") in PORTAL_NEXT:
            words[k]["text"] = respell(words[k]["text"], "cổng")
        if first == "uy" and second == "ban" and words[k]["text"].isascii():  # "Uy ban": the hook lost, not "Uỷ"
            words[k]["text"] = respell(words[k]["text"], "ủy")
        spelling = TEXT_PAIRS.get((first, second.rstrip(";,.:")))
        if spelling and not is_caps_word(words[k + 1]["text"]):
            core = words[k + 1]["text"].rstrip(";,.:")
            words[k + 1]["text"] = respell(core, spelling) + words[k + 1]["text"][len(core):]


def respell(text: str, lower: str) -> str:
    """`lower` in the case of `text` (all capitals, capitalised or small)."""
    return lower.upper() if text.isupper() and len(text) > 1 else lower.capitalize() if text[:1].isupper() else lower


def repair_subject_head(words: list[dict]) -> None:
    """The head of a trích yếu: "Về việc …" is never a list item ("- Về việc": a speck read as
    a dash), and a letterless speck before "việc" at the start of a line is what is left of "Về"."""
    if len(words) < 2:
        return
    first, second = words[0]["text"], fold(words[1]["text"])
    if first == "-" and (second == "ve" and len(words) > 2 and fold(words[2]["text"]) == "viec" or second.startswith("v/v")):
        del words[0]
    elif second == "viec" and len(first) <= 2 and not any(ch.isalnum() or ch in "-–+*•" for ch in first):
        words[0]["text"] = "Về"


def repair_surname(words: list[dict]) -> None:
    """A line of two to four capitalised words is a person's name (the signer's); its first word
    read with a wrong tone ("Trân", "Nguyên") is respelled as the family name it can only be."""
    texts = [w["text"] for w in words]
    if not 2 <= len(texts) <= 4 or not all(t[:1].isupper() and t[1:].islower() and t.isalpha() for t in texts):
        return
    first = texts[0]
    if first in SURNAMES:
        return
    found = {s for s in SURNAMES if strip_tone(s) == strip_tone(first) and s != first}
    if len(found) == 1:
        words[0]["text"] = found.pop()


def strip_tone(text: str) -> str:
    """Without the tone mark, keeping the vowel's shape ("HIẾM" → "HIÊM", "MỖI" → "MÔI")."""
    text = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if ch not in TONE_MARKS))


def is_caps_word(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


@lru_cache(maxsize=1)
def header_vocabulary() -> tuple[set, dict, dict]:
    """Capitalised words of agency names, localities and titles; their spellings by tone-less
    key; and the spellings of adjacent word pairs by tone-less key."""
    from ..vocab import vocab

    data = vocab()
    phrases = [*agency_phrases(), *data["locality_words"], *data["type_titles"], *(p.upper() for p in data["provinces"])]
    words: set[str] = set()
    singles: dict[str, list[str]] = {}
    pairs: dict[tuple, list[tuple]] = {}
    for phrase in phrases:
        tokens = [t for t in (w.strip(".,;:()").upper() for w in phrase.split()) if is_caps_word(t)]
        for token in tokens:
            if token not in words:
                words.add(token)
                singles.setdefault(strip_tone(token), []).append(token)
        for pair in zip(tokens, tokens[1:]):
            key = (strip_tone(pair[0]), strip_tone(pair[1]))
            if pair not in pairs.setdefault(key, []):
                pairs[key].append(pair)
    return words, singles, pairs


def is_date_word(words: list[dict], k: int) -> bool:
    """Whether word k sits in "ngày D tháng M năm YYYY" (digits on the right sides)."""
    def digits(i: int, size: tuple) -> bool:
        return 0 <= i < len(words) and words[i]["text"].rstrip(".,;").isdigit() and len(words[i]["text"].rstrip(".,;")) in size

    kind = fold(words[k]["text"])
    if kind == "ngay":
        return digits(k + 1, (1, 2))
    if kind == "thang":  # "ngày 0† thắng 02 năm": the day may be unread, the month and year are not
        return digits(k + 1, (1, 2)) and (digits(k - 1, (1, 2)) or (k + 2 < len(words) and fold(words[k + 2]["text"]) == "nam"))
    return digits(k - 1, (1, 2)) and digits(k + 1, (4,))


def median(values) -> float:
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2])


def clean_word(text: str) -> str:
    """NFC, without the marks that specks turn into and no Vietnamese text uses ("Quốc~"), and
    without a toned capital stuck to the end of a lower-case word ("TuầnẤ": a pen stroke of the
    signature beside the name; no Vietnamese word has a capital after its small letters)."""
    text = unicodedata.normalize("NFC", text.strip()).translate(NOISE_MARKS)
    text = DOUBLED_D.sub("Đ", text)
    if len(text) > 2 and text[-1].isupper() and not text[-1].isascii() and text[-2].islower():
        text = text[:-1]
    return text


RULE_TOKEN = re.compile(r"^_+$")
SCRIBBLE_CONFIDENCE = 30.0  # % under which every word of a line: a signature or seal read as letters


DOUBLED_D = re.compile("[ĐÐ]{2}")  # "QĐÐ": the crossed D read twice
PEN_SEVEN = re.compile(r"^\d*†[\d†]*$")


def is_rule(text: str) -> bool:
    """A run of underscores: a piece of a rule line (under the issuer or the motto), not text."""
    return bool(RULE_TOKEN.match(text))


def is_scribble(texts: list[str], confs: list[float]) -> bool:
    """A Tesseract line all of whose words it doubts deeply ("R.EH8" under a signer's title): a
    signature or seal, not text. Digits are kept: a hand-written number reads with no confidence."""
    return all(c < SCRIBBLE_CONFIDENCE for c in confs) and not any(t.strip(".,:;/").isdigit() for t in texts)


def is_noise(text: str, conf: float) -> bool:
    """Specks, rules and seal edges read as letters: a short or letterless token Tesseract
    itself doubts ("ˆ", ":", "# Ẳ"). Real short words ("Số", "1.") come with high confidence."""
    letters = sum(ch.isalnum() for ch in text)
    return (letters == 0 and conf < NOISE_CONFIDENCE) or (letters <= 2 and conf < NOISE_CONFIDENCE / 2)


def ocr_page(page: PageImage) -> list[dict]:
    """The words of a whole page image."""
    return drop_strokes_over_words(recognise(prepare(page.image, page.scale), page.scale))


def drop_strokes_over_words(words: list[dict]) -> list[dict]:
    """Without a lone letter Tesseract read on a line of its own over another word: a pen stroke
    of the signature across the name ("À" over "Trần"), which would be glued to it as "TrầnÀ".
    Printed text never overlaps: a word lying mostly inside another's box is not text."""
    longer = [w for w in words if len(w["text"]) > 1]

    def over_a_word(mark: dict) -> bool:
        width = mark["x1"] - mark["x0"]
        return any(min(mark["x1"], w["x1"]) - max(mark["x0"], w["x0"]) > width / 2
                   and mark["top"] < w["bottom"] and w["top"] < mark["bottom"] and mark["top"] != w["top"]
                   for w in longer)

    return [w for w in words if not (len(w["text"]) == 1 and w["text"].isalpha() and over_a_word(w))]


# ------------------------------------------------------------------------- confidences


@dataclass
class ScannedLine(Line):
    """A line read (partly) by OCR: each whitespace-separated token's confidence, 0–100.

    Tokens from a text layer in the same line count as 100.
    """

    confidences: tuple = field(default_factory=tuple)
    box: tuple = ()  # (x0, top, x1, bottom) in points on its page, for a second, closer reading

    @property
    def confidence(self) -> float:
        return sum(self.confidences) / len(self.confidences) if self.confidences else 100.0


def mean_confidence(lines: list[Line]) -> float | None:
    """Mean word confidence over the OCR'd tokens of a document, None when nothing was OCR'd."""
    values = [c for line in lines if isinstance(line, ScannedLine) for c in line.confidences if c < 100.0]
    return sum(values) / len(values) if values else None


TOKEN = re.compile(r"\S+")


def text_confidences(record_text: str, lines: list[Line]) -> list[tuple[int, int, float]]:
    """(start, end, confidence) of each OCR'd token of the record text.

    The record's text is the reader's lines after normalisation: the same tokens in the same
    order, a few glued ("68/NQ-" + "CP"). Tokens are matched in order, looking a little ahead.
    """
    source: list[tuple[str, float]] = []
    for line in lines:
        confs = line.confidences if isinstance(line, ScannedLine) else ()
        for k, token in enumerate(line.text.split()):
            source.append((unicodedata.normalize("NFC", token), confs[k] if k < len(confs) else 100.0))
    spans, position = [], 0
    for match in TOKEN.finditer(record_text):
        for ahead in range(position, min(position + 40, len(source))):
            if source[ahead][0] == match.group():
                if source[ahead][1] < 100.0:
                    spans.append((match.start(), match.end(), source[ahead][1]))
                position = ahead + 1
                break
    return spans


def field_confidences(record, lines: list[Line], names=KEY_FIELDS, tokens=None) -> dict[str, float]:
    """The lowest OCR word confidence inside each named field's span (fields not OCR'd are left
    out); a list field (recipients, distribution, references) by its weakest entry."""
    tokens = text_confidences(record.text, lines) if tokens is None else tokens
    out = {}
    for name in names:
        span = record.spans.get(name)
        if not span:
            continue
        spans = span if isinstance(span[0], list) else [span]
        inside = [conf for start, end, conf in tokens for a, b in spans if start < b and end > a]
        if inside:
            out[name] = min(inside)
    return out


# Every field a record gives from an OCR'd text, for the review flags (the key fields' confidences
# are also reported in the record).
REVIEW_FIELDS = ("number", "issued_on", "place", "issuer", "parent_body", "doc_type", "subject", "recipients",
                 "distribution", "references", "directives", "signer.authority", "signer.title", "signer.name")


def flag_unsure_fields(record, lines: list[Line]) -> None:
    """Send to review each field of an OCR'd record that holds a word Tesseract read with low
    confidence: the value is kept for the clerk to correct, never passed on as certain. A
    person's name has no vocabulary to check its tones against, so it must be read surely."""
    if not hasattr(record, "flag"):
        return
    for name, conf in field_confidences(record, lines, REVIEW_FIELDS).items():
        if conf < FIELD_CONFIDENCE.get(name, LOW_CONFIDENCE):
            record.flag(name, f"OCR không chắc chắn ({conf:.0f}%)")
    title = " ".join(record.signer.title.split())
    if title and not is_known_title(title):  # the authority line above it is then in doubt too
        for name in ("signer.title", "signer.authority"):
            record.flag(name, f"chức danh đọc bằng OCR không có trong danh mục: {title}")


def is_known_title(title: str) -> bool:
    """A signer's title from the vocabulary, with "PHÓ" before it or its body's name after it
    in capitals ("PHÓ CHỦ TỊCH", "GIÁM ĐỐC SỞ Y TẾ"), nothing else ("BAN NHAN DAN CHỦ TỊCH")."""
    text = title.upper().removeprefix("PHÓ ").strip()
    for known in known_titles():
        if text == known or text.startswith(known + " "):
            rest = text[len(known):].split()
            if all(t.isalpha() and t.isupper() for t in rest):
                return True
    return False


@lru_cache(maxsize=1)
def known_titles() -> set:
    from ..vocab import vocab

    return {" ".join(t.upper().split()) for t in vocab()["signer_titles"]}


def low_confidence_warnings(record, lines: list[Line]) -> list[str]:
    """"low OCR confidence on number (61%)" for each key field read with low confidence."""
    return warnings_for(field_confidences(record, lines))


def warnings_for(confidences: dict[str, float]) -> list[str]:
    return [f"low OCR confidence on {KEY_FIELDS[name]} ({conf:.0f}%)"
            for name, conf in confidences.items() if conf < LOW_CONFIDENCE]


# ------------------------------------------------------------------------------ PDFs


@dataclass
class OcrPage:
    words: list[dict]
    width: float
    height: float


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


def ocr_pdf_page(path, index: int) -> OcrPage:
    """OCR one page of a PDF (a task for a worker process: arguments and result pickle)."""
    pdf = open_for_rendering(path, forms=False)
    try:
        page = render_pdf_page(pdf, index)
        return OcrPage(ocr_page(page), page.width, page.height)
    finally:
        pdf.close()


def ocr_pdf_pages(path, indexes: list[int], jobs: int = 1) -> dict[int, OcrPage]:
    """OCR the given pages; with jobs > 1, in that many processes, one page per task."""
    if jobs <= 1 or len(indexes) < 2:
        return {i: ocr_pdf_page(path, i) for i in indexes}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(indexes)), initializer=single_thread) as pool:
        return dict(zip(indexes, pool.map(ocr_pdf_page, [path] * len(indexes), indexes)))


def single_thread() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"




def read_digits(path, index: int, box: tuple) -> list[tuple[str, float]]:
    """Digits Tesseract reads in a small box (x0, top, x1, bottom) of a PDF page rendered large
    without form fields, one reading per segmentation mode (a line, a word, raw)."""
    import pytesseract

    x0, top, x1, bottom = box
    pdf = open_for_rendering(path, forms=False)
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=STAMP_DPI / 72, crop=(x0, height - bottom, width - x1, top)).to_pil()
    finally:
        pdf.close()
    gray = drop_red_ink(image)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    found = []
    for psm in (7, 8, 13):
        data = pytesseract.image_to_data(gray, lang="eng", output_type=pytesseract.Output.DICT,
                                         config=f"--psm {psm} -c tessedit_char_whitelist=0123456789")
        tokens = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"]) if t.strip()]
        if len(tokens) == 1:
            found.append(tokens[0])
    return found


def ocr_pdf_bands(path, index: int, stamps: list[tuple], text_words: list[dict]) -> list[dict]:
    """Words stamped over header lines of a page that has a text layer. Each (line box, stamp
    box) pair is rendered with its form fields, the text layer's own words are whitened out,
    and what Tesseract reads in the rest is placed on the line it was stamped on."""
    pdf = open_for_rendering(path)
    try:
        page = pdf[index]
        width, height = page.get_size()
        scale = STAMP_DPI / 72
        found = []
        for (_, top, _, bottom), (x0, upper, x1, lower) in stamps:
            upper, lower = min(upper, top - STAMP_PAD), max(lower, bottom + STAMP_PAD)
            image = page.render(scale=scale, crop=(x0, height - lower, width - x1, upper)).to_pil()
            image = whiten_words(drop_red_ink(image), text_words, (x0, upper), scale)
            for word in recognise(image, scale, origin=(x0, upper), psm=7):
                if not covers_text(word, text_words, top, bottom):
                    found.append(dict(word, text=as_digits(word["text"]), top=top, bottom=bottom))
        return found
    finally:
        pdf.close()


def whiten_words(gray, words: list[dict], origin: tuple[float, float], scale: float):
    """The crop with the text layer's words painted white: only the stamp's ink is left."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(gray)
    left, top = origin
    for w in words:
        draw.rectangle([(w["x0"] - left) * scale - 1, (w["top"] - top) * scale - 1,
                        (w["x1"] - left) * scale + 1, (w["bottom"] - top) * scale + 1], fill=255)
    return gray


def as_digits(text: str) -> str:
    """A stamped number or day read with letter look-alikes ("II" → "11", "O8" → "08")."""
    text = text.strip("_")  # the blank's underline, read with the stamp: "627_"
    core = text.rstrip(".,")
    if core and all(ch.isdigit() or ch in DIGIT_LOOKALIKES for ch in core) and any(ch.isdigit() or ch in "Il|" for ch in core):
        return core.translate(DIGIT_LOOKALIKES) + text[len(core):]
    return text


def covers_text(word: dict, text_words: list[dict], top: float, bottom: float) -> bool:
    """Whether an OCR word lies over a text-layer word of the same line (read already)."""
    for other in text_words:
        if other["bottom"] <= top or other["top"] >= bottom:
            continue
        overlap = min(word["x1"], other["x1"]) - max(word["x0"], other["x0"])
        if overlap > 0.3 * min(word["x1"] - word["x0"], other["x1"] - other["x0"]):
            return True
    return False


def line_tolerance(words: list[dict]) -> float:
    """How far apart two OCR'd lines' tops may be and still make one visual line: two fifths of
    the usual line height (columns' lines differ a little more than a text layer's)."""
    heights = sorted(w["bottom"] - w["top"] for w in words)
    return max(3.0, 0.4 * heights[len(heights) // 2]) if heights else 3.0


# ------------------------------------------------------------------------------ images


def ocr_image_file(path) -> list[tuple[int, OcrPage]]:
    """OCR every frame of an image file (a multi-page TIFF has several)."""
    from PIL import Image, ImageSequence

    pages = []
    with Image.open(path) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            frame = frame.copy()
            scale = image_scale(frame)
            page = PageImage(frame, scale, number)
            pages.append((number, OcrPage(ocr_page(page), page.width, page.height)))
    return pages
