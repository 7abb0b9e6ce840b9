"""The sending organisation: who a reply comes from, described once in a small TOML file.

``congvan init-org`` writes a commented example (``EXAMPLE``); ``load_org`` reads it into an
``Org`` and says, in one line, what is missing or malformed. The file is found at ``--org``,
else ``$CONGVAN_ORG``, else ``./congvan.toml``.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .decree30 import AUTHORITY_EXACT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_ORG_FILE = "congvan.toml"

EXAMPLE = """\
# congvan: the organisation that issues replies (cơ quan, tổ chức ban hành).
# Edit every value; keep the quotes. Lines starting with # are comments.

[org]
# Tên cơ quan as written in running text ("Sở Y tế tỉnh Sơn La trân trọng…").
name = "Sở Y tế tỉnh Sơn La"
# The issuing body's name as printed in the header, upper case; "\\n" breaks the line.
header = "SỞ Y TẾ"
# Cơ quan chủ quản trực tiếp (the parent body), upper case; "" when there is none.
parent = "UBND TỈNH SƠN LA"
# Viết tắt tên cơ quan: the symbol in every number ("05/SYT-VP", "12/GM-SYT").
symbol = "SYT"
# Địa danh on the date line ("Sơn La, ngày 05 tháng 01 năm 2026").
place = "Sơn La"
# The drafting unit used when a reply does not name one (công văn symbol and "Lưu: VT, VP.").
unit = "VP"
# Mã định danh điện tử of the organisation (edXML OrganId, `congvan reply --edxml`); "" if none yet.
# organ_id = "000.00.12.H41"

# Đơn vị soạn thảo: abbreviation = name. A reply picks one with --unit or --set unit=KHTC.
[units]
VP = "Văn phòng"
KHTC = "Phòng Kế hoạch - Tài chính"
NVY = "Phòng Nghiệp vụ Y"

# Người ký. The first one signs unless a reply says --signer KEY.
# authority: "" when the head signs in their own title, else "KT. GIÁM ĐỐC", "TL. GIÁM ĐỐC",
# "TUQ. GIÁM ĐỐC", "Q. GIÁM ĐỐC" or "TM. ỦY BAN NHÂN DÂN" (Decree 30, Article 13).
[[signers]]
key = "giam-doc"
authority = ""
title = "GIÁM ĐỐC"
name = "Nguyễn Văn An"

[[signers]]
key = "pho-giam-doc"
authority = "KT. GIÁM ĐỐC"
title = "PHÓ GIÁM ĐỐC"
name = "Trần Thị Bình"

# Chứng thư số gốc tin cậy for `congvan verify` and ingest (README: Digital signatures).
# [trust]
# folder = "trust"
"""


class OrgError(Exception):
    """The organisation file is missing or wrong; the message says what to do."""


class OrgFileMissing(OrgError):
    """No organisation file yet: `congvan init-org` writes one."""


class UnknownSigner(OrgError):
    """A signer key the organisation file does not list: `given`, and the keys it has (`choices`)."""

    def __init__(self, message: str, given: str, choices: list[str]):
        super().__init__(message)
        self.given, self.choices = given, choices


@dataclass
class SignerInfo:
    key: str
    title: str
    name: str
    authority: str = ""


@dataclass
class Org:
    name: str
    header: str
    symbol: str
    place: str
    unit: str
    parent: str = ""
    units: dict[str, str] = field(default_factory=dict)
    signers: list[SignerInfo] = field(default_factory=list)
    path: str = ""
    organ_id: str = ""  # mã định danh (edXML OrganId)

    def signer(self, key: str | None = None) -> SignerInfo:
        if not key:
            return self.signers[0]
        for signer in self.signers:
            if signer.key == key:
                return signer
        keys = ", ".join(s.key for s in self.signers)
        raise UnknownSigner(f"no signer {key!r} in {self.path or 'the organisation file'}; signers: {keys}",
                            key, [s.key for s in self.signers])


def org_path(path: str | None = None) -> Path:
    return Path(path or os.environ.get("CONGVAN_ORG") or DEFAULT_ORG_FILE)


def load_org(path: str | None = None) -> Org:
    where = org_path(path)
    if not where.exists():
        raise OrgFileMissing(f"no organisation file at {where}: run `congvan init-org` and edit it")
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise OrgError(f"{where}: not valid TOML: {err}") from None
    return org_from_dict(data, str(where))


def org_from_dict(data: dict, where: str = "") -> Org:
    section = data.get("org") or {}
    missing = [k for k in ("name", "symbol", "place", "unit") if not str(section.get(k, "")).strip()]
    if missing:
        raise OrgError(f"{where}: [org] needs {', '.join(missing)}")
    signers = [_signer(s, where) for s in data.get("signers") or []]
    if not signers:
        raise OrgError(f"{where}: add at least one [[signers]] entry (key, title, name)")
    symbol = section["symbol"].strip()
    if not re.fullmatch(r"[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*", symbol):
        raise OrgError(f"{where}: symbol {symbol!r} must be upper-case letters, e.g. \"SYT\"")
    return Org(
        name=section["name"].strip(), header=(section.get("header") or section["name"].upper()).strip(),
        parent=(section.get("parent") or "").strip(), symbol=symbol, place=section["place"].strip(),
        unit=section["unit"].strip(), units={k: str(v) for k, v in (data.get("units") or {}).items()},
        signers=signers, path=where,
        organ_id=str(section.get("organ_id") or section.get("ma_dinh_danh") or "").strip(),
    )


def _signer(entry: dict, where: str) -> SignerInfo:
    missing = [k for k in ("key", "title", "name") if not str(entry.get(k, "")).strip()]
    if missing:
        raise OrgError(f"{where}: a [[signers]] entry needs {', '.join(missing)}")
    authority = (entry.get("authority") or "").strip()
    if authority and not AUTHORITY_EXACT.match(authority):
        raise OrgError(f"{where}: authority {authority!r} must start with TM., Q., KT., TL. or TUQ. "
                       "(Decree 30, Article 13)")
    return SignerInfo(key=entry["key"].strip(), title=entry["title"].strip().upper(),
                      name=entry["name"].strip(), authority=authority.upper())


def write_example(path: str | None = None, force: bool = False) -> Path:
    where = org_path(path)
    if where.exists() and not force:
        raise OrgError(f"{where} exists; use --force to overwrite it")
    where.write_text(EXAMPLE, encoding="utf-8")
    return where


def trust_paths(path: str | None = None) -> list[Path]:
    """Certificate files and folders named by the [trust] section of congvan.toml, relative
    paths taken from the file's own folder; [] when there is no file or no section.

        [trust]
        certificates = ["trust/root-ca-g3.crt", "trust/cqnn-g2.crt"]
        folder = "trust"          # every .crt .cer .pem .der in it
    """
    where = org_path(path)
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    section = data.get("trust") or {}
    names = section.get("certificates") or []
    if isinstance(names, str):
        names = [names]
    folders = section.get("folder") or section.get("folders") or []
    if isinstance(folders, str):
        folders = [folders]
    base = where.resolve().parent
    return [(base / Path(str(n)).expanduser()) for n in list(names) + list(folders) if str(n).strip()]
