"""Digital signatures of incoming PDFs (Decree 30/2020/NĐ-CP, Article 21, clause 2).

The văn thư must check that an electronic document is authentic and intact before receiving
it. ``verify_pdf`` reads every signature field of a PDF with pyHanko and says, per signature:
who signed (the certificate's CN, O, OU and serial), which CA issued the certificate, when
(the dictionary's /M, the CMS signing-time and a timestamp token's time), why and where, whether
the signed byte range covers the whole file or which incremental updates came after it and
what they changed, whether the digest is intact and the signature cryptographically valid, the
chain as embedded, and whether the chain ends in one of the office's trust anchors.

Nothing here ever touches the network: pyHanko's validation context is built with fetching
off (no CRL, OCSP or AIA downloads), so revocation is always "not checked (offline)". The
certificates are validated at the signing time (the timestamp's when there is one, else the
signer's claimed time): a letter signed with a certificate that was valid then stays valid
after the certificate expires, and a certificate already expired at signing is reported.
No cryptography is written here; pyHanko and pyhanko-certvalidator do all of it.

``verify_pdf`` never raises for a bad file: a PDF that cannot be parsed gives one
``SignatureInfo`` in the "error" state with the reason.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from dataclasses import field as _field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Union

from .records import Note

# States of one signature.
VALID = "valid"  # intact, cryptographically valid, nothing but signatures/annotations added after it
BROKEN = "broken"  # the signed bytes changed, or the signature does not verify
MODIFIED = "modified"  # intact, but a later update changed the page content
EXPIRED = "expired"  # the signer's certificate was not valid at the signing time
# Intact and valid, and a later valid signature covers the received file: what changed after it
# (the văn thư's number and day, further signatures) is vouched for by that signer, so it is not
# analysed again (the difference analysis is most of the cost of verifying).
COUNTERSIGNED = "countersigned"
ERROR = "error"  # the file or the signature could not be read
UNSIGNED = "unsigned"  # used by callers for a PDF with no signature field

# Trust of one signature's chain.
TRUSTED = "trusted"
UNTRUSTED_ROOT = "untrusted root"
NOT_CHECKED = "not checked (no trust anchors configured)"
INVALID_CHAIN = "invalid chain"  # the chain reaches an anchor but fails (expired, revoked in the file, bad usage)
REVOCATION_OFFLINE = "not checked (offline)"

FAILED_STATES = {BROKEN, MODIFIED, EXPIRED, ERROR}
CERT_SUFFIXES = {".crt", ".cer", ".pem", ".der"}
DATE_SLACK_DAYS = 3  # a letter is signed the day it is dated or within a few days

STATE_VI = {
    VALID: "hợp lệ",
    COUNTERSIGNED: "hợp lệ; văn bản được ký tiếp sau đó (chữ ký sau cùng hợp lệ)",
    BROKEN: "CHỮ KÝ HỎNG (nội dung đã ký bị thay đổi hoặc chữ ký không đúng)",
    MODIFIED: "VĂN BẢN BỊ SỬA SAU KHI KÝ",
    EXPIRED: "CHỨNG THƯ SỐ KHÔNG CÒN HIỆU LỰC lúc ký",
    ERROR: "KHÔNG ĐỌC ĐƯỢC CHỮ KÝ",
    UNSIGNED: "không có chữ ký số",
}
TRUST_VI = {
    TRUSTED: "tin cậy (chuỗi chứng thư về chứng thư gốc đã cài)",
    UNTRUSTED_ROOT: "KHÔNG tin cậy (chứng thư gốc không nằm trong danh sách tin cậy)",
    NOT_CHECKED: "chưa kiểm tra (chưa cài chứng thư gốc tin cậy: mục [trust] trong congvan.toml)",
    INVALID_CHAIN: "KHÔNG hợp lệ (chuỗi chứng thư về gốc tin cậy nhưng không đạt tại thời điểm ký)",
}
CHANGES_VI = {
    "none": "không có cập nhật nào sau khi ký",
    "signatures": "sau khi ký chỉ thêm chữ ký số khác",
    "form": "sau khi ký chỉ điền biểu mẫu / thêm chữ ký",
    "annotations": "sau khi ký chỉ thêm chú thích (annotation)",
    "content": "sau khi ký có thay đổi nội dung trang",
    "unknown": "không xác định được phần cập nhật sau khi ký",
    "countersigned": "phần cập nhật sau khi ký được chữ ký sau cùng (hợp lệ) bảo đảm",
}


@dataclass
class SignatureInfo:
    """One signature field of a PDF, as verified offline."""

    field: str = ""  # the signature field's name
    state: str = ERROR  # VALID / BROKEN / MODIFIED / EXPIRED / ERROR
    signer_cn: str = ""
    signer_o: str = ""
    signer_ou: str = ""
    signer_serial: str = ""  # hex
    signer_subject: str = ""  # the whole subject, readable
    issuer_ca: str = ""  # the signer certificate's issuer (CN, O)
    cert_valid_from: str = ""
    cert_valid_to: str = ""
    signed_at: str = ""  # the signature dictionary's /M, ISO 8601
    cms_signing_time: str = ""  # the CMS signingTime attribute (the signer's own clock)
    timestamp: str = ""  # a timestamp token's time (a TSA's clock), "" when none
    timestamp_valid: Optional[bool] = None
    reason: str = ""
    location: str = ""
    covers_file: Optional[bool] = None  # the signed byte range runs to the end of the file
    coverage: str = ""  # pyHanko's coverage level, e.g. "entire file", "entire revision"
    later_updates: int = 0  # incremental updates written after the signed revision
    changes_after: str = ""  # "none", "signatures", "form", "annotations", "content", "unknown"
    intact: Optional[bool] = None  # the digest of the signed byte range matches
    valid: Optional[bool] = None  # the signature over it verifies with the certificate's key
    chain: list[str] = _field(default_factory=list)  # embedded certificates, signer first
    trust: str = NOT_CHECKED
    trust_detail: str = ""
    revocation: str = REVOCATION_OFFLINE
    problems: list[str] = _field(default_factory=list)  # reasons in Vietnamese, for a person
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (VALID, COUNTERSIGNED)

    @property
    def when(self) -> str:
        """The best signing time known: the timestamp's, else the CMS time, else /M."""
        return self.timestamp or self.cms_signing_time or self.signed_at

    @property
    def state_vi(self) -> str:
        return STATE_VI.get(self.state, self.state)

    @property
    def trust_vi(self) -> str:
        return TRUST_VI.get(self.trust, self.trust)

    @property
    def organisation(self) -> str:
        return ", ".join(part for part in (self.signer_ou, self.signer_o) if part)

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in ("", [], None) or k in ("state", "trust")}

    def describe(self) -> list[str]:
        """Lines in Vietnamese for a clerk."""
        who = self.signer_cn or "(không rõ người ký)"
        if self.organisation:
            who += f" — {self.organisation}"
        lines = [f"Chữ ký {self.field or '?'}: {STATE_VI.get(self.state, self.state)}"]
        if self.error:
            lines.append(f"  lỗi: {self.error}")
            return lines
        lines.append(f"  người ký: {who}" + (f" (số hiệu chứng thư {self.signer_serial})" if self.signer_serial else ""))
        if self.issuer_ca:
            lines.append(f"  tổ chức cấp chứng thư: {self.issuer_ca}")
        times = []
        if self.signed_at:
            times.append(f"/M {self.signed_at}")
        if self.cms_signing_time:
            times.append(f"signing-time {self.cms_signing_time}")
        if self.timestamp:
            times.append(f"dấu thời gian {self.timestamp}" + ("" if self.timestamp_valid else " (không hợp lệ)"))
        lines.append("  thời điểm ký: " + ("; ".join(times) if times else "không ghi"))
        if self.reason:
            lines.append(f"  lý do: {self.reason}")
        if self.location:
            lines.append(f"  nơi ký: {self.location}")
        if self.covers_file:
            lines.append("  phạm vi ký: toàn bộ tệp")
        else:
            lines.append(f"  phạm vi ký: đến bản sửa đổi đã ký; {self.later_updates} lần cập nhật sau đó — "
                         + CHANGES_VI.get(self.changes_after, self.changes_after))
        lines.append(f"  toàn vẹn (digest): {yes_no(self.intact)}; chữ ký đúng (mật mã): {yes_no(self.valid)}")
        if self.chain:
            lines.append("  chuỗi chứng thư kèm theo: " + " ← ".join(self.chain))
        lines.append(f"  tin cậy: {TRUST_VI.get(self.trust, self.trust)}"
                     + (f" [{self.trust_detail}]" if self.trust_detail else ""))
        lines.append("  thu hồi (CRL/OCSP): chưa kiểm tra (ngoại tuyến)")
        for problem in self.problems:
            lines.append(f"  ! {problem}")
        return lines


def yes_no(value: Optional[bool]) -> str:
    return "có" if value else ("không" if value is False else "không rõ")


# ----------------------------------------------------------------------------- trust anchors


@dataclass(frozen=True)
class TrustStore:
    """The office's trust anchors: self-signed roots, and intermediates that help build chains."""

    roots: tuple = ()  # asn1crypto x509.Certificate
    intermediates: tuple = ()
    problems: tuple = ()  # files that could not be read, one line each

    @property
    def configured(self) -> bool:
        """Any certificate installed: a chain that does not end in one of the roots is then
        "untrusted root" (an intermediate alone anchors nothing)."""
        return bool(self.roots or self.intermediates)


def load_certificates(paths: Iterable[Union[str, Path]]) -> TrustStore:
    """Certificates from files (PEM or DER) and folders (every .crt .cer .pem .der in them)."""
    from asn1crypto import pem, x509

    roots, intermediates, problems = [], [], []
    files: list[Path] = []
    for name in paths:
        path = Path(name).expanduser()
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in CERT_SUFFIXES and p.is_file())
        else:
            files.append(path)
    for path in files:
        try:
            data = path.read_bytes()
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            for der in blobs:
                cert = x509.Certificate.load(der)
                cert.native  # parse now: a bad file is named here, not deep in validation
                (roots if cert.self_signed != "no" else intermediates).append(cert)  # "yes"/"maybe"/"no"
        except Exception as err:
            problems.append(f"{path}: not a certificate ({type(err).__name__})")
    return TrustStore(tuple(roots), tuple(intermediates), tuple(problems))


def configured_trust(org_file: Optional[str] = None) -> TrustStore:
    """The trust anchors named by the [trust] section of congvan.toml (none when absent)."""
    from .org import trust_paths

    paths = trust_paths(org_file)
    if not paths:
        return TrustStore()
    stamps = []
    for path in paths:
        try:
            stamps.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            stamps.append((str(path), 0))
    return _cached_trust(tuple(stamps))


@lru_cache(maxsize=4)
def _cached_trust(stamps: tuple) -> TrustStore:
    return load_certificates(Path(name) for name, _ in stamps)


TrustArg = Union[TrustStore, Iterable[Union[str, Path]], None]


def as_trust_store(trust: TrustArg) -> TrustStore:
    if trust is None:
        return configured_trust()
    if isinstance(trust, TrustStore):
        return trust
    return load_certificates(trust)


# ----------------------------------------------------------------------------- verification


def has_signature_fields(path: Union[str, Path]) -> bool:
    """A cheap first look: does the file hold any signature dictionary at all?

    A signature's /ByteRange must sit uncompressed in the file (its /Contents is found by
    byte offset), so a PDF without the bytes "/ByteRange" has no signature to verify."""
    import mmap

    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return False
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(b"/ByteRange") >= 0
    except (OSError, ValueError):
        return False


def verify_pdf(path: Union[str, Path], trust: TrustArg = None, thorough: bool = True) -> list[SignatureInfo]:
    """Every signature of the PDF at `path`, verified offline; [] for an unsigned PDF.

    `trust` is a TrustStore, or certificate files/folders, or None for the [trust] section
    of congvan.toml. Never raises for a bad file: it comes back as one ERROR entry. With
    ``thorough=False`` (a batch), a signature that a later valid one covers is not put through the
    difference analysis again (state COUNTERSIGNED); `congvan verify` is thorough."""
    if _in_event_loop():  # pyHanko runs its own asyncio loop: from async code (a web page), use a thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(verify_pdf, path, trust, thorough).result()
    try:
        store = as_trust_store(trust)
    except Exception as err:  # an unreadable trust folder must not hide the signatures
        store = TrustStore(problems=(f"trust anchors not loaded: {err}",))
    try:
        with open(path, "rb") as fh:
            return _verify_stream(fh, store, thorough)
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as err:  # pyHanko's PdfReadError, OSError, anything a malformed file causes
        return [SignatureInfo(state=ERROR, error=f"không đọc được tệp PDF: {type(err).__name__}: {str(err)[:160]}")]


def _in_event_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _quiet_libraries() -> None:
    """pyHanko logs a traceback for every chain it cannot build (no anchors: every chain);
    the outcome is in the SignatureInfo, so its log stays quiet unless the caller set a level."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.CRITICAL)


def _import_pyhanko() -> None:
    """Import pyHanko without its CryptographyDeprecationWarning (DSA) on every run's stderr."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyhanko.sign.validation  # noqa: F401
    _speed_up_hex_strings()


_HEX_BODY = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*")
_PDF_SPACE = re.compile(rb"[ \n\r\t\f\x00]+")


def _speed_up_hex_strings() -> None:
    """pyHanko's tokenizer reads a hex string one byte at a time through Python calls; a
    signature's /Contents is a hex string of 16–64 KB, so reading it was half the time of a
    verification. This reads the same string in one slice and unhexlifies it; anything but hex
    digits and whitespace in it (a comment, a bad byte, a missing '>') goes to pyHanko's own
    reader, so what is accepted or refused is unchanged. Parsing only: no cryptography here."""
    import binascii

    from pyhanko.pdf_utils import generic

    original = generic.read_hex_string_from_stream
    if getattr(original, "congvan_fast", False):
        return

    def read_hex_string_from_stream(stream):
        start = stream.tell()
        data = stream.read(4096)  # most hex strings (IDs, UTF-16 names) are short
        end = data.find(b">", 1)
        if end < 0 and len(data) == 4096:  # a /Contents: far below 1 MB; longer goes the slow way
            data += stream.read(1 << 20)
            end = data.find(b">", 1)
        if data[:1] == b"<" and end > 0:
            body = data[1:end]
            if _HEX_BODY.fullmatch(body):
                digits = _PDF_SPACE.sub(b"", body)
                if len(digits) % 2:
                    digits += b"0"
                stream.seek(start + end + 1)
                return generic.pdf_string(binascii.unhexlify(digits))
        stream.seek(start)
        return original(stream)

    read_hex_string_from_stream.congvan_fast = True
    read_hex_string_from_stream.original = original
    generic.read_hex_string_from_stream = read_hex_string_from_stream


def _verify_stream(fh, store: TrustStore, thorough: bool = True) -> list[SignatureInfo]:
    _import_pyhanko()
    from pyhanko.pdf_utils.reader import PdfFileReader

    _quiet_libraries()

    reader = PdfFileReader(fh, strict=False)
    total = reader.xrefs.total_revisions
    embedded = list(reader.embedded_signatures)
    last = max(embedded, key=_signed_revision, default=None)
    results = {id(last): _verify_safely(last, reader, total, store)} if last is not None else {}
    # With the last signature valid, the earlier ones need their bytes and certificates checked, not
    # what changed after them: the last signer vouches for that.
    countersigned = not thorough and last is not None and results[id(last)].state == VALID
    for sig in embedded:
        if id(sig) not in results:
            results[id(sig)] = _verify_safely(sig, reader, total, store, countersigned=countersigned)
    if last is not None and results[id(last)].state == VALID:
        for info in results.values():  # thorough: the change is reported, and vouched for by the last signer
            if info.state == MODIFIED:
                info.state = COUNTERSIGNED
                info.problems = [p for p in info.problems if not p.startswith("văn bản bị sửa sau khi ký")]
    return [results[id(sig)] for sig in embedded]


def _signed_revision(embedded) -> int:
    try:
        return embedded.signed_revision
    except Exception:
        return -1


def _verify_safely(embedded, reader, total: int, store: TrustStore, countersigned: bool = False) -> SignatureInfo:
    try:
        return _verify_one(embedded, reader, total, store, countersigned)
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as err:
        return SignatureInfo(field=_safe_field(embedded), state=ERROR,
                             error=f"không kiểm tra được chữ ký: {type(err).__name__}: {str(err)[:160]}")


def _safe_field(embedded) -> str:
    try:
        return str(embedded.field_name)
    except Exception:
        return ""


def _verify_one(embedded, reader, total_revisions: int, store: TrustStore, countersigned: bool = False) -> SignatureInfo:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    info = SignatureInfo(field=_safe_field(embedded))
    sig = embedded.sig_object
    info.reason = _pdf_text(sig.get("/Reason"))
    info.location = _pdf_text(sig.get("/Location"))
    info.signed_at = _iso(_pdf_date(sig.get("/M")))
    cms_time = extract_self_reported_ts(embedded.signer_info)
    info.cms_signing_time = _iso(cms_time)
    tst_time = _timestamp_time(embedded)
    info.timestamp = _iso(tst_time)

    cert = embedded.signer_cert
    _describe_cert(info, cert)
    info.chain = [_name(cert.subject)] + [_name(c.subject) for c in _chain_order(cert, embedded.other_embedded_certs)]

    moment = tst_time or cms_time or _pdf_date(sig.get("/M"))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    context = _validation_context(store, embedded.other_embedded_certs, moment)
    status = validate_pdf_signature(embedded, signer_validation_context=context, skip_diff=countersigned)

    info.intact = bool(status.intact)
    info.valid = bool(status.valid)
    info.later_updates = max(0, total_revisions - 1 - embedded.signed_revision)
    coverage = getattr(status, "coverage", None)
    info.coverage = coverage.name.lower().replace("_", " ") if coverage is not None else ""
    info.covers_file = coverage is not None and coverage.name == "ENTIRE_FILE"
    info.changes_after = "countersigned" if countersigned else _changes(status, info.later_updates)
    if status.timestamp_validity is not None:
        info.timestamp_valid = bool(status.timestamp_validity.valid and status.timestamp_validity.intact)

    # Trust: only the office's anchors count; with none configured, say so.
    if not store.configured:
        info.trust = NOT_CHECKED
    elif status.trusted:
        info.trust = TRUSTED
    else:
        indic = getattr(status, "trust_problem_indic", None)
        info.trust_detail = indic.name if indic is not None else ""
        found = info.trust_detail in ("", "NO_CERTIFICATE_CHAIN_FOUND")
        info.trust = UNTRUSTED_ROOT if found else INVALID_CHAIN

    # The certificate at the signing time, whatever the anchors.
    expired = False
    if moment is not None:
        start, end = cert["tbs_certificate"]["validity"]["not_before"].native, cert["tbs_certificate"]["validity"]["not_after"].native
        if moment < start or moment > end:
            expired = True
            info.problems.append(f"chứng thư số của người ký chỉ có hiệu lực từ {_iso(start)} đến {_iso(end)}, "
                                 f"nhưng văn bản ký lúc {_iso(moment)}")
    else:
        info.problems.append("chữ ký không ghi thời điểm ký")

    if not info.intact or not info.valid:
        info.state = BROKEN
        info.problems.insert(0, "nội dung đã ký bị thay đổi (digest không khớp)" if not info.intact
                             else "chữ ký không khớp với chứng thư số (sai về mật mã)")
    elif countersigned and not expired:
        info.state = COUNTERSIGNED
    elif info.changes_after in ("content", "unknown"):
        info.state = MODIFIED
        info.problems.insert(0, f"văn bản bị sửa sau khi ký: {info.later_updates} lần cập nhật sau chữ ký, "
                                + CHANGES_VI[info.changes_after])
    elif expired:
        info.state = EXPIRED
    else:
        info.state = VALID
    if info.timestamp and info.timestamp_valid is False:
        info.problems.append("dấu thời gian kèm chữ ký không hợp lệ")
    if info.trust == UNTRUSTED_ROOT:
        info.problems.append("chuỗi chứng thư không dẫn về chứng thư gốc tin cậy đã cài")
    elif info.trust == INVALID_CHAIN:
        info.problems.append(f"chuỗi chứng thư không hợp lệ tại thời điểm ký ({info.trust_detail})")
    return info


def _validation_context(store: TrustStore, embedded_certs, moment):
    """Offline: no fetching (no CRL/OCSP/AIA), soft-fail revocation, only the given anchors."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(store.roots),  # never the operating system's list
        other_certs=list(store.intermediates) + list(embedded_certs),
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _changes(status, later_updates: int) -> str:
    """What the updates after the signed revision did, from pyHanko's difference analysis."""
    if later_updates == 0:
        return "none"
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    diff = getattr(status, "diff_result", None)
    if diff is None:
        return "unknown"
    if isinstance(diff, SuspiciousModification):
        return "content"
    level = diff.modification_level
    if level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        return "signatures"
    if level == ModificationLevel.FORM_FILLING:
        return "form"
    if level == ModificationLevel.ANNOTATIONS:
        return "annotations"
    return "content"


def _timestamp_time(embedded) -> Optional[dt.datetime]:
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    try:
        for tst in extract_tst_data_iter(embedded.signer_info, signed=False):
            return tst["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:
        return None
    return None


def _describe_cert(info: SignatureInfo, cert) -> None:
    subject = cert.subject.native
    info.signer_cn = _clean(_first(subject.get("common_name")))
    info.signer_o = _clean(_first(subject.get("organization_name")))
    info.signer_ou = _clean(_first(subject.get("organizational_unit_name")))
    info.signer_serial = format(cert.serial_number, "X")
    info.signer_subject = _clean(cert.subject.human_friendly)
    info.issuer_ca = _name(cert.issuer)
    validity = cert["tbs_certificate"]["validity"]
    info.cert_valid_from = _iso(validity["not_before"].native)
    info.cert_valid_to = _iso(validity["not_after"].native)


def _chain_order(leaf, others) -> list:
    """The embedded CA certificates from the signer's issuer upwards, then any left over."""
    remaining = list(others)
    ordered, current = [], leaf
    while True:
        parent = next((c for c in remaining if c.subject == current.issuer), None)
        if parent is None:
            break
        ordered.append(parent)
        remaining.remove(parent)
        if parent.self_signed != "no":
            break
        current = parent
    return ordered + remaining


def _name(name) -> str:
    native = name.native
    parts = [_first(native.get(k)) for k in ("common_name", "organization_name")]
    return _clean(", ".join(p for p in parts if p)) or _clean(name.human_friendly)


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).replace("\x00", " ").split()))


def _pdf_text(value) -> str:
    if value is None:
        return ""
    try:
        return _clean(str(value))
    except Exception:
        return ""


def _pdf_date(value) -> Optional[dt.datetime]:
    if value is None:
        return None
    from pyhanko.pdf_utils.generic import parse_pdf_date

    try:
        return parse_pdf_date(str(value), strict=False)
    except Exception:
        return None


def _iso(moment) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return moment.isoformat(timespec="seconds")
    return str(moment)


# ----------------------------------------------------------------------------- records


def stored_signatures(path) -> list[SignatureInfo]:
    """The signatures of a stored document's file, verified now ([] when not a signed PDF or gone)."""
    if not path or not str(path).lower().endswith(".pdf") or not Path(path).is_file():
        return []
    return verify_pdf(path, thorough=False) if has_signature_fields(path) else []


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, common abbreviations spelled out, single spaces."""
    text = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for short, long in ABBREVIATIONS.items():
        text = re.sub(rf"\b{short}\b", long, text)
    return " ".join(text.split())


ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tp": "thanh pho",
                 "bhxh": "bao hiem xa hoi", "so yt": "so y te"}


def matches_body(info: dict, bodies: Iterable[str]) -> Optional[bool]:
    """Does the certificate's CN, O or OU name one of the issuing bodies? None when either
    side says nothing to compare."""
    names = [fold(info.get(k, "")) for k in ("signer_cn", "signer_o", "signer_ou")]
    names = [n for n in names if len(n) >= 4]
    bodies = [fold(b) for b in bodies if b]
    bodies = [b for b in bodies if len(b) >= 4]
    if not names or not bodies:
        return None
    from rapidfuzz import fuzz

    for name in names:
        for body in bodies:
            short, long = sorted((name, body), key=len)
            if len(short) >= 6 and f" {short} " in f" {long} ":
                return True
            if fuzz.token_set_ratio(name, body) >= 90:
                return True
    return False


def check_file_signatures(record, path: Union[str, Path], file_mb: float) -> None:
    """A received PDF's digital signatures into its record (Decree 30, Art. 21 cl. 2), also when its
    text could not be read (a scan without OCR); a broken one, a document changed after signing or
    a certificate of another body goes to review. A file past [limits] file_mb is not opened, and
    a verification that fails costs the record nothing but a review flag."""
    try:
        if not str(path).lower().endswith(".pdf") or os.path.getsize(path) > file_mb * 1024 * 1024:
            return
    except OSError:  # gone or unreadable: the record already says so
        return
    try:
        attach_signatures(record, path)
    except MemoryError:
        raise
    except Exception as err:  # the per-file time limit is a BaseException: it still goes through
        record.flag("signatures", f"không kiểm tra được chữ ký số ({type(err).__name__})")


def attach_signatures(record, path: Union[str, Path], trust: TrustArg = None) -> None:
    """Fill `record.signatures` for a PDF and send a failing one to review (reasons in Vietnamese).

    Cheap for an unsigned PDF: no signature dictionary in the bytes, nothing parsed."""
    if not has_signature_fields(path):
        record.signatures = []
        return
    infos = verify_pdf(path, trust=trust, thorough=False)  # a batch: the last valid signature vouches
    record.signatures = [info.to_dict() for info in infos]
    if not infos:
        return
    for info in infos:
        if info.state in FAILED_STATES:
            reason = {
                BROKEN: "chữ ký số hỏng: nội dung đã ký bị thay đổi hoặc chữ ký không đúng",
                MODIFIED: "văn bản bị sửa (nội dung trang) sau khi ký số",
                EXPIRED: "chứng thư số của người ký không còn hiệu lực tại thời điểm ký",
                ERROR: "không kiểm tra được chữ ký số",
            }[info.state]
            detail = info.problems[0] if info.problems else info.error
            record.flag("signatures", f"{reason} ({info.field}{': ' + detail if detail else ''})")
            record.warnings.append(_warning(info))  # kept by the store, shown with the record
        elif info.trust == UNTRUSTED_ROOT:  # the office installed anchors and this chain ends elsewhere
            record.flag("signatures", f"chữ ký {info.field} hợp lệ nhưng chứng thư không dẫn về chứng thư gốc "
                                      "tin cậy đã cài (mục [trust] trong congvan.toml)")
            record.warnings.append(_warning(info))
        elif info.trust == INVALID_CHAIN:
            record.flag("signatures", f"chữ ký {info.field}: chuỗi chứng thư không hợp lệ tại thời điểm ký "
                                      f"({info.trust_detail})")
            record.warnings.append(_warning(info))
    if record.kind != "dispatch":
        return
    usable = [i for i in infos if i.state != ERROR]
    bodies = [record.issuer, record.parent_body]
    verdicts = [matches_body(info.to_dict(), bodies) for info in usable]
    if usable and all(v is False for v in verdicts):
        signers = "; ".join(filter(None, (", ".join(filter(None, (i.signer_cn, i.organisation))) for i in usable)))
        body = record.issuer or record.parent_body
        record.flag("signatures", f"chứng thư ký số ({signers}) không khớp cơ quan ban hành ({body})")
        record.warnings.append(Note("signature-not-issuer", "signatures", f"{body} ({signers})"))
    date_note(record, usable)


def _warning(info: SignatureInfo) -> Note:
    """The record's note (the state and trust are in record.signatures, the reason in its review flag)."""
    who = ", ".join(filter(None, (info.signer_cn, info.organisation))) or "?"
    return Note("signature-failed", "signatures", f"{info.field} ({who})")


def date_note(record, infos: list) -> None:
    """A date line that disagrees with the earliest signing time by more than a few days: a note."""
    if not record.issued_on:
        return
    times = sorted(i.when[:10] for i in infos if i.when)
    if not times:
        return
    try:
        gap = (dt.date.fromisoformat(times[0]) - dt.date.fromisoformat(record.issued_on)).days
    except ValueError:
        return
    if abs(gap) > DATE_SLACK_DAYS:
        record.warnings.append(Note("date-vs-signing", "issued_on", f"{record.issued_on} → {times[0]}"))
