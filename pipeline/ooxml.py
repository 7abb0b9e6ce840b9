"""WordprocessingML names and the walking both DOCX readers share: the reader of incoming
documents (read/docx.py) and the checker of drafts (check/) see content controls,
mc:AlternateContent and text boxes the same way."""
from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    """The Clark name of a w: element or attribute."""
    return f"{{{W_NS}}}{tag}"


P, R, T, TBL, TR, TC = w("p"), w("r"), w("t"), w("tbl"), w("tr"), w("tc")
PPR, RPR, SDT, SDT_CONTENT, CUSTOM_XML = w("pPr"), w("rPr"), w("sdt"), w("sdtContent"), w("customXml")
BR, CR, TAB, PTAB, NO_BREAK_HYPHEN = w("br"), w("cr"), w("tab"), w("ptab"), w("noBreakHyphen")
TXBX_CONTENT, SECT_PR, VAL = w("txbxContent"), w("sectPr"), w("val")
ALTERNATE, CHOICE, FALLBACK = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback"
# Elements that only wrap rows or cells (or blocks) and are walked through.
WRAPPERS = {SDT, SDT_CONTENT, CUSTOM_XML}


def children(el, tag: str):
    """Direct children named `tag`, looking through content-control and customXml wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from children(child, tag)


def branch(alternate):
    """The one branch of mc:AlternateContent to read: a Choice with text, else the Fallback."""
    choices = alternate.findall(CHOICE)
    for choice in choices:
        if next(choice.iter(T), None) is not None:
            return choice
    fallback = alternate.find(FALLBACK)
    if fallback is not None:
        return fallback
    return choices[0] if choices else None


def collect_text_boxes(el, boxes: list) -> None:
    """The outermost w:txbxContent under `el`, in document order (nested ones are walked later)."""
    if el.tag == TXBX_CONTENT:
        boxes.append(el)
        return
    if el.tag == ALTERNATE:
        chosen = branch(el)
        if chosen is not None:
            collect_text_boxes(chosen, boxes)
        return
    for child in el:
        if isinstance(child.tag, str):
            collect_text_boxes(child, boxes)
