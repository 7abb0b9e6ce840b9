"""The fixed text and anchors of Decree 30/2020/NĐ-CP, in one place.

Every administrative document carries the same marks: the national motto and slogan (quốc hiệu,
tiêu ngữ), "Số:" with the number and symbol, the place-and-date line, "V/v" or "Về việc" before
the trích yếu, "Kính gửi:", "Nơi nhận:" and the signing authority (TM., KT., TL., TUQ., Q.). The
readers, the segmenter, the line restorer, the extractor, the checker, the writer and the org
config all recognise them; they read them from here.

A mark comes in the forms its users need, side by side and named for the difference:
- the *line* form (``KINH_GUI``): a line that opens with the mark, lenient about what OCR and
  portals do to it (tones lost, colon missing or full-width);
- the *mid-line* form (``KINH_GUI_MIDLINE``): the mark where a portal flattened a block into one
  line, anchored to a word boundary so running text is not cut;
- the *exact* form (``KINH_GUI_EXACT``): the decree's own spelling, for the checker of drafts,
  which must not accept what the reader forgives.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .vocab import alternation, vocab

# ---- quốc hiệu and tiêu ngữ (Art. 8 cl. 1, Appendix I)

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

# Any tone on the motto's vowels, spaces optional: OCR reads "XÃ HỌI", "Độclập - Tựdo".
_A, _O = "[AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ]", "[OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ]"
_I, _U, _E = "[IÌÍỈĨỊ]", "[UÙÚỦŨỤƯỪỨỬỮỰ]", "[EÈÉẺẼẸÊỀẾỂỄỆ]"
MOTTO = re.compile(rf"C{_O}NG\s*H{_O}{_A}\s*X{_A}\s*H{_O}{_I}(?:\s*CH{_U}\s*NGH{_I}{_A}\s*V{_I}{_E}T\s*NAM)?"
                   rf"|CH{_U}\s+NGH{_I}{_A}\s+V{_I}{_E}T\s+NAM", re.I)
SLOGAN = re.compile(rf"Đ{_O}c\s*l{_A}p\s*[-–—]?\s*T{_U}\s*do\s*[-–—]?\s*H{_A}nh\s*ph{_U}c", re.I)
# Where a flattened header line has the motto after the issuer: the words must be whole.
MOTTO_MIDLINE = re.compile(r"C[OÔ][NM]G\s+H[OÒ][AÀ]\s+X[AÃ]\s+H[OỘ]I", re.I)
# A draft's slogan as the decree spells it (hyphens between the three phrases).
SLOGAN_EXACT = re.compile(r"^độc\s+lập\s*[-–—]\s*tự\s+do\s*[-–—]\s*hạnh\s+phúc$", re.I)


def is_motto(text: str) -> bool:
    return bool(MOTTO.search(text) or SLOGAN.search(text))


def strip_motto(text: str) -> str:
    """Remove the national motto and slogan from an interleaved header line, keep the rest."""
    return SLOGAN.sub(" ", MOTTO.sub(" ", text)).strip(" -")


# ---- số, ký hiệu (Art. 8 cl. 3)

NUMBER_LINE = re.compile(r"^\s*Số\s*[:.]?\s*\d|^\s*Số\s*:|\sSố\s*:\s*\d")
NUMBER_MIDLINE = re.compile(r"(?<!\S)Số\s*:")
NUMBER_EXACT = re.compile(r"^số\s*[:.]?\s*\d|^số\s*:", re.I)

# ---- địa danh, ngày tháng (Art. 8 cl. 4)

DATE_LINE = re.compile(
    r"(?P<place>[^\d,;:\n][^,;:\n]{1,60}?)\s*,\s*ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})",
    re.I,
)
# A date line whose hand-written day OCR could not read: "Quảng Ngãi, ngày #tháng 6 năm 2022".
DAMAGED_DATE_LINE = re.compile(r"ngày\W{0,3}.{0,4}tháng\s*\d{1,2}\s*năm\s*:?\s*\d{4}")
BARE_DATE_LINE = re.compile(r"^\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$", re.I)
DATE_MIDLINE = re.compile(r",\s*ngày\s*\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*\d{4}", re.I)
# A draft leaves day and month blank ("ngày    tháng    năm 2026") for the văn thư to fill in.
DATE_WORDS_BLANKS_ALLOWED = re.compile(r"ngày[\s.…_]*(?:\d{1,2})?[\s.…_]*tháng[\s.…_]*(?:\d{1,2})?[\s.…_]*năm\s*\d{4}", re.I)

# ---- trích yếu (Art. 8 cl. 5)

SUBJECT_START = re.compile(r"^\s*(?:V/v|V/V|v/v|Về\s+việc|VỀ\s+VIỆC)\b", re.I)
SUBJECT_MIDLINE = re.compile(r"(?<!\S)(?:V/v|V/V|Về\s+việc)(?=[\s:])")
SUBJECT_EXACT = re.compile(r"^(?:v/v|về\s+việc)\b", re.I)

# ---- nơi nhận: Kính gửi and Nơi nhận (Art. 8 cl. 9)

KINH_GUI = re.compile(r"^\s*Kính\s+gửi\s*[:：]?", re.I)
KINH_GUI_MIDLINE = re.compile(r"(?<!\S)Kính\s+gửi\s*:?", re.I)
KINH_GUI_EXACT = re.compile(r"^kính\s+gửi\b", re.I)
KINH_GUI_LABEL_EXACT = re.compile(r"^kính\s+gửi\s*:?\s*", re.I)
# OCR's slips of the label ("Mới nhận:", "Nơi nhân:") count only with the colon: "Mới nhận được …" is prose.
NOI_NHAN = re.compile(r"^\s*(?:N[ơo]i\s+nh[ậa]n\s*[:：]?|[NM][ơoớờởọóò]i\s+nh[ậaặâấầạ]n\s*[:：])", re.I)
# Mid-line only with its colon and tones: "nơi nhận" in running text is not the block's label.
NOI_NHAN_MIDLINE = re.compile(r"(?<!\S)Nơi\s+nhận\s*:")
NOI_NHAN_AFTER_SENTENCE = re.compile(r"(?<=[.;:!?)])\s+(?=Nơi\s+nhận\s*:)")  # "… thực hiện./. Nơi nhận: …"
NOI_NHAN_EXACT = re.compile(r"^n[ơo]i\s+nh[ậa]n\b", re.I)
NOI_NHAN_LABEL_EXACT = re.compile(r"^n[ơo]i\s+nh[ậa]n\s*:?\s*", re.I)
DIEN = re.compile(r"\bđiện\s*:\s*$", re.I)  # "THỦ TƯỚNG CHÍNH PHỦ điện:" opens a Công điện's recipients

# ---- thẩm quyền ký (Art. 8 cl. 7; prefixes from vocab.json "authority_prefixes")

UPPER_LETTERS = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"


def _prefixes() -> tuple[list[str], list[str]]:
    """The dotted prefixes without their dot ("TM", "Q") and the slashed ones ("T/M")."""
    listed = vocab()["authority_prefixes"]
    dotted = [p[:-1] for p in listed if p.endswith(".")]
    return dotted, [p for p in listed if "/" in p]


DOTTED, SLASHED = _prefixes()
# "Q." mid-line is also an abbreviation of quận: only the other prefixes open a signature inside a line.
_DOTTED_MIDLINE = [p for p in DOTTED if p != "Q"]
# A line that opens with a prefix, lenient: "KT.CỤC TRƯỞNG", "K/T THỦ TƯỚNG", "TL:" from OCR.
AUTHORITY = re.compile(rf"^\s*(?:({alternation(DOTTED)})\s*[.:]\s*|({alternation(SLASHED)})\s*[.:]?\s*)(?=\S)", re.I)
# Where a flattened footer line starts the signature: a prefix before an upper-case word.
AUTHORITY_MIDLINE = re.compile(rf"(?<!\S)(?:(?:{alternation(_DOTTED_MIDLINE)})\.\s*(?=[{UPPER_LETTERS}])|(?:{alternation(SLASHED)})\s)")
# The signature inside a line a PDF joined to the last Nơi nhận entry ("TTĐT, TM. CHÍNH PHỦ").
AUTHORITY_INSIDE = re.compile(rf"(?<=\s)(?:(?:{alternation(_DOTTED_MIDLINE)})\.\s*(?=\S)|(?:{alternation(SLASHED)})\s)")
# A prefix as the decree writes it: dotted, then one space (the org config and the writer).
AUTHORITY_EXACT = re.compile(rf"^({alternation(DOTTED)})\. \S")
# A prefix opening a line of the checker's signature block, dot required, any case.
AUTHORITY_PREFIX_DOTTED = re.compile(rf"^(?:{alternation(DOTTED)})\.", re.I)

# A signer's mark where a copy shows no signature: "(Đã ký)", "(ký)", "[chữ ký]".
SIGN_MARK = re.compile(r"\((?:đã\s+ký|Đã\s+ký|ĐÃ\s+KÝ|ký|Ký)[^)]*\)|\bđã\s+ký\b|\bĐã\s+ký\b|\[?\s*chữ\s+ký\s*\]?", re.I)

# ---- marks under the number (Art. 8 cl. 10, 11): never part of the issuer or the subject

URGENCY = re.compile(r"^(?:THƯỢNG\s+KHẨN|HỎA\s+TỐC|HOẢ\s+TỐC|KHẨN|MẬT|TỐI\s+MẬT|TUYỆT\s+MẬT)(?:\s+HẸN\s+GIỜ)?$")

# ---- phụ lục (Art. 13)

# "PHỤ LỤC", "PHỤ LỤC HỆ THỐNG MẪU BIỂU", "Phụ lục XII", "Phụ lục số 2", "Phụ lục: Biểu …":
# an appendix's heading as the reader meets it, with a title after it.
APPENDIX = re.compile(r"^(?:PHỤ\s+LỤC\b|Phụ\s+lục(?:\s+(?:số\s+)?[IVXLCDM\d]+[a-z]?)?\s*(?:[:.\-–].*)?$)")

# After the signature: a form's heading ("Mẫu số 01/QTDA") opens an appendix as "PHỤ LỤC" does.
FORM_HEADING = re.compile(r"^Mẫu\s+(?:số\s+)?[\w./-]*\d", re.I)
# The last entry of a Nơi nhận list (App. I §II.9): "- Lưu: VT, KTTH (2)".
LUU_ENTRY = re.compile(r"^\s*[-–~•+]?\s*Lưu\s*[:.]?\s*(?:VT|Văn\s+thư)\b", re.I)

# ---- e-signature stamps printed into the text (evidence of the signature, never content)

# "Người ký: …" / "Ký bởi: …" opens a stamp; its other fields follow it.
ESIGN_OPEN = re.compile(r"^\s*(?:Người\s+ký|Ký\s+bởi)\s*:\s*(?P<signer>\S.*)$", re.I)
ESIGN_FIELD = re.compile(r"^\s*(?:E-?mail|Cơ\s+quan|Chức\s+vụ|Thời\s+gian\s+ký|Ngày\s+ký|Ký\s+ngày)\s*:", re.I)


# ---- upper-case lines: issuer, type title, authority and title lines


def is_upper_line(text: str, share: float = 0.85) -> bool:
    """Whether a line is written in capitals: 85 % of its letters for what a reader gets (a stray
    lower-case OCR letter), all of them (``share=1.0``) for a draft the checker judges."""
    letters = list(filter(str.isalpha, text))  # (filter and map: the letters counted at C speed)
    return bool(letters) and sum(map(str.isupper, letters)) >= share * len(letters)


@lru_cache(maxsize=1)
def authority_prefixes() -> tuple[str, ...]:
    """The prefixes as vocab.json lists them, for the writer and the checker's messages."""
    return tuple(vocab()["authority_prefixes"])
