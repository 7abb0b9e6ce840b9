"""Finding the components in the walked lines: the header (Quốc hiệu, Tiêu ngữ, parent and issuing
bodies, Số, date, V/v), the type name and trích yếu, Kính gửi, the body, the signer, Nơi nhận."""
from __future__ import annotations

from dataclasses import dataclass, field

from .document import Document
from .recognise import (APPENDIX, APPENDIX_REF, ARTICLE, CAN_CU, COPY_FORM, DASHES, ENACTING, HEADER_SCAN_LIMIT,
                        HEADING, KINH_GUI, KINH_GUI_LABEL, LONG_LINE, NOI_NHAN, NOI_NHAN_LABEL, NUMBER, PARTY,
                        QUOC_HIEU, SIGN_MARK, SLOGAN, VV, _after_label, _date_line, _first, _norm_upper,
                        is_decoration, is_name_like, is_type_title, is_upper_line, mark_kind)
from ..decree30 import AUTHORITY_PREFIX_DOTTED as PREFIX_START
from .walk import Line, Para


@dataclass
class Layout:
    """The components found, each as the lines it occupies (empty when missing)."""

    quoc_hieu: list[Line] = field(default_factory=list)
    tieu_ngu: list[Line] = field(default_factory=list)
    parent: list[Line] = field(default_factory=list)
    issuer: list[Line] = field(default_factory=list)
    urgency: list[Line] = field(default_factory=list)  # KHẨN, THƯỢNG KHẨN, HỎA TỐC
    secrecy: list[Line] = field(default_factory=list)  # MẬT, TỐI MẬT, TUYỆT MẬT (độ mật)
    circulation: list[Line] = field(default_factory=list)  # LƯU HÀNH NỘI BỘ, XEM XONG TRẢ LẠI
    number: list[Line] = field(default_factory=list)
    vv: list[Line] = field(default_factory=list)
    date: list[Line] = field(default_factory=list)
    type_name: list[Line] = field(default_factory=list)
    subject: list[Line] = field(default_factory=list)
    kinh_gui: list[Line] = field(default_factory=list)  # the "Kính gửi" line, then the entries
    body: list[Para] = field(default_factory=list)
    authority: list[Line] = field(default_factory=list)
    signer: list[Line] = field(default_factory=list)
    noi_nhan: list[Line] = field(default_factory=list)
    noi_nhan_entries: list[list[Line]] = field(default_factory=list)
    extra_titles: list[Line] = field(default_factory=list)  # a second type name competing with the first
    can_cu: list[Para] = field(default_factory=list)  # the căn cứ ban hành before "QUYẾT ĐỊNH:" / Điều 1
    headings: list[Line] = field(default_factory=list)  # Phần/Chương/Mục lines and their titles
    articles: list[Line] = field(default_factory=list)  # "Điều 1. …" lines
    appendices: list = field(default_factory=list)  # Appendix: label, title lines, reference line
    copy_form: list[Line] = field(default_factory=list)  # SAO Y / SAO LỤC / TRÍCH SAO (a copy's own block)
    copy: "Layout | None" = None  # the copy's block, when the document carries one

    @property
    def marks(self) -> list[Line]:
        return self.urgency + self.secrecy + self.circulation

    def styled_components(self):
        """(LOOKS key, lines) for every component whose look Appendix I fixes."""
        yield from (("quoc-hieu", self.quoc_hieu), ("tieu-ngu", self.tieu_ngu), ("parent", self.parent),
                    ("issuer", self.issuer), ("urgency", self.urgency), ("secrecy", self.secrecy),
                    ("circulation", self.circulation), ("copy-form", self.copy_form), ("number", self.number),
                    ("date", self.date), ("vv", self.vv), ("type-name", self.type_name),
                    ("subject", self.subject), ("kinh-gui", self.kinh_gui), ("authority", self.authority),
                    ("signer", self.signer), ("noi-nhan", self.noi_nhan),
                    ("noi-nhan-list", [ln for entry in self.noi_nhan_entries for ln in entry]))


@dataclass
class Appendix:
    label: Line
    title: list[Line]
    reference: "Line | None"


def document_kind(lines: list[Line]) -> str:
    """ "party" for a Party document (ĐẢNG CỘNG SẢN VIỆT NAM instead of the national motto),
    "appendix" for a file that is an appendix only, "copy" for a document with a copy's block
    (sao y, sao lục, trích sao) after it, else "document"."""
    head = [ln for ln in lines[:HEADER_SCAN_LIMIT] if not is_decoration(ln)]
    mottoes = {_norm_upper(ln.text) for ln in head}
    if PARTY in mottoes and QUOC_HIEU not in mottoes:
        return "party"
    if head and APPENDIX.match(head[0].text):
        return "appendix"
    if copy_start(lines) < len(lines):
        return "copy"
    return "document"


def copy_start(lines: list[Line]) -> int:
    """The first line of a copy's block (its table, or the rule above it), or len(lines)."""
    form = next((ln for ln in lines[1:] if COPY_FORM.match(ln.text)), None)
    if form is None:
        return len(lines)
    table = form.para.scope.root_table()
    start = table.first_line if table is not None else form.index
    for line in lines[start:form.index + 1]:
        if NUMBER.match(line.text) or line.para.in_table:
            return min(start, line.index)
    return start


def find_layout(doc: Document) -> Layout:
    lines = doc.lines
    kind = document_kind(lines)
    if kind == "appendix":
        lay = Layout()
        lay.appendices = find_appendices(lines, 0)
        return lay
    end = copy_start(lines) if kind == "copy" else len(lines)
    lay = _find_main(lines, end)
    if kind == "copy":
        lay.copy = find_copy(lines, end)
    return lay


def _find_main(lines: list[Line], end: int) -> Layout:
    lay = Layout()
    header_end = find_header(lay, lines[:end])
    start = find_title(lay, lines[:end], header_end + 1)
    stop = _appendix_start(lines[:end], start)
    find_noi_nhan(lay, lines, start, stop)
    excluded = {id(ln) for ln in lay.noi_nhan} | {id(ln) for e in lay.noi_nhan_entries for ln in e}
    find_signer(lay, [ln for ln in lines[start:stop] if id(ln) not in excluded])
    body_end = _footer_start(lay, lines, stop)
    find_kinh_gui(lay, lines[start:body_end])
    taken = {id(ln) for ln in lay.kinh_gui + lay.marks}
    seen = set()
    for line in lines[start:body_end]:
        if id(line) in taken or is_decoration(line) or id(line.para) in seen:
            continue
        seen.add(id(line.para))
        lay.body.append(line.para)
    _find_structure(lay)
    lay.appendices = find_appendices(lines[:end], stop)
    _name_tables(lay)
    return lay


def find_copy(lines: list[Line], start: int) -> Layout:
    """A copy's own block (App. I Part II): issuing body, "Số: 03/SY-…", the form (SAO Y …),
    place and date, Nơi nhận and the signer."""
    lay = Layout()
    zone = lines[start:start + next((i for i, ln in enumerate(lines[start:]) if NOI_NHAN.match(ln.text)),
                                    len(lines) - start)]
    lay.copy_form = [ln for ln in [_first(zone, lambda ln: COPY_FORM.match(ln.text))] if ln]
    number = _first(zone, lambda ln: NUMBER.match(ln.text))
    lay.number = [number] if number else []
    found_date = _date_line(zone)
    lay.date = [found_date] if found_date else []
    taken = {id(ln) for ln in lay.copy_form + lay.number + lay.date}
    if number is not None:
        names = [ln for ln in zone if ln.index < number.index and ln.key == number.key and id(ln) not in taken
                 and not is_decoration(ln)]
        if names:
            bold = [all(p.look.get("bold") for p in ln.pieces) for ln in names]
            split = max((i + 1 for i, b in enumerate(bold) if not b), default=0)
            split = split if split < len(names) else _last_paragraph_start(names)
            lay.parent, lay.issuer = names[:split], names[split:]
    find_noi_nhan(lay, lines, start, len(lines))
    excluded = {id(ln) for ln in lay.noi_nhan} | {id(ln) for e in lay.noi_nhan_entries for ln in e}
    find_signer(lay, [ln for ln in lines[start:] if id(ln) not in excluded and id(ln) not in taken])
    return lay


def find_appendices(lines: list[Line], start: int) -> list[Appendix]:
    """Each "Phụ lục …" label (outside tables) with the upper-case title and the "(Kèm theo …)"
    reference line printed under it."""
    out = []
    for i in range(start, len(lines)):
        label = lines[i]
        if label.para.in_table or not APPENDIX.match(label.text):
            continue
        title, reference = [], None
        for line in lines[i + 1:i + 6]:
            if line.para.in_table or APPENDIX.match(line.text):
                break
            if is_decoration(line):
                continue
            if APPENDIX_REF.match(line.text) and reference is None:
                reference = line
            elif reference is None and is_upper_line(line.text):
                title.append(line)
            else:
                break
        out.append(Appendix(label, title, reference))
    return out


def _find_structure(lay: Layout) -> None:
    """Căn cứ lines before the enacting words, Phần/Chương/Mục headings, Điều lines."""
    paras = [p for p in lay.body if not p.in_table]
    texts = [" ".join(p.text.split()) for p in paras]
    enacting = next((i for i, t in enumerate(texts) if ENACTING.match(t)), None)
    if enacting is not None and lay.type_name:
        lay.can_cu = [p for p, t in zip(paras[:enacting], texts) if CAN_CU.match(t)]
    previous_heading = False
    for para, text in zip(paras, texts):
        line = para.lines[0] if para.lines else None
        if line is None:
            continue
        if HEADING.match(text) and len(text) < 120 and not text.endswith((";", ",")):
            lay.headings.append(line)
            previous_heading = True
            continue
        if previous_heading and is_upper_line(text) and len(text) < 200:
            lay.headings.append(line)  # the heading's title, under "Chương I"
        elif ARTICLE.match(text):
            lay.articles.append(line)
        previous_heading = False


def find_header(lay: Layout, lines: list[Line]) -> int:
    """Fill the header components; the index of the header's last line (-1 when there is none)."""
    zone = []
    for line in lines[:HEADER_SCAN_LIMIT]:
        text = line.text
        title_outside = is_type_title(text) and not line.para.in_table
        if KINH_GUI.match(text) or NOI_NHAN.match(text) or title_outside or len(text) > LONG_LINE:
            break
        zone.append(line)
    lay.quoc_hieu = _quoc_hieu_lines(zone)
    lay.tieu_ngu = [ln for ln in [_first(zone, lambda ln: SLOGAN.match(ln.text))] if ln]
    number = _first(zone, lambda ln: NUMBER.match(ln.text))
    lay.number = [number] if number else []
    found_date = _date_line(zone)
    lay.date = [found_date] if found_date else []
    for line in zone:
        kind = mark_kind(line.text)
        if kind:
            getattr(lay, kind).append(line)
    vv = _first(zone, lambda ln: VV.match(ln.text))
    title = _first(zone, lambda ln: is_type_title(ln.text))  # some put GIẤY MỜI in the header cell
    taken = {id(ln) for ln in lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.marks}
    if vv is None and title is None and number is not None:
        following = lines[len(zone)] if len(zone) < len(lines) else None
        before_kinh_gui = following is not None and bool(KINH_GUI.match(following.text))
        if number.para.in_table or before_kinh_gui:
            vv = _unlabelled_subject(number, zone, taken, same_column=number.para.in_table)
    if title is not None:
        lay.type_name = [title]
        block = _subject_block(title, zone, taken | {id(vv)})
        lay.subject = block[1:]
        taken |= {id(ln) for ln in block}
    lay.vv = _subject_block(vv, zone, taken) if vv and not lay.type_name else []
    taken |= {id(ln) for ln in lay.vv}
    _parent_and_issuer(lay, zone, taken)
    found = (lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.marks + lay.vv + lay.parent + lay.issuer
             + lay.type_name + lay.subject)
    if not found:
        return -1
    end = max(ln.index for ln in found)
    for line in found:  # a header table is the header to its last line
        table = line.para.scope.root_table()
        if table is not None:
            end = max(end, table.last_line)
    return end


def _unlabelled_subject(number: Line, zone: list[Line], taken: set, same_column: bool = True) -> "Line | None":
    """A công văn's trích yếu written without "V/v": the next line of the Số line's cell, or (the
    Số line standing below the header table) the next line before "Kính gửi"."""
    following = [ln for ln in zone if ln.index > number.index and (ln.key == number.key or not same_column)
                 and id(ln) not in taken and not is_decoration(ln) and ln.para is not number.para]
    if following and not is_upper_line(following[0].text) and len(following[0].text) < 200 \
            and not NUMBER.match(following[0].text) and not mark_kind(following[0].text):
        return following[0]
    return None


def _quoc_hieu_lines(zone: list[Line]) -> list[Line]:
    for i, line in enumerate(zone):
        text = _norm_upper(line.text)
        if text == QUOC_HIEU:
            return [line]
        following = [ln for ln in zone[i + 1:] if ln.key == line.key][:1]
        if text == "CỘNG HÒA XÃ HỘI" and following and _norm_upper(following[0].text) == "CHỦ NGHĨA VIỆT NAM":
            return [line, following[0]]  # a narrow cell wraps the motto onto two lines
    return []


def _subject_block(first: Line, zone: list[Line], taken: set) -> list[Line]:
    """The V/v line and its continuation: the rest of its paragraph, then (in a table cell or a
    centred paragraph run) the following lines of its column until another component."""
    block = [first]
    for line in zone[zone.index(first) + 1:]:
        if id(line) in taken or line.key != first.key or is_decoration(line):
            break
        same_para = line.para is first.para
        centred_run = line.para.props.get("align") == "center" and len(line.text) < 80
        if same_para or first.para.in_table or centred_run:
            block.append(line)
        else:
            break
    return block


def _parent_and_issuer(lay: Layout, zone: list[Line], taken: set) -> None:
    """The lines above "Số:" in its column: the issuing body, and above it the parent body.

    Where bold sets them apart (parent plain, issuer bold) that is the split; otherwise the
    last paragraph is the issuer. A lone paragraph is the issuer."""
    number = lay.number[0] if lay.number else None
    motto_keys = {ln.key for ln in lay.quoc_hieu + lay.tieu_ngu + lay.date}
    if number is not None:
        column = [ln for ln in zone if ln.index < number.index and ln.key == number.key
                  and id(ln) not in taken and not is_decoration(ln)]
        if not column:  # "Số:" stands below the header table: the bodies head the table's other column
            column = [ln for ln in zone if ln.index < number.index and ln.para.in_table
                      and ln.key not in motto_keys and len(ln.text) <= 80]
    elif motto_keys:  # without "Số:", only a motto says this is a header at all
        column = [ln for ln in zone if ln.key not in motto_keys or len(motto_keys) == 1]
    else:
        return
    names = [ln for ln in column if id(ln) not in taken and not is_decoration(ln)
             and (number is not None or is_upper_line(ln.text))]
    if not names:
        return
    bold = [all(p.look.get("bold") for p in ln.pieces) for ln in names]
    if any(bold) and not all(bold):
        split = max(i for i, b in enumerate(bold) if not b) + 1
        if split == len(names):  # the bold lines come first: no clean split, use paragraphs
            split = _last_paragraph_start(names)
    else:
        split = _last_paragraph_start(names)
    lay.parent, lay.issuer = names[:split], names[split:]


def _last_paragraph_start(lines: list[Line]) -> int:
    last = lines[-1].para
    return next(i for i, ln in enumerate(lines) if ln.para is last)


def find_title(lay: Layout, lines: list[Line], start: int) -> int:
    """Type name (KẾ HOẠCH, GIẤY MỜI …) and its trích yếu right after the header (after any
    urgency, secrecy or circulation marks); a second type name; the next index."""
    i = start
    while i < len(lines) and (is_decoration(lines[i]) or mark_kind(lines[i].text)):
        kind = mark_kind(lines[i].text)
        if kind and lines[i] not in getattr(lay, kind):
            getattr(lay, kind).append(lines[i])
        i += 1
    if lay.type_name:
        return _competing_title(lay, lines, i)
    if i >= len(lines):
        return i
    line = lines[i]
    centred = line.para.props.get("align") == "center"
    named = is_type_title(line.text) or (centred and is_upper_line(line.text) and len(line.text.split()) <= 6
                                         and not line.text.endswith(":") and not any(c.isdigit() for c in line.text))
    if not named or KINH_GUI.match(line.text):
        return i
    lay.type_name = [line]
    i += 1
    paras_taken = 0
    while i < len(lines) and paras_taken <= 3:
        nxt = lines[i]
        text = nxt.text
        if nxt.para is line.para:
            lay.subject.append(nxt)
        elif is_decoration(nxt):
            i += 1
            break  # the rule under the trích yếu (or under a type name without one) ends the title
        elif is_type_title(text) and not nxt.para.in_table and not lay.extra_titles:
            lay.extra_titles.append(nxt)  # a second type name, competing with the first
        elif (KINH_GUI.match(text) or NOI_NHAN.match(text) or is_upper_line(text) or HEADING.match(text)
              or CAN_CU.match(text) or ENACTING.match(text) or len(nxt.para.text) >= 300):
            break
        elif lay.subject and nxt.para is lay.subject[-1].para:
            lay.subject.append(nxt)
        elif nxt.para.props.get("align") == "center" or (not lay.subject and _subject_like(text)):
            # the trích yếu: centred lines, or (badly placed) the paragraph right under the type name
            paras_taken += 1
            lay.subject.append(nxt)
            if nxt.para.props.get("align") != "center":
                i += 1
                break
        else:
            break
        i += 1
    return _competing_title(lay, lines, i)


def _subject_like(text: str) -> bool:
    """An uncentred paragraph right under the type name that reads as a trích yếu, not as body."""
    return len(text) < 250 and not text.endswith((".", ":", ";")) and not text[:1].isdigit()


def _competing_title(lay: Layout, lines: list[Line], i: int) -> int:
    while i < len(lines) and is_decoration(lines[i]):
        i += 1
    if i < len(lines) and is_type_title(lines[i].text) and not lines[i].para.in_table:
        lay.extra_titles.append(lines[i])
        return i + 1
    return i


def _appendix_start(lines: list[Line], start: int) -> int:
    return next((ln.index for ln in lines[start:] if APPENDIX.match(ln.text)), len(lines))


def find_noi_nhan(lay: Layout, lines: list[Line], start: int, stop: int) -> None:
    head = _first(lines[start:stop], lambda ln: NOI_NHAN.match(ln.text))
    if head is None:
        return
    lay.noi_nhan = [head]
    entries: list[list[Line]] = []
    in_cell = head.para.in_table
    if _after_label(head.text, NOI_NHAN_LABEL):
        entries.append([head])  # "Nơi nhận: - Như trên;" on one line
    for line in lines[head.index + 1:stop]:
        if line.key != head.key or is_decoration(line):
            continue
        if line.text.startswith(DASHES):
            entries.append([line])
        elif entries and not entries[-1][-1].text.endswith((";", ".")):
            entries[-1].append(line)  # an entry wrapped onto the next line
        elif in_cell or not entries:
            entries.append([line])
        else:
            break
    lay.noi_nhan_entries = entries


def find_signer(lay: Layout, candidates: list[Line]) -> None:
    """The signer's name is the last short name-like line with its authority and title above it
    (its cell's other lines, or in plain paragraphs the upper-case lines), wherever the block
    stands: a Nơi nhận, a drafter's mark or a contact line may follow it. Marks such as
    "(Đã ký)" are skipped."""
    fallback = None
    for i in range(len(candidates) - 1, max(-1, len(candidates) - 30), -1):
        line = candidates[i]
        if SIGN_MARK.match(line.text) or is_decoration(line) or not is_name_like(line.text):
            if len(line.text) > 200:
                break  # body text: the signer is not above it
            continue
        titles = _titles_above(candidates, i)
        if titles:
            lay.signer, lay.authority = [line], titles
            return
        if fallback is None and i >= len(candidates) - 3:
            fallback = line
    if fallback is not None:
        lay.signer = [fallback]
        return
    # No name: the authority block still ends the body ("KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC")
    for i in range(len(candidates) - 1, max(-1, len(candidates) - 15), -1):
        if PREFIX_START.match(candidates[i].text) and is_upper_line(candidates[i].text):
            block = [candidates[i]]
            for line in candidates[i + 1:]:
                if is_upper_line(line.text) and len(line.text) <= 80 and not mark_kind(line.text):
                    block.append(line)
                elif not (SIGN_MARK.match(line.text) or is_decoration(line)):
                    break
            lay.authority = block
            return


def _titles_above(candidates: list[Line], i: int) -> list[Line]:
    name = candidates[i]
    table = name.para.scope.root_table()
    titles = []
    for line in reversed(candidates[:i]):
        if table is not None:
            if line.para.scope.root_table() is not table:
                break
            if line.key == name.key and not SIGN_MARK.match(line.text) and not is_decoration(line):
                titles.append(line)
        elif SIGN_MARK.match(line.text) or is_decoration(line):
            continue
        elif is_upper_line(line.text) and len(line.text) <= 80 and not mark_kind(line.text):
            titles.append(line)  # any column: tabs may set the title apart
        else:
            break
    titles = [ln for ln in titles if is_upper_line(ln.text) or PREFIX_START.match(ln.text)] or titles
    return list(reversed(titles)) if any(is_upper_line(ln.text) for ln in titles) else []


def _footer_start(lay: Layout, lines: list[Line], stop: int) -> int:
    """Where the body ends: the first of "Nơi nhận", the signer block, the table holding either."""
    starts = [stop]
    for line in lay.noi_nhan + lay.authority[:1] + lay.signer:
        starts.append(line.index)
        table = line.para.scope.root_table()
        if table is not None:
            starts.append(table.first_line)
    return min(starts)


def find_kinh_gui(lay: Layout, zone: list[Line]) -> None:
    """The "Kính gửi" line, then its recipients: lines starting "-" (or, right after a bare
    "Kính gửi:", one line without a dash), up to the one ending "."."""
    head = _first(zone, lambda ln: KINH_GUI.match(ln.text))
    if head is None:
        return
    lay.kinh_gui = [head]
    same_line = _after_label(head.text, KINH_GUI_LABEL)
    if same_line and not same_line.startswith(DASHES):
        return  # one recipient on the line itself
    previous = head
    for line in zone[zone.index(head) + 1:]:
        if not line.text.startswith(DASHES) and not (previous is head and len(line.text) < 200):
            break
        lay.kinh_gui.append(line)
        previous = line
        if line.text.endswith("."):
            break


def _name_tables(lay: Layout) -> None:
    for lines, role in ((lay.quoc_hieu + lay.number + lay.date, "header table"),
                        (lay.noi_nhan + lay.signer, "signature table")):
        for line in lines:
            table = line.para.scope.root_table()
            if table is not None and not table.role:
                table.role = role
