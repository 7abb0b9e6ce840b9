"""Floor for text PDFs: pdfplumber.open and extract_words() on every page — the call congvan's PDF reader makes.
Usage: python bench/floors/pdf.py FILE..."""
import sys

import pdfplumber

pages = words = 0
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words += len(page.extract_words())
            pages += 1
print(len(sys.argv) - 1, "files", pages, "pages", words, "words")
