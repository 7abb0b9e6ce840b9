"""Floor for text and Markdown files: read the bytes, decode (BOM, UTF-16, UTF-8, else cp1258), NFC, split lines —
what any reader of these files must do. Usage: python bench/floors/floor_text.py FILE..."""
import codecs
import sys
import unicodedata


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", "replace")


if __name__ == "__main__":
    lines = 0
    for path in sys.argv[1:]:
        with open(path, "rb") as fh:
            lines += len(unicodedata.normalize("NFC", decode(fh.read())).splitlines())
    print(len(sys.argv) - 1, "files", lines, "lines")
