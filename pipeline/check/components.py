"""Finding the components in the walked lines: the header (Quốc hiệu, Tiêu ngữ, parent and issuing
bodies, Số, date, V/v), the type name and trích yếu, Kính gửi, the body, the signer, Nơi nhận."""
from __future__ import annotations

from dataclasses import dataclass, field

from .document import Document
from .recognise import (APPENDIX, DASHES, HEADER_SCAN_LIMIT, KINH_GUI, KINH_GUI_LABEL, LONG_LINE, NOI_NHAN,
                        NOI_NHAN_LABEL, NUMBER, QUOC_HIEU, SIGN_MARK, SLOGAN, URGENCY, VV, _after_label,
                        _date_line, _first, _norm_upper, is_decoration, is_name_like, is_type_title,
                        is_upper_line)
from .walk import Line, Para


@dataclass
class Layout:
    """The components found, each as the lines it occupies (empty when missing)."""

    quoc_hieu: list[Line] = field(default_factory=list)
    tieu_ngu: list[Line] = field(default_factory=list)
    parent: list[Line] = field(default_factory=list)
    issuer: list[Line] = field(default_factory=list)
    urgency: list[Line] = field(default_factory=list)
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

    def styled_components(self):
        """(LOOKS key, lines) for every component whose look Appendix I fixes."""
        yield from (("quoc-hieu", self.quoc_hieu), ("tieu-ngu", self.tieu_ngu), ("parent", self.parent),
                    ("issuer", self.issuer), ("urgency", self.urgency), ("number", self.number),
                    ("date", self.date), ("vv", self.vv), ("type-name", self.type_name),
                    ("subject", self.subject), ("kinh-gui", self.kinh_gui), ("authority", self.authority),
                    ("signer", self.signer), ("noi-nhan", self.noi_nhan),
                    ("noi-nhan-list", [ln for entry in self.noi_nhan_entries for ln in entry]))


def find_layout(doc: Document) -> Layout:
    lay = Layout()
    lines = doc.lines
    header_end = find_header(lay, lines)
    start = find_title(lay, lines, header_end + 1)
    stop = _appendix_start(lines, start)
    find_noi_nhan(lay, lines, start, stop)
    excluded = {id(ln) for ln in lay.noi_nhan} | {id(ln) for e in lay.noi_nhan_entries for ln in e}
    find_signer(lay, [ln for ln in lines[start:stop] if id(ln) not in excluded])
    body_end = _footer_start(lay, lines, stop)
    find_kinh_gui(lay, lines[start:body_end])
    taken = {id(ln) for ln in lay.kinh_gui + lay.urgency}
    seen = set()
    for line in lines[start:body_end]:
        if id(line) in taken or is_decoration(line) or id(line.para) in seen:
            continue
        seen.add(id(line.para))
        lay.body.append(line.para)
    _name_tables(lay)
    return lay


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
    lay.urgency = [ln for ln in zone if URGENCY.match(ln.text)]
    vv = _first(zone, lambda ln: VV.match(ln.text))
    title = _first(zone, lambda ln: is_type_title(ln.text))  # some put GIẤY MỜI in the header cell
    taken = {id(ln) for ln in lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.urgency}
    if title is not None:
        lay.type_name = [title]
        block = _subject_block(title, zone, taken | {id(vv)})
        lay.subject = block[1:]
        taken |= {id(ln) for ln in block}
    lay.vv = _subject_block(vv, zone, taken) if vv and not lay.type_name else []
    taken |= {id(ln) for ln in lay.vv}
    _parent_and_issuer(lay, zone, taken)
    found = (lay.quoc_hieu + lay.tieu_ngu + lay.number + lay.date + lay.urgency + lay.vv + lay.parent + lay.issuer
             + lay.type_name + lay.subject)
    if not found:
        return -1
    end = max(ln.index for ln in found)
    for line in found:  # a header table is the header to its last line
        table = line.para.scope.root_table()
        if table is not None:
            end = max(end, table.last_line)
    return end


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
        column = [ln for ln in zone if ln.index < number.index and ln.key == number.key]
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
    """Type name (KẾ HOẠCH, GIẤY MỜI …) and its trích yếu right after the header; the next index."""
    i = start
    if lay.type_name:
        return i
    while i < len(lines) and (is_decoration(lines[i]) or URGENCY.match(lines[i].text)):
        if URGENCY.match(lines[i].text):
            lay.urgency.append(lines[i])
        i += 1
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
        if nxt.para is line.para:
            lay.subject.append(nxt)
        elif is_decoration(nxt):
            pass
        elif (nxt.para.props.get("align") == "center" and not is_upper_line(nxt.text)
              and not KINH_GUI.match(nxt.text) and not NOI_NHAN.match(nxt.text) and len(nxt.para.text) < 300):
            if not lay.subject or nxt.para is not lay.subject[-1].para:
                paras_taken += 1
            lay.subject.append(nxt)
        else:
            break
        i += 1
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
    """Name: the last short non-upper line (marks like "(Đã ký)" skipped); above it, authority
    and title: its cell's other lines, or in plain paragraphs the upper-case lines."""
    i = len(candidates) - 1
    while i >= 0 and (SIGN_MARK.match(candidates[i].text) or is_decoration(candidates[i])):
        i -= 1
    if i < 0 or not is_name_like(candidates[i].text):
        return
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
        elif is_upper_line(line.text) and len(line.text) <= 80:  # any column: tabs may set the title apart
            titles.append(line)
        else:
            break
    lay.signer = [name]
    lay.authority = list(reversed(titles))


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
