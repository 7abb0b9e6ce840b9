"""Floor for Markdown files: read + decode + NFC (as floor_text.py), then a Markdown parse of the text
with markdown-it-py, tables on — congvan's reader parses the same markup (headings, emphasis, escapes,
table rows). Usage: python bench/floors/floor_markdown.py FILE..."""
import sys
import unicodedata

from floor_text import decode  # the same reading and decoding (this folder is on sys.path when run)
from markdown_it import MarkdownIt

md = MarkdownIt("commonmark").enable("table")
tokens = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        tokens += len(md.parse(unicodedata.normalize("NFC", decode(fh.read()))))
print(len(sys.argv) - 1, "files", tokens, "tokens")
