"""Bytes to text: gzip, byte-order marks, and encodings other than UTF-8."""

from __future__ import annotations

import gzip

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can detect."""


def decode_bytes(data: bytes, name: str = "") -> str:
    """Decode file contents to text.

    UTF-8 (with or without BOM) is tried first since it is by far the most common
    and rarely decodes non-UTF-8 text by accident; otherwise charset-normalizer
    guesses the encoding.

    Raises:
        DecodeError: For binary data (NUL bytes, no plausible encoding).

    """
    if data[:2] == b"\x1f\x8b" or name.endswith(".gz"):
        data = gzip.decompress(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise DecodeError(
                f"{name or 'input'}: binary data, no text encoding detected"
            ) from None
        text = str(best)
    if "\x00" in text:
        raise DecodeError(f"{name or 'input'}: binary data (NUL bytes), not text")
    return text
