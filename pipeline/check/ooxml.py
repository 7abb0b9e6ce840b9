"""WordprocessingML names, and reading on/off and integer attributes."""
from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P, R, T, TBL, TR, TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
PPR, RPR, SDT, SDT_CONTENT, CUSTOM_XML = _w("pPr"), _w("rPr"), _w("sdt"), _w("sdtContent"), _w("customXml")
BR, CR, TAB, PTAB, NO_BREAK_HYPHEN = _w("br"), _w("cr"), _w("tab"), _w("ptab"), _w("noBreakHyphen")
TXBX_CONTENT, SECT_PR, VAL = _w("txbxContent"), _w("sectPr"), _w("val")
ALTERNATE, CHOICE, FALLBACK = f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice", f"{{{MC_NS}}}Fallback"


def _is_on(el) -> bool:
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off", "none")


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
