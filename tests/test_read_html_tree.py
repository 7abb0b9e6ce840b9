"""The HTML reader walks lxml's tree the way it walked BeautifulSoup's (same lines on edge pages)."""
from __future__ import annotations

import pytest

from pipeline.read.html import HtmlWalker


def lines(html: str) -> list[str]:
    return [line.text for line in HtmlWalker().read(html)]


@pytest.mark.parametrize("html, expected", [
    ("", []),
    ("<!-- only a comment -->", []),
    ("<p>a<br>b</p><p>c</p>", ["a", "b", "c"]),
    ("<p hidden>x</p>after<p style='DISPLAY: none'>y</p>tail", ["aftertail"]),  # a dropped element's tail stays
    ("<p>a<script>s</script>b<!-- c -->d<?pi x?>e</p>", ["abde"]),
    ("<ruby>漢<rt>kan</rt></ruby> tự<rp>(</rp>", ["漢 tự"]),  # ruby annotation is not the text
    ("<rt data-vbpl-content-root>x</rt>", []),
    ("<p>out</p><div data-vbpl-content-root><p>in</p></div>", ["in"]),
    ("<html></html>after", ["after"]),  # a second html element, with its body
    ("<html><body><p>a</p></body></html>tail", ["a"]),
    ("<div>" * 300 + "deep", ["deep"]),  # past libxml2's default depth of 256 (bs4 read it: huge_tree)
    ("<table><tr><td>a</td>stray<td hidden>h</td>b</tr><div>in</div></table>z", ["a", "strayb", "in", "z"]),
])
def test_edge_pages(html, expected):
    assert lines(html) == expected


def test_legacy_font_and_alignment():
    walker = HtmlWalker()
    got = walker.read("<p style='text-align:right;font-family:.VnTimeH'>bé x©y dùng</p><p align=right>TM. CHÍNH PHỦ</p>")
    assert [line.text for line in got] == ["BỘ XÂY DỰNG", "TM. CHÍNH PHỦ"]
    assert walker.converted == {"tcvn3"}
