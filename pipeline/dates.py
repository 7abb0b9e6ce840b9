"""Vietnamese date phrases: "ngày 05 tháng 3 năm 2020", "01/02/2021", "30 tháng 6", "31/12"."""
from __future__ import annotations

import datetime as dt
import re

# One pattern, two spellings; the year is optional (a deadline may omit it). The day opens with its first
# digit and looks behind from there ("(?<![\d/])\d{1,2}" written so), which lets a search skip to the
# digits at C speed instead of trying the look-behind at every character: the same matches.
DATE = re.compile(
    r"(?P<d>\d(?<![\d/]\d)\d?)\s*(?:tháng|/|-|\.)\s*(?P<m>\d{1,2})(?:\s*(?:năm|/|-|\.)\s*(?P<y>\d{4}))?(?![\d/])",
    re.I,
)


def to_iso(day: str, month: str, year: str | int | None, default_year: int | None = None) -> str | None:
    year = int(year) if year else default_year
    if not year:
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_dates(text: str, default_year: int | None = None):
    """Yield (match, iso) for each date phrase in `text`; iso is None when it is impossible."""
    for m in DATE.finditer(text):
        if "tháng" not in m.group(0).lower() and m.group("y") is None and not default_year:
            continue
        yield m, to_iso(m.group("d"), m.group("m"), m.group("y"), default_year)


def parse_user_date(value: str) -> dt.date | None:
    """A date typed on the command line or a form: ISO "2024-03-15" or Vietnamese "15/03/2024"."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    match = DATE.fullmatch(value)
    iso = match and to_iso(match.group("d"), match.group("m"), match.group("y"))
    return dt.date.fromisoformat(iso) if iso else None
