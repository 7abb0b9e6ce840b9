"""Floor for Markdown files: read + decode + NFC (as floor_text.py), then a Markdown parse of the text
with markdown-it-py, tables on — congvan's reader parses the same markup (headings, emphasis, escapes,
table rows). Usage: python bench/floors/floor_markdown.py FILE..."""
import codecs
import sys
import unicodedata

from markdown_it import MarkdownIt


def decode(data: bytes) -> str:  # as floor_text.py
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", "replace")


md = MarkdownIt("commonmark").enable("table")
tokens = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        tokens += len(md.parse(unicodedata.normalize("NFC", decode(fh.read()))))
print(len(sys.argv) - 1, "files", tokens, "tokens")
