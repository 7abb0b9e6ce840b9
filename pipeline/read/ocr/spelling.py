"""The fast model's usual slips, respelled only where the words leave one spelling.

Tesseract's fast Vietnamese model often puts the wrong tone on a word or drops a hook ("TÍNH"
for "TỈNH", "thắng" in a date, "Trân" for "Trần"), and one wrong tone loses an issuer, a date or
a signer. A word is respelled only when the vocabulary (agency names, localities, titles, the
family names, a date's words) allows exactly one spelling in its place; anything else is kept
as read, and its low confidence sends its field to review.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from ...normalize import fold

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
    from ...vocab import vocab

    provinces = [p.upper() for p in vocab()["provinces"]]
    return [*HEADER_WORDS, *vocab()["org_heads"], *(f"TỈNH {p}" for p in provinces),
            *(f"THÀNH PHỐ {p}" for p in provinces)]


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
    from ...vocab import vocab

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
