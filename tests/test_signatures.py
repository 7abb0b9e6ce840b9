"""Digital signatures of incoming PDFs (issue 13): a test CA, intermediate and signers are made
here with `cryptography`, corpus PDFs are signed with pyHanko into tmp_path, and
pipeline.signatures must tell each case apart — offline, never raising."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pyHanko's DSA deprecation warning
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipeline import signatures as sigmod
from pipeline.cli import main
from pipeline.process import process_file
from pipeline.signatures import (BROKEN, COUNTERSIGNED, EXPIRED, MODIFIED, NOT_CHECKED, TRUSTED, UNTRUSTED_ROOT, VALID,
                                 has_signature_fields, verify_pdf)

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "corpus" / "docs" / "a_01_bhxh_qngai_thuno__pdf.pdf"  # BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI
REAL = ROOT.parent / "shared" / "real"
NOW = dt.datetime.now(dt.timezone.utc)


# ----------------------------------------------------------------------------- a test PKI


def _name(cn: str, o: str = "", ou: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if o:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if ou:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(parts)


def _cert(subject, key, issuer_name, issuer_key, *, ca: bool, start, end, serial=None):
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(serial or x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    if ca:
        usage = dict(digital_signature=False, content_commitment=False, key_cert_sign=True, crl_sign=True)
    else:
        usage = dict(digital_signature=True, content_commitment=True, key_cert_sign=False, crl_sign=False)
    builder = builder.add_extension(x509.KeyUsage(key_encipherment=False, data_encipherment=False,
                                                  key_agreement=False, encipher_only=False, decipher_only=False,
                                                  **usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """Root CA → intermediate CA → signers, all generated here; files written under `folder`."""

    def __init__(self, folder: Path, root_name: str = "Test Root CA G9"):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        long_ago, far = NOW - dt.timedelta(days=3650), NOW + dt.timedelta(days=3650)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        root_subject = _name(root_name, "Ban Cơ yếu Thử nghiệm")
        self.root = _cert(root_subject, self.root_key, root_subject, self.root_key, ca=True, start=long_ago, end=far)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _cert(_name("CA phục vụ thử nghiệm G9", "Ban Cơ yếu Thử nghiệm"), self.ca_key, root_subject,
                        self.root_key, ca=True, start=long_ago, end=far)
        self.root_file = self._write("root.crt", self.root)
        self.ca_file = self._write("ca.crt", self.ca)

    def _write(self, name: str, cert) -> Path:
        path = self.folder / name
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    def signer(self, cn="Nguyễn Văn An", o="BẢO HIỂM XÃ HỘI VIỆT NAM", ou="Bảo hiểm xã hội tỉnh Quảng Ngãi",
               start=None, end=None) -> signers.SimpleSigner:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _cert(_name(cn, o, ou), key, self.ca.subject, self.ca_key, ca=False, serial=0x1234ABCD,
                     start=start or NOW - dt.timedelta(days=365), end=end or NOW + dt.timedelta(days=365))
        der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        asn1 = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in (cert, self.ca)]
        return signers.SimpleSigner(signing_cert=asn1[0], signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                                    cert_registry=SimpleCertificateStore.from_certs(asn1[1:]))


def sign(source: Path, target: Path, signer, field: str = "Signature1", reason="Ký ban hành",
         location="Quảng Ngãi") -> Path:
    meta = signers.PdfSignatureMetadata(field_name=field, reason=reason, location=location)
    with open(source, "rb") as fh:
        writer = IncrementalPdfFileWriter(fh, strict=False)
        with open(target, "wb") as out:
            signers.sign_pdf(writer, meta, signer=signer, output=out)
    return target


def add_text(source: Path, target: Path, text: str = "DA SUA SAU KHI KY", font_name: str = "/FSig") -> Path:
    """An incremental update that draws new text on page 1 (what a forger would append)."""
    with open(source, "rb") as fh:
        writer = IncrementalPdfFileWriter(fh, strict=False)
        font = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }))
        stream = writer.add_object(generic.StreamObject(
            stream_data=f"BT {font_name} 14 Tf 72 72 Td ({text}) Tj ET".encode("ascii")))
        resources = generic.DictionaryObject({
            generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject(font_name): font})})
        writer.add_stream_to_page(0, stream, resources=resources)
        with open(target, "wb") as out:
            writer.write(out)
    return target


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Verification must never open a connection (no CRL, OCSP or AIA fetching)."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted during signature verification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture()
def signed(pki, tmp_path):
    return sign(PDF, tmp_path / "signed.pdf", pki.signer())


# ----------------------------------------------------------------------------- verify_pdf


def test_valid_and_trusted(pki, signed):
    [info] = verify_pdf(signed, trust=[pki.root_file])
    assert info.state == VALID and info.ok
    assert info.intact and info.valid and info.covers_file and info.later_updates == 0
    assert info.trust == TRUSTED
    assert info.signer_cn == "Nguyễn Văn An" and info.signer_o == "BẢO HIỂM XÃ HỘI VIỆT NAM"
    assert info.signer_ou == "Bảo hiểm xã hội tỉnh Quảng Ngãi" and info.signer_serial == "1234ABCD"
    assert info.issuer_ca == "CA phục vụ thử nghiệm G9, Ban Cơ yếu Thử nghiệm"
    assert info.chain == ["Nguyễn Văn An, BẢO HIỂM XÃ HỘI VIỆT NAM", "CA phục vụ thử nghiệm G9, Ban Cơ yếu Thử nghiệm"]
    assert info.reason == "Ký ban hành" and info.location == "Quảng Ngãi"
    assert info.signed_at and info.cms_signing_time
    written = dt.datetime.fromtimestamp(signed.stat().st_mtime, dt.timezone.utc)  # signed when the fixture ran, not when the suite began
    assert abs(dt.datetime.fromisoformat(info.when) - written) < dt.timedelta(minutes=2)
    assert info.revocation == "not checked (offline)"
    assert info.problems == []


def test_trust_folder_and_intermediate_file(pki, signed):
    # A folder holding root and intermediate; the intermediate alone is no anchor.
    assert verify_pdf(signed, trust=[pki.folder])[0].trust == TRUSTED
    assert verify_pdf(signed, trust=[pki.ca_file])[0].trust == UNTRUSTED_ROOT


def test_valid_with_root_not_configured(pki, signed, tmp_path):
    [info] = verify_pdf(signed, trust=[])
    assert info.state == VALID and info.trust == NOT_CHECKED
    other = Pki(tmp_path / "other", root_name="Another Root CA")
    [info] = verify_pdf(signed, trust=[other.root_file, other.ca_file])
    assert info.state == VALID and info.intact and info.valid  # the signature itself is fine …
    assert info.trust == UNTRUSTED_ROOT  # … but its chain does not end in the office's anchors
    assert any("tin cậy" in p for p in info.problems)


def test_one_byte_changed_after_signing_is_broken(pki, signed, tmp_path):
    data = bytearray(signed.read_bytes())
    start = data.index(b"stream") + 40  # inside the first stream's data, well within the signed range
    data[start] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    [info] = verify_pdf(tampered, trust=[pki.root_file])
    assert info.state == BROKEN and info.intact is False
    assert "thay đổi" in info.problems[0]


def test_text_added_after_signing_is_modified(pki, signed, tmp_path):
    changed = add_text(signed, tmp_path / "changed.pdf")
    [info] = verify_pdf(changed, trust=[pki.root_file])
    assert info.intact and info.valid  # the signed revision itself is untouched
    assert info.state == MODIFIED and info.covers_file is False
    assert info.later_updates == 1 and info.changes_after == "content"
    assert "sửa sau khi ký" in info.problems[0]


def test_second_signature_only_is_fine(pki, signed, tmp_path):
    twice = sign(signed, tmp_path / "twice.pdf", pki.signer(cn="Văn thư", ou="Văn phòng"), field="Signature2")
    first, second = verify_pdf(twice, trust=[pki.root_file])
    assert first.field == "Signature1" and second.field == "Signature2"
    assert first.state == VALID and first.later_updates == 1 and first.changes_after in ("signatures", "form")
    assert not first.covers_file
    assert second.state == VALID and second.covers_file
    assert {first.trust, second.trust} == {TRUSTED}


def test_unsigned_pdf(tmp_path):
    assert not has_signature_fields(PDF)
    assert verify_pdf(PDF, trust=[]) == []


def test_certificate_expired_at_signing(pki, tmp_path):
    old = pki.signer(start=NOW - dt.timedelta(days=800), end=NOW - dt.timedelta(days=400))
    path = sign(PDF, tmp_path / "expired.pdf", old)
    for trust in ([], [pki.root_file]):
        [info] = verify_pdf(path, trust=trust)
        assert info.state == EXPIRED and info.intact and info.valid
        assert "hiệu lực" in info.problems[0]
    [info] = verify_pdf(path, trust=[pki.root_file])
    assert info.trust == sigmod.INVALID_CHAIN  # pyHanko refuses the chain at that time, not its root


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.4\n/ByteRange [0 1 2 3]\n%%EOF"])
def test_malformed_file_never_raises(tmp_path, content):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    infos = verify_pdf(path, trust=[])
    assert all(i.state == "error" and i.error for i in infos)


def test_truncated_signed_pdf_never_raises(signed, tmp_path):
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(signed.read_bytes()[: len(signed.read_bytes()) // 2])
    infos = verify_pdf(cut, trust=[])
    assert infos and all(i.state != VALID for i in infos)


def test_missing_file_and_bad_trust_file(tmp_path, signed):
    [info] = verify_pdf(tmp_path / "absent.pdf", trust=[])
    assert info.state == "error"
    junk = tmp_path / "junk.crt"
    junk.write_text("not a certificate")
    [info] = verify_pdf(signed, trust=[junk])
    assert info.state == VALID and info.trust == NOT_CHECKED


# ----------------------------------------------------------------------------- [trust] in congvan.toml


def test_trust_section_of_congvan_toml(pki, signed, tmp_path, monkeypatch):
    anchors = tmp_path / "trust"
    anchors.mkdir()
    shutil.copy(pki.root_file, anchors / "root.pem")
    toml = tmp_path / "congvan.toml"
    toml.write_text('[trust]\nfolder = "trust"\ncertificates = []\n', encoding="utf-8")
    monkeypatch.setenv("CONGVAN_ORG", str(toml))
    assert verify_pdf(signed)[0].trust == TRUSTED
    toml.write_text("[limits]\nfile_mb = 100\n", encoding="utf-8")
    assert verify_pdf(signed)[0].trust == NOT_CHECKED


# ----------------------------------------------------------------------------- records


@pytest.fixture()
def no_anchors(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGVAN_ORG", str(tmp_path / "none.toml"))


def test_record_of_signed_pdf(pki, signed, no_anchors):
    record = process_file(str(signed), ocr="never")
    assert record.kind == "dispatch" and record.issuer == "BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI"
    [sig] = record.signatures
    assert sig["state"] == VALID and sig["signer_o"] == "BẢO HIỂM XÃ HỘI VIỆT NAM"
    assert not [r for r in record.review if r["field"] == "signatures"]
    # The letter is dated 2024 and signed today: the date line disagrees with the signing time.
    assert "date-vs-signing" in [w.code for w in record.warnings]
    assert record.to_dict()["signatures"][0]["trust"] == NOT_CHECKED


def test_record_of_unsigned_pdf_has_no_signatures_key(no_anchors):
    record = process_file(str(PDF), ocr="never")
    assert record.signatures == [] and "signatures" not in record.to_dict()


def test_record_of_modified_pdf_goes_to_review(pki, signed, tmp_path, no_anchors):
    record = process_file(str(add_text(signed, tmp_path / "changed.pdf")), ocr="never")
    reasons = [r["reason"] for r in record.review if r["field"] == "signatures"]
    assert reasons and "sau khi ký" in reasons[0]
    assert record.signatures[0]["state"] == MODIFIED


def test_head_signs_then_the_clerk_stamps_and_the_body_signs(pki, signed, tmp_path, no_anchors):
    """The e-office workflow: the head signs, the văn thư writes number and day (page content changes),
    the issuing body signs the final text. The last signature vouches for what was received."""
    stamped = add_text(signed, tmp_path / "stamped.pdf", text="So: 45/BHXH-VP")
    final = sign(stamped, tmp_path / "final.pdf", pki.signer(), field="Signature2")
    record = process_file(str(final), ocr="never")
    assert [s["state"] for s in record.signatures] == [COUNTERSIGNED, VALID]
    first, second = verify_pdf(final)  # thorough (congvan verify): what changed is still reported
    assert (first.state, first.changes_after, second.state) == (COUNTERSIGNED, "content", VALID)
    assert not [r for r in record.review if r["field"] == "signatures"]
    # … but text added after the last signature is still caught.
    record = process_file(str(add_text(final, tmp_path / "forged.pdf", font_name="/FSig2")), ocr="never")
    assert [r for r in record.review if r["field"] == "signatures"]


def test_record_of_broken_pdf_goes_to_review(pki, signed, tmp_path, no_anchors):
    data = bytearray(signed.read_bytes())
    data[data.index(b"/CreationDate(D:2") + 18] ^= 0x01  # one digit of the year: the text still reads
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    record = process_file(str(tampered), ocr="never")
    assert record.kind == "dispatch" and record.signatures[0]["state"] == BROKEN
    assert any(r["field"] == "signatures" and "hỏng" in r["reason"] for r in record.review)


def test_signer_of_another_body_goes_to_review(pki, tmp_path, no_anchors):
    other = pki.signer(cn="Trần Thị Bình", o="UBND TỈNH SƠN LA", ou="Sở Tài chính")
    record = process_file(str(sign(PDF, tmp_path / "other.pdf", other)), ocr="never")
    assert record.signatures[0]["state"] == VALID
    assert any(r["field"] == "signatures" and "không khớp cơ quan ban hành" in r["reason"] for r in record.review)


def test_matches_body():
    assert sigmod.matches_body({"signer_cn": "Ủy ban nhân dân tỉnh Quảng Ngãi", "signer_o": "Tỉnh Quảng Ngãi"},
                               ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", ""])
    assert sigmod.matches_body({"signer_cn": "Sở Y tế", "signer_o": "UBND tỉnh Quảng Ngãi"},
                               ["SỞ Y TẾ", "UBND TỈNH QUẢNG NGÃI"])
    assert sigmod.matches_body({"signer_cn": "Trần Thị Bình", "signer_o": "UBND TỈNH SƠN LA"},
                               ["BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI"]) is False
    assert sigmod.matches_body({"signer_cn": "A"}, [""]) is None


# ----------------------------------------------------------------------------- congvan verify


def test_cli_verify_exit_codes(pki, signed, tmp_path, no_anchors):
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(signed), "--trust", str(pki.root_file)])
    assert result.exit_code == 0, result.output
    assert "hợp lệ" in result.output and "Nguyễn Văn An" in result.output and "tin cậy" in result.output
    result = runner.invoke(main, ["verify", str(PDF)])
    assert result.exit_code == 0 and "không có chữ ký số" in result.output
    changed = add_text(signed, tmp_path / "changed.pdf")
    result = runner.invoke(main, ["verify", str(signed), str(changed)])
    assert result.exit_code == 1 and "SỬA SAU KHI KÝ" in result.output
    result = runner.invoke(main, ["verify", "--format", "json", str(changed)])
    assert result.exit_code == 1
    assert json.loads(result.output)[str(changed)][0]["state"] == MODIFIED


# ----------------------------------------------------------------------------- the real signed letters


REAL_SIGNED = sorted(REAL.glob("qngai_*-signed*.pdf")) if REAL.is_dir() else []


@pytest.mark.skipif(not REAL_SIGNED, reason=f"{REAL} is absent: the real signed qngai PDFs are not on this machine")
def test_real_signed_qngai_pdfs_report_signer_and_time():
    for path in REAL_SIGNED:
        infos = verify_pdf(path, trust=[])
        assert infos, path.name
        for info in infos:
            assert info.state == VALID, (path.name, info)
            assert info.signer_cn and info.signer_o and info.when, (path.name, info)
            assert "quang ngai" in sigmod.fold(info.signer_o), (path.name, info.signer_o)
            assert info.issuer_ca and "Ban C" in info.issuer_ca
            assert info.trust == NOT_CHECKED
    first = verify_pdf(REAL / "qngai_84-QD-UB-signed.pdf", trust=[])[0]
    assert first.signer_cn == "Ủy ban nhân dân tỉnh Quảng Ngãi" and first.when.startswith("2025-02-03")


# ----------------------------------------------------------------------------- the hex-string fast path


@pytest.mark.parametrize("raw", [b"<48656C6C6F>", b"<48 65\n6C\r\n6C\t6F>", b"<486>", b"<>", b"<FEFF0041> rest",
                                 b"<48%comment\n65>", b"<48Z65>", b"<4865", b"<" + b"AB" * 40000 + b">"])
def test_fast_hex_strings_read_as_pyhanko_does(raw):
    import io

    from pyhanko.pdf_utils import generic

    sigmod._import_pyhanko()
    fast = generic.read_hex_string_from_stream
    slow = fast.original

    def outcome(reader):
        stream = io.BytesIO(raw)
        try:
            return reader(stream), stream.tell()
        except Exception as err:
            return type(err).__name__

    assert outcome(fast) == outcome(slow)


# ----------------------------------------------------------------------------- the web inbox and review page


def test_web_inbox_and_review_show_the_signature_state(pki, signed, tmp_path, no_anchors):
    import re

    from fastapi.testclient import TestClient

    from pipeline.org import EXAMPLE
    from pipeline.web import Settings, create_app

    org = tmp_path / "congvan.toml"
    org.write_text(EXAMPLE, encoding="utf-8")
    client = TestClient(create_app(Settings(db=str(tmp_path / "c.db"), data_dir=tmp_path / "data",
                                            org_file=str(org))), base_url="http://127.0.0.1")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/inbox").text).group(1)
    changed = add_text(signed, tmp_path / "changed.pdf")
    response = client.post("/inbox/upload", data={"csrf_token": csrf}, files=[
        ("files", ("ky-so.pdf", signed.read_bytes())), ("files", ("bi-sua.pdf", changed.read_bytes())),
        ("files", ("khong-ky.pdf", PDF.read_bytes()))])
    assert response.status_code == 200
    # the files are read by the inbox's background worker: their rows once it is done
    assert client.app.state.worker.wait_idle(120)
    jobs = re.findall(r'data-job="(\w+)"', response.text)
    response = client.get("/inbox/jobs", params=[("id", job) for job in jobs])
    rows = dict(re.findall(r'<td class="file">([^<]*)</td>(.*?)</tr>', response.text, re.S))
    assert "Chữ ký số hợp lệ (1)" in rows["ky-so.pdf"]
    assert "Chữ ký số KHÔNG ĐẠT" in rows["bi-sua.pdf"]
    assert "Chữ ký số" not in rows["khong-ky.pdf"]
    ids = dict(re.findall(r'<td class="file">([^<]*)</td>.*?>Xem #(\d+)<', response.text, re.S))
    page = client.get(f"/review/{ids['bi-sua.pdf']}").text
    assert 'id="signatures"' in page and "VĂN BẢN BỊ SỬA SAU KHI KÝ" in page and "Nguyễn Văn An" in page
    page = client.get(f"/review/{ids['ky-so.pdf']}").text
    assert "hợp lệ" in page and "chưa kiểm tra" in page


def test_show_verifies_the_stored_file(pki, signed, tmp_path, no_anchors):
    runner = CliRunner()
    db = str(tmp_path / "s.db")
    assert runner.invoke(main, ["ingest", str(signed), "--db", db]).exit_code == 0
    result = runner.invoke(main, ["show", "1", "--db", db])
    assert result.exit_code == 0 and "chữ ký số Signature1: hợp lệ; Nguyễn Văn An" in result.output
    result = runner.invoke(main, ["show", "1", "--db", db, "--format", "json"])
    assert json.loads(result.output)["signatures"][0]["signer_serial"] == "1234ABCD"


def test_signatures_of_a_pdf_whose_text_cannot_be_read(pki, tmp_path, no_anchors, monkeypatch):
    from pipeline import process

    def unreadable(path, ocr, jobs):
        return process.Record(source=path, kind="error", error="no text layer: scanned PDF, OCR not available")

    monkeypatch.setattr(process, "_process", unreadable)
    record = process_file(str(sign(PDF, tmp_path / "scan.pdf", pki.signer())), ocr="never")
    assert record.kind == "error" and record.signatures[0]["state"] == VALID and record.review == []
    record = process_file(str(tmp_path / "absent.pdf"), ocr="never")
    assert record.signatures == [] and record.review == []
