"""Limits on one document: a deadline, and the caps that stop ZIP bombs.

Source: issue 5 (§3 hostile files); issue 8 (§5 bounded work per file: each part read once,
caps on characters, on bytes per part and per PDF stream).
"""

from __future__ import annotations

import time
import zipfile
import zlib

from classifier.errors import ExtractionTimeoutError, TooLargeError
from classifier.extract.normalize import file_label

#: Most entries a ZIP-based document (DOCX, XLSX, OFD) may have.
MAX_ZIP_ENTRIES = 10_000
#: Most bytes all entries of a ZIP-based document may expand to.
MAX_ZIP_TOTAL = 256 * 1024 * 1024
#: Largest expansion ratio of one entry larger than :data:`RATIO_MIN_BYTES`.
MAX_ZIP_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024


class Deadline:
    """A per-document time limit, checked between pages, parts and rows (cooperative).

    Parameters
    ----------
    seconds : float or None
        Time allowed from now; ``None`` or ``<= 0`` means no limit.
    name : str
        File name for the message.
    """

    def __init__(self, seconds: float | None, name: str = "") -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.name = name
        self.end = time.monotonic() + self.seconds if self.seconds else None

    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit)."""
        return None if self.end is None else max(self.end - time.monotonic(), 0.0)

    def check(self) -> None:
        """Raise :class:`ExtractionTimeoutError` when the time is up."""
        if self.end is not None and time.monotonic() > self.end:
            raise ExtractionTimeoutError(
                f"{file_label(self.name)}读取超时（超过 {self.seconds:g} 秒），已跳过；"
                "可调大 DINGMI_EXTRACT_TIMEOUT 后重试，或请人工判定",
                path=self.name or None,
            )


NO_DEADLINE = Deadline(None)


def check_zip(zf: zipfile.ZipFile, name: str = "") -> None:
    """Refuse ZIP bombs: too many entries, too much expanded data, or an extreme ratio.

    The declared sizes bound what :mod:`zipfile` will inflate (it stops at ``file_size``),
    so checking them before reading is enough.

    Raises
    ------
    TooLargeError
        With code ``too_large``.
    """
    infos = zf.infolist()
    label = file_label(name)
    if len(infos) > MAX_ZIP_ENTRIES:
        raise TooLargeError(
            f"{label}含 {len(infos)} 个压缩条目，超过上限 {MAX_ZIP_ENTRIES}（疑似压缩炸弹）",
            path=name or None,
        )
    total = 0
    for info in infos:
        total += info.file_size
        if (
            info.file_size > RATIO_MIN_BYTES
            and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)
        ):
            raise TooLargeError(
                f"{label}中的 {info.filename} 压缩比超过 {MAX_ZIP_RATIO}:1（疑似压缩炸弹）",
                path=name or None,
            )
    if total > MAX_ZIP_TOTAL:
        raise TooLargeError(
            f"{label}解压后共 {total / 1048576:.0f} MB，超过上限 {MAX_ZIP_TOTAL // 1048576} MB"
            "（疑似压缩炸弹）",
            path=name or None,
        )


#: Most bytes one part of a container (a DOCX/XLSX/OFD XML part) may expand to (issue 8).
MAX_PART_BYTES = 64 * 1024 * 1024
#: Most characters extracted from one document (``Settings.max_chars``); ``too_large`` beyond.
MAX_CHARS = 2_500_000
#: ZIP compression methods :mod:`zipfile` reads (stored, deflate, bzip2, LZMA); any other
#: method (Deflate64, PPMd, WavPack, AES …) is ``unsupported_format``, never a traceback.
READABLE_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                  zipfile.ZIP_LZMA})
#: Most bytes one compressed PDF stream may inflate to (a page's content stream, an image).
MAX_PDF_STREAM_BYTES = 256 * 1024 * 1024


def check_zip_methods(zf: zipfile.ZipFile, name: str = "") -> None:
    """Refuse a ZIP whose entries use a compression method that cannot be read.

    Raises
    ------
    UnsupportedFormatError
        With code ``unsupported_format``, naming the method.
    """
    from classifier.errors import UnsupportedFormatError

    for info in zf.infolist():
        if info.compress_type not in READABLE_ZIP_METHODS:
            raise UnsupportedFormatError(
                f"{file_label(name)}中的 {info.filename} 使用了不支持的 ZIP 压缩方法"
                f"（编号 {info.compress_type}）；请用 Office/WPS 重新保存后再提交",
                path=name or None,
            )
        if info.flag_bits & 0x1:
            from classifier.errors import EncryptedError

            raise EncryptedError(
                f"{file_label(name)}中的 {info.filename} 已加密，无法读取；请解除密码后再提交",
                path=name or None,
            )


def check_part_size(info: zipfile.ZipInfo, name: str = "", limit: int = MAX_PART_BYTES) -> None:
    """Refuse a part that would expand to more than ``limit`` bytes (``too_large``).

    :mod:`zipfile` never inflates past the declared ``file_size`` (it raises ``BadZipFile``
    on a mismatch), so the declared size bounds the memory a read takes.
    """
    if info.file_size > limit:
        raise TooLargeError(
            f"{file_label(name)}的 {info.filename} 解压后 {info.file_size / 1048576:.0f} MB，"
            f"超过单个部件上限 {limit // 1048576} MB",
            path=name or None,
        )


class CharBudget:
    """Counts the characters extracted from one document and stops at a cap.

    Parameters
    ----------
    limit : int or None
        Most characters; ``None`` or ``<= 0`` means no cap.
    name : str
        File name for the message.
    """

    def __init__(self, limit: int | None = MAX_CHARS, name: str = "") -> None:
        self.limit = limit if limit and limit > 0 else None
        self.name = name
        self.used = 0

    def add(self, n: int) -> None:
        """Count ``n`` more characters; raise :class:`TooLargeError` past the cap."""
        self.used += n
        if self.limit is not None and self.used > self.limit:
            raise too_many_chars(self.name, self.limit)


def too_many_chars(name: str, limit: int) -> TooLargeError:
    """The ``too_large`` error of a document with more than ``limit`` characters."""
    return TooLargeError(
        f"{file_label(name)}的文字超过 {limit:,} 字的上限（DINGMI_MAX_CHARS），已跳过；"
        "请拆分后再提交",
        path=name or None,
    )


NO_BUDGET = CharBudget(None)


def check_pdf_streams(data: bytes, name: str = "", limit: int = MAX_PDF_STREAM_BYTES,
                      deadline: Deadline = NO_DEADLINE) -> None:
    """Refuse a PDF with a Flate stream that inflates to more than ``limit`` bytes.

    PDFium inflates a page's whole content stream in memory: a 1 MB file with a 1 GiB
    stream took 2.16 GB (issue 8). Only streams long enough to reach ``limit`` are inflated
    here, in 1 MiB steps without keeping the output, so an ordinary PDF costs nothing.

    Raises
    ------
    TooLargeError
        With code ``too_large``.
    ExtractionTimeoutError
        When ``deadline`` passes while streams are checked.
    """
    import re

    min_len = max(limit // 1032, 1)  # Deflate expands at most ~1032:1: shorter streams are safe
    for m in re.finditer(rb"stream\r?\n", data):
        if data[max(m.start() - 3, 0) : m.start()] == b"end":
            continue
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        if end - start < min_len:
            continue
        deadline.check()
        inflater = zlib.decompressobj()
        total = 0
        chunk = memoryview(data)[start:end]
        try:
            out = inflater.decompress(chunk, 1 << 20)
            while out:
                total += len(out)
                if total > limit:
                    raise TooLargeError(
                        f"{file_label(name)}中有一个数据流解压后超过 {limit // 1048576} MB"
                        "（疑似压缩炸弹），已跳过",
                        path=name or None,
                    )
                out = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
        except zlib.error:
            continue  # not Flate (images in DCT/JPX, broken data): PDFium decides
