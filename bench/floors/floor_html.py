"""Floor for saved HTML pages: BeautifulSoup with lxml, get_text(), NFC — the parse congvan's HTML reader does too.
The bytes are decoded
first, as congvan's reader does. Usage: python bench/floors/floor_html.py FILE..."""
import sys
import unicodedata

from bs4 import BeautifulSoup

chars = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        soup = BeautifulSoup(fh.read().decode("utf-8", "replace"), "lxml")
    chars += len(unicodedata.normalize("NFC", soup.get_text("\n")))
print(len(sys.argv) - 1, "files", chars, "chars")
