"""The seed dispatch (Công văn 381/BHXH-VP) must come out exactly right, field by field."""
import json

import pytest

from pipeline.extract import extract
from pipeline.read import read

ITEMS = [
    (
        'Triển khai ngay các công việc, nhiệm vụ ngay từ những ngày trở lại làm việc đầu tiên của Xuân '
        'Tân Sửu. Chủ động, khẩn trương ban hành, triển khai các kế hoạch để tổ chức thực hiện nhiệm vụ '
        'công tác năm 2021; trong đó, tập trung vào các chỉ tiêu, nhiệm vụ được Chính phủ, Thủ tướng '
        'Chính phủ, Lãnh đạo Ngành giao; đặc biệt là công tác phát triển người tham gia BHXH, BHTN, '
        'BHYT; đôn đốc các đơn vị sử dụng lao động, doanh nghiệp đóng đầy đủ số phải thu BHXH, BHTN, '
        'BHYT; giải quyết, chi trả kịp thời các chế độ BHXH, BHTN, BHYT cho người tham gia, thụ hưởng. '
        'Đồng thời, khẩn trương giải quyết công việc phát sinh, kịp thời xử lý những công việc tồn '
        'đọng, vướng mắc của cơ quan, doanh nghiệp, người lao động và Nhân dân trong dịp Tết Nguyên đán.'
    ),
    (
        'Tiếp tục quán triệt và triển khai thực hiện nghiêm túc, đầy đủ, kịp thời, hiệu quả các biện '
        'pháp phòng chống dịch bệnh Covid-19; đồng thời đảm bảo tốt nhất quyền lợi của người tham gia '
        'BHXH, BHTN, BHYT theo đúng tinh thần chỉ đạo của Chính phủ, Thủ tướng Chính phủ, Ban Chỉ đạo '
        'phòng chống dịch bệnh Covid-19, chính quyền địa phương và của BHXH Việt Nam tại Công văn số '
        '287/BHXH-VP ngày 01/02/2021 về việc tăng cường các biện pháp phòng chống dịch bệnh Covid-19, '
        'đảm bảo quyền lợi cho người tham gia. Trường hợp công chức, viên chức, người lao động trong '
        'thời gian nghỉ Tết Nguyên đán đã đi, đến, trở về từ những khu vực, địa điểm có dịch bệnh, phải '
        'tuân thủ nghiêm việc khai báo y tế và các quy định phòng chống dịch bệnh, thực hiện tự cách ly '
        'theo đúng hướng dẫn của cơ sở y tế và chính quyền địa phương. Thủ trưởng các đơn vị trực '
        'thuộc, Giám đốc BHXH các tỉnh rà soát đối với công chức, viên chức, người lao động đã đi, đến '
        'hoặc trở về từ các khu vực, địa bàn có dịch bệnh; có phương án bố trí để cán bộ làm việc linh '
        'hoạt, phù hợp với tình hình diễn biến dịch bệnh Covid-19; thường xuyên theo dõi, kịp thời có '
        'biện pháp ứng phó, không để xảy ra tình trạng lây nhiễm dịch bệnh tại cơ quan, đơn vị.'
    ),
    (
        'Các cơ quan, đơn vị, công chức, viên chức, người lao động trong toàn ngành BHXH Việt Nam tăng '
        'cường hơn nữa kỷ luật, kỷ cương hành chính, đạo đức công vụ; thực hiện nghiêm túc chỉ đạo của '
        'Chính phủ, Thủ tướng Chính phủ và của BHXH Việt Nam tại Công văn số 298/BHXH-VP ngày '
        '03/02/2021 về việc thực hiện các nhiệm vụ trước, trong và sau Tết Nguyên đán Tân Sửu; tập '
        'trung triển khai các công việc, nhiệm vụ chuyên môn, đảm bảo phòng tránh lây nhiễm dịch bệnh '
        'Covid-19.'
    ),
]

EXPECTED = {
    "kind": "dispatch",
    "doc_type": "Công văn",
    "number": "381/BHXH-VP",
    "issued_on": "2021-02-17",
    "place": "Hà Nội",
    "issuer": "BẢO HIỂM XÃ HỘI VIỆT NAM",
    "parent_body": "",
    "subject": "tập trung triển khai các nhiệm vụ công tác sau Tết Nguyên đán Tân Sửu",
    "recipients": ["Các đơn vị trực thuộc BHXH Việt Nam", "BHXH các tỉnh, thành phố trực thuộc Trung ương"],
    "directives": [
        {"label": str(i), "text": text, "deadline": None, "lead": "", "support": []}
        for i, text in enumerate(ITEMS, start=1)
    ],
    "references": [
        {"doc_type": "Công văn", "number": "287/BHXH-VP", "issued_on": "2021-02-01", "issuer": ""},
        {"doc_type": "Công văn", "number": "298/BHXH-VP", "issued_on": "2021-02-03", "issuer": ""},
    ],
    "distribution": ["Như trên", "Tổng Giám đốc (để b/c)", "Các Phó TGĐ (để b/c)",
                     "Đảng ủy CQ, Công đoàn CQ, VP HĐQL", "Lưu: VT, VP"],
    "signer": {"authority": "TL. TỔNG GIÁM ĐỐC", "title": "CHÁNH VĂN PHÒNG", "name": "Chu Mạnh Sinh"},
}


@pytest.fixture(scope="module")
def seed(request):
    shared = request.getfixturevalue("shared")
    return extract(read(next((shared / "seeds").glob("001_*.txt"))))


@pytest.mark.parametrize("field", sorted(EXPECTED))
def test_seed_field_is_exact(seed, field):
    got = seed.to_dict()[field]
    assert got == EXPECTED[field], json.dumps(got, ensure_ascii=False, indent=1)


def test_seed_spans_point_at_the_printed_values(seed):
    for name, value in [("number", seed.number), ("place", seed.place), ("issuer", seed.issuer),
                        ("signer.name", seed.signer.name)]:
        start, end = seed.spans[name]
        assert seed.text[start:end] == value, name


def test_seed_has_no_warnings(seed):
    assert seed.warnings == []


def test_news_seeds_are_not_dispatches(shared):
    paths = [p for p in sorted((shared / "seeds").glob("*.txt")) if not p.name.startswith("001_")]
    assert len(paths) == 4
    assert [extract(read(p)).kind for p in paths] == ["other"] * 4
