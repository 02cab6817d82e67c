"""Plain text: detect the encoding, split into paragraphs.

Encodings are tried in this order, each strictly (no replacement characters):

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-32 and UTF-16 (either byte order);
2. UTF-16 without a BOM, recognised by its NUL-byte pattern: the high byte of every ASCII
   character (newlines, digits) is ``00``, at odd offsets for little-endian, even for
   big-endian; with few NULs both byte orders are read and the one made of common
   characters (GB2312 or Big5) wins;
3. UTF-8;
4. GB18030 (a superset of GBK and GB2312, so it covers both) when ≥ 60 % of what it reads
   is CJK;
5. UTF-16 without BOM and without any ASCII (pure Chinese text, so no NUL byte): the byte
   order whose reading is ≥ 90 % CJK and ≥ 60 % common (GB2312/Big5) characters; else GB18030;
6. as a last resort UTF-8, then GB18030, with replacement characters when at most 1 % of
   the characters are undecodable (a warning ``encoding_errors`` says so).

Decoded text with more than 1 % control characters is not text (a binary file). Each
non-empty line is one ``paragraph`` segment; blank lines are dropped.

Notes
-----
Source: issue 2 (§2, "TXT: UTF-8, UTF-8 with BOM, GB18030/GBK, UTF-16 detected"). Big5 is
not detected: Big5 bytes are valid GB18030 and would decode as the wrong characters.
"""

from __future__ import annotations

import codecs
import re

from classifier.errors import UnsupportedFormatError
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# Control characters other than tab, LF, VT, FF, CR and \x1a (the DOS end-of-file marker).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SAMPLE_BYTES = 64 * 1024
_MAX_CONTROL_RATIO = 0.01
_MAX_ERROR_RATIO = 0.01


def _decodes(data: bytes, codec: str, *, final: bool) -> str | None:
    """Decode strictly; ``final=False`` tolerates a multi-byte sequence cut at the end."""
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final)
    except UnicodeDecodeError:
        return None


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs, CJK punctuation and full-width forms in ``text``."""
    return len(_CJK.findall(text)) / len(text) if text else 0.0


def _control_ratio(text: str) -> float:
    """Share of control characters (other than tab, newlines …) in ``text``."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def _common_share(text: str) -> float:
    """Share of common characters: in GB2312 (simplified hanzi, kana, Greek …) or Big5 (traditional)."""
    if not text:
        return 0.0
    questions = text.count("?")
    unencodable = min(text.encode(c, "replace").count(b"?") - questions for c in ("gb2312", "big5"))
    return 1 - unencodable / len(text)


def _best_utf16(
    data: bytes, codecs16: tuple[str, ...], *, final: bool, min_cjk: float
) -> str | None:
    """The UTF-16 byte order whose strict reading is most made of common characters (≥ 60 %)."""
    best: tuple[float, str] | None = None
    for codec16 in codecs16:
        text = _decodes(data, codec16, final=final)
        if not text or _control_ratio(text) > _MAX_CONTROL_RATIO or _cjk_share(text) < min_cjk:
            continue
        common = _common_share(text)
        if common >= 0.6 and (best is None or common > best[0]):
            best = (common, codec16)
    return best[1] if best else None


def _utf16_by_nuls(data: bytes, *, final: bool) -> str | None:
    """Byte order of BOM-less UTF-16 from where its NUL bytes are (``None``: not UTF-16).

    ASCII characters put their NUL byte at odd offsets (little-endian) or even ones; a CJK
    character U+xx00 puts one on the other side, so with few NULs both orders are tried.
    """
    n = len(data) - len(data) % 2
    even = data[0:n:2].count(0)
    odd = data[1:n:2].count(0)
    first, second = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    if max(odd, even) >= 4 and min(odd, even) * 8 <= max(odd, even):
        text = _decodes(data, first, final=final)
        return first if text is not None and _control_ratio(text) <= _MAX_CONTROL_RATIO else None
    return _best_utf16(data, (first, second), final=final, min_cjk=0.0)


#: More NUL bytes than this share (and not UTF-16) means binary, not text with stray NULs.
_MAX_NUL_RATIO = 0.05


def detect_encoding(data: bytes, *, final: bool = True) -> tuple[str, str] | None:
    """Find the encoding of ``data``.

    Parameters
    ----------
    data : bytes
        The whole file, or its first bytes (then pass ``final=False``).
    final : bool, default True
        Whether ``data`` is the whole file.

    Returns
    -------
    (codec, label) or None
        ``codec`` to decode with and ``label`` to report (``utf-8``, ``utf-8-sig``,
        ``gb18030``, ``utf-16``, ``utf-32``); ``codec`` ends in ``/replace`` when only a
        lenient decoding worked. ``None`` when the bytes are not text.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _decodes(data, codec, final=final)
            return (
                (codec, label)
                if text is not None and _control_ratio(text) <= _MAX_CONTROL_RATIO
                else None
            )
    if b"\x00" in data:
        codec16 = _utf16_by_nuls(data, final=final)
        if codec16:
            return (codec16, "utf-16")
        # Stray NUL bytes in 8-bit text (a damaged copy, a padded export): read the rest.
        if data.count(b"\x00") > _MAX_NUL_RATIO * len(data) + 16:
            return None
        data = data.replace(b"\x00", b"")
    text = _decodes(data, "utf-8", final=final)
    if text is not None:
        return ("utf-8", "utf-8") if _control_ratio(text) <= _MAX_CONTROL_RATIO else None
    gb_text = _decodes(data, "gb18030", final=final)
    if gb_text is not None and (_cjk_share(gb_text) >= 0.6 or len(data) % 2 and final):
        return ("gb18030", "gb18030") if _control_ratio(gb_text) <= _MAX_CONTROL_RATIO else None
    # UTF-16 without BOM and without any ASCII (so without NULs) is often valid GB18030 too,
    # read as ASCII letters and rare characters. Both byte orders then look like CJK; the
    # right one is made of common characters (GB2312), the swapped one mostly of rare ones.
    codec16 = _best_utf16(data, ("utf-16-le", "utf-16-be"), final=final, min_cjk=0.9)
    if codec16 is not None:
        return (codec16, "utf-16")
    if gb_text is not None:
        return ("gb18030", "gb18030") if _control_ratio(gb_text) <= _MAX_CONTROL_RATIO else None
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, "replace")
        if (
            text.count("\ufffd") <= _MAX_ERROR_RATIO * len(text)
            and _control_ratio(text) <= _MAX_CONTROL_RATIO
        ):
            return (f"{codec}/replace", codec)
    return None


def extract(data: bytes, *, name: str = "") -> ExtractedText:
    """Decode a plain-text file and split it into paragraph segments.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str, optional
        File name, for messages.

    Returns
    -------
    ExtractedText
        ``source_format="txt"``, ``encoding`` set; ``text`` may be empty (the caller
        raises ``EmptyTextError``).

    Raises
    ------
    UnsupportedFormatError
        If the bytes are not text in any supported encoding.
    """
    if not data:
        return ExtractedText(text="", source_format="txt", encoding="utf-8")
    found = detect_encoding(data[:_SAMPLE_BYTES], final=len(data) <= _SAMPLE_BYTES)
    if found is not None and len(data) > _SAMPLE_BYTES and not found[0].endswith("/replace"):
        if _decodes(data, found[0], final=True) is None:  # an undecodable byte after the sample
            found = detect_encoding(data)
    if found is None:
        raise UnsupportedFormatError(
            f"{file_label(name)}不是可识别编码的纯文本（支持 UTF-8、GB18030/GBK、UTF-16）",
            path=name or None,
        )
    codec, label = found
    warnings: tuple[str, ...] = ()
    if b"\x00" in data and label not in ("utf-16", "utf-32"):
        warnings = (f"nul_bytes: 文件含 {data.count(0)} 个空字节（NUL），已略去",)
        data = data.replace(b"\x00", b"")
    if codec.endswith("/replace"):
        text = data.decode(codec.removesuffix("/replace"), "replace").replace("\ufffd", "")
        warnings += (f"encoding_errors: 文件中有少量字节无法按 {label} 解码，已略去",)
    else:
        text = data.decode(codec)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body, segments = assemble(Piece("paragraph", line) for line in lines)
    return ExtractedText(
        text=body,
        segments=segments,
        source_format="txt",
        pages=1,
        warnings=warnings,
        encoding=label,
    )
