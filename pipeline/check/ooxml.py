"""WordprocessingML names, and reading on/off and integer attributes."""
from __future__ import annotations

from ..ooxml import (ALTERNATE, BR, CHOICE, CR, CUSTOM_XML, FALLBACK, MC_NS, NO_BREAK_HYPHEN, PPR, PTAB, R_NS, RPR, SDT,
                     SDT_CONTENT, SECT_PR, TAB, TBL, TC, TR, TXBX_CONTENT, VAL, W_NS, P, R, T)  # noqa: F401 (the checker's names)
from ..ooxml import w as _w


def _is_on(el) -> bool:
    return el is not None and el.get(VAL, "true").lower() not in ("0", "false", "off", "none")


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
