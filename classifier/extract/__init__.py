"""Text extraction: one entry point for PDF, DOCX, OFD, spreadsheets, legacy files, images and text.

The format is decided by content (magic bytes), never by the file name; each format has its
module (:mod:`~classifier.extract.pdf`, :mod:`~classifier.extract.docx`,
:mod:`~classifier.extract.txt`), imported only when a file of that format is read, so
importing this package costs nothing (``dingmi suggest`` must start in < 1.5 s).

Notes
-----
Source: issue 2 (§2 "Text extraction", §3 "Errors"); house style §4.2 and §4.6.
"""

from __future__ import annotations

import io
import lzma
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from classifier.config import Settings
from classifier.errors import (
    CorruptFileError,
    EmptyTextError,
    EncryptedError,
    NeedsOcrError,
    NotFoundError,
    TooLargeError,
    UnsupportedFormatError,
    UsageError,
)
from classifier.extract import _ole
from classifier.extract._limits import (
    Deadline,
    check_pdf_streams,
    check_zip,
    check_zip_methods,
    too_many_chars,
)
from classifier.extract.normalize import file_label
from classifier.extract.result import ExtractedText, Segment

if TYPE_CHECKING:
    from classifier.extract.ocr import PageProgress

__all__ = ["ExtractedText", "Segment", "extract_bytes", "extract_text", "sniff_format"]

DEFAULT_MAX_FILE_BYTES: int = Settings.max_file_bytes
DEFAULT_MAX_PAGES: int = Settings.max_pages
DEFAULT_TIMEOUT: float = Settings.extract_timeout
DEFAULT_MAX_CHARS: int = Settings.max_chars

#: Binary formats recognised by their first bytes, with the name shown to the user.
#: Images read through OCR.
_IMAGE_MAGIC: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
#: What dingmi reads, for messages.
SUPPORTED = "PDF、DOCX、OFD、XLSX/CSV、DOC/WPS/RTF、图片（PNG/JPEG/TIFF）和纯文本"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"RIFF", "RIFF 媒体文件（WebP/WAV/AVI）"),
    (b"\x7fELF", "ELF 可执行文件"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"\xfd7zXZ\x00", "xz 压缩包"),
    (b"\x28\xb5\x2f\xfd", "zstd 压缩包"),
    (b"\xca\xfe\xba\xbe", "Java/Mach-O 二进制文件"),
    (b"\xcf\xfa\xed\xfe", "Mach-O 可执行文件"),
    (b"OggS", "Ogg 媒体文件"),
    (b"fLaC", "FLAC 音频"),
    (b"ID3", "MP3 音频"),
    (b"SQLite format 3\x00", "SQLite 数据库"),
    (b"AT&TFORM", "DjVu 文档"),
    (b"%!PS", "PostScript 文档"),
)
#: Signatures a file shorter than them may be the start of: such a file is a truncated
#: document, not text (issue 8: a 2-byte file named ``.docx`` was read as text).
_TRUNCATED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ZIP/Office（DOCX、XLSX、OFD）"),
    (_ole.OLE2_MAGIC, "Office 97-2003/WPS"),
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"{\\rtf", "RTF"),
)
_WORD_CONTENT_TYPES = (
    b"wordprocessingml.document.main",
    b"wordprocessingml.template.main",
    b"ms-word.document.macroenabled.main",
    b"ms-word.template.macroenabledtemplate.main",
)


def _sniff_zip(data: bytes, name: str) -> str:
    """Tell a DOCX from other ZIP-based files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, name)
            check_zip_methods(zf, name)
            names = {n.lower().lstrip("/") for n in zf.namelist()}
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ofd.xml" in names:
                return "ofd"
            if "[content_types].xml" in names:
                info = next(i for i in zf.infolist() if i.filename.lower() == "[content_types].xml")
                types = zf.read(info).lower() if info.file_size < 1 << 20 else b""
                if any(t in types for t in _WORD_CONTENT_TYPES):
                    return "docx"
                if any(n.startswith("word/") for n in names):
                    raise CorruptFileError(
                        f"{file_label(name)}缺少正文部分（word/document.xml），文件可能已损坏",
                        path=name or None,
                    )
            kind = (
                "PowerPoint 演示文稿（.pptx）" if "ppt/presentation.xml" in names
                else "OpenDocument 文档" if "mimetype" in names
                else "ZIP 压缩包"
            )  # fmt: skip
    except (
        lzma.LZMAError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as e:
        raise CorruptFileError(
            f"{file_label(name)}无法打开：ZIP/Office 文件结构已损坏或不完整", path=name or None
        ) from e
    raise UnsupportedFormatError(
        f"{file_label(name)}是{kind}，暂只支持{SUPPORTED}", path=name or None
    )


def _sniff_ole(data: bytes, name: str) -> str:
    """Classify an OLE2 compound file: encrypted Office file, legacy .doc, or other."""
    entries = _ole.read_directory(data)
    if entries is not None and "EncryptionInfo" in entries:
        raise EncryptedError(
            f"{file_label(name)}设有打开密码，无法读取；请解除密码后再提交", path=name or None
        )
    if (
        entries is not None
        and "WordDocument" in entries
        and _ole.is_encrypted_doc(data, entries["WordDocument"])
    ):
        raise EncryptedError(
            f"{file_label(name)}（Word 97-2003 文档）设有打开密码，无法读取", path=name or None
        )
    if entries is None or "WordDocument" in entries:
        return "doc"  # Word 97-2003 or WPS text (same binary format); LibreOffice converts
    if "Workbook" in entries or "Book" in entries:
        return "xls"  # Excel 97-2003 or WPS .et
    kind = (
        "旧版 PowerPoint 演示文稿（.ppt）" if "PowerPoint Document" in entries
        else "OLE2 复合文档"
    )  # fmt: skip
    raise UnsupportedFormatError(
        f"{file_label(name)}是{kind}，暂只支持{SUPPORTED}", path=name or None
    )


def sniff_format(data: bytes, name: str = "") -> str:
    """Decide a file's format from its content.

    Parameters
    ----------
    data : bytes
        The whole file (ZIP and OLE2 files are recognised by their directories).
    name : str, optional
        File name, used only in messages.

    Returns
    -------
    str
        ``"pdf"``, ``"docx"``, ``"xlsx"``, ``"ofd"``, ``"image"`` (PNG, JPEG, TIFF),
        ``"doc"`` (an OLE2 Word 97-2003 or WPS document), ``"xls"`` (an OLE2 workbook:
        Excel 97-2003, WPS .et), ``"rtf"`` or ``"txt"``.

    Raises
    ------
    UnsupportedFormatError
        A known binary format (GIF, ZIP archive, PPTX …) or bytes that are not text.
    TooLargeError
        A ZIP bomb (too many entries, too much expanded data, an extreme ratio).
    EncryptedError
        An OLE2 file with an ``EncryptionInfo`` stream: an Office file with an open password.
    CorruptFileError
        A ZIP whose directory cannot be read, or an Office ZIP without its main part.

    Notes
    -----
    Source: issue 2 (§3, "decide the format by content"). ZIP and OLE2 signatures are checked
    first (they sit at offset 0); ``%PDF`` is then looked for anywhere in the first 1024
    bytes, as PDF readers do (PDF 1.7 reference, implementation note 13).

    Examples
    --------
    >>> sniff_format(b"%PDF-1.7 ...")
    'pdf'
    >>> sniff_format("通知".encode("gb18030"))
    'txt'
    """
    if 2 <= len(data) < 8:
        for magic, kind in _TRUNCATED_MAGIC:
            if len(data) < len(magic) and magic.startswith(data):
                raise CorruptFileError(
                    f"{file_label(name)}只有 {len(data)} 字节，开头是{kind}文件的标记，"
                    "但文件不完整（可能已损坏或未传完）",
                    path=name or None,
                )
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _sniff_zip(data, name)
    if data.startswith(_ole.OLE2_MAGIC):
        return _sniff_ole(data, name)
    if b"%PDF" in data[:1024]:
        return "pdf"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedFormatError(
                f"{file_label(name)}是{kind}，暂只支持{SUPPORTED}", path=name or None
            )
    if data[4:8] == b"ftyp":
        raise UnsupportedFormatError(
            f"{file_label(name)}是音视频文件，暂只支持{SUPPORTED}", path=name or None
        )
    from classifier.extract import txt

    if not data or txt.detect_encoding(data[:65536], final=len(data) <= 65536) is not None:
        return "txt"
    raise UnsupportedFormatError(
        f"{file_label(name)}不是可识别的文档、图片或纯文本，暂只支持{SUPPORTED}", path=name or None
    )


def extract_bytes(
    data: bytes,
    filename: str = "",
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    timeout: float | None = DEFAULT_TIMEOUT,
    ocr: bool = True,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    on_page: PageProgress | None = None,
) -> ExtractedText:
    """Extract the text a person reads from a file's bytes.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str, optional
        Original file name, for messages (the format comes from the content; only a text
        file named ``*.csv`` is read as a table).
    max_file_bytes : int, default Settings.max_file_bytes (50 MiB)
        Larger inputs raise :class:`TooLargeError`.
    max_pages : int, default Settings.max_pages (500)
        PDFs (or TIFF images) with more pages raise :class:`TooLargeError`.
    timeout : float or None, default Settings.extract_timeout (300 s)
        Time limit for this document, checked between pages, rows and OCR calls, and
        enforced on the LibreOffice converter; ``None`` for none.
    ocr : bool, default True
        OCR scanned PDF pages and images when the OCR engine is installed.
    max_chars : int or None, default Settings.max_chars (2,500,000)
        Most characters extracted (``too_large`` beyond; counted while reading DOCX and
        OFD, before decoding a text file, and on the result for every format); ``None``
        for no cap.
    on_page : callable, optional
        ``on_page(k, n)`` just before page ``k`` of ``n`` is OCR'd (scanned PDF pages and
        image frames), for a progress display (:data:`classifier.extract.ocr.PageProgress`).

    Returns
    -------
    ExtractedText
        Text, segments with offsets, source format, pages, warnings, OCR pages.

    Raises
    ------
    UnsupportedFormatError
        Not a format dingmi reads (GIF, archives, PPTX, binaries …).
    CorruptFileError
        A file that cannot be parsed (or converted).
    EncryptedError
        A password-protected PDF or Office file.
    EmptyTextError
        Nothing but whitespace in the file (also after OCR).
    NeedsOcrError
        A scan or an image, and OCR is off or not installed.
    NeedsConverterError
        A .doc/.wps/.rtf/.xls/.et file and LibreOffice is not installed.
    TooLargeError
        Over ``max_file_bytes``, ``max_pages`` or ``max_chars``, a ZIP or image bomb, a
        container part over 64 MiB expanded, a PDF stream over 256 MiB inflated.
    ExtractionTimeoutError
        Over ``timeout``.

    Notes
    -----
    Source: issue 2 (§2, §3), issue 5, issue 8 (§5, §7). Thread-safe: PDFium is not, so its calls are
    serialised by a lock (:mod:`classifier.extract.pdf`), released while a page is OCR'd.
    """
    if len(data) > max_file_bytes:
        raise TooLargeError(
            f"{file_label(filename)}大小 {len(data) / 1048576:.1f} MB，超过上限 {max_file_bytes / 1048576:.1f} MB",
            path=filename or None,
        )
    deadline = Deadline(timeout, filename)
    fmt = sniff_format(data, filename)
    chars = max_chars if max_chars and max_chars > 0 else None
    if fmt == "pdf":
        from classifier.extract import pdf

        check_pdf_streams(data, filename, deadline=deadline)
        result = pdf.extract(data, name=filename, max_pages=max_pages, ocr=ocr, deadline=deadline,
                             on_page=on_page)
    elif fmt == "docx":
        from classifier.extract import docx

        result = docx.extract(data, name=filename, deadline=deadline, max_chars=chars)
    elif fmt == "xlsx":
        from classifier.extract import sheet

        result = sheet.extract_xlsx(data, name=filename, deadline=deadline)
    elif fmt == "ofd":
        from classifier.extract import ofd

        result = ofd.extract(data, name=filename, deadline=deadline, max_pages=max_pages,
                             max_chars=chars)
    elif fmt == "image":
        if not ocr:
            raise NeedsOcrError(
                f"{file_label(filename)}是图片，需要文字识别（OCR）", path=filename or None
            )
        from classifier.extract import image

        result = image.extract(data, name=filename, max_pages=max_pages, deadline=deadline,
                               on_page=on_page)
    elif fmt in ("doc", "rtf", "xls"):
        from classifier.extract import legacy

        result = legacy.extract(data, fmt, name=filename, max_pages=max_pages, deadline=deadline)
    else:
        from classifier.extract import txt

        if chars is not None and len(data) > 4 * chars + 4:  # ≥ 1 character per 4 bytes
            raise too_many_chars(filename, chars)
        result = txt.extract(data, name=filename)
        if filename.lower().endswith(".csv") and result.encoding:
            from dataclasses import replace

            from classifier.extract import sheet

            codec = {"utf-16": "utf-16", "utf-32": "utf-32"}.get(result.encoding, result.encoding)
            raw = data.replace(b"\x00", b"") if codec in ("utf-8", "utf-8-sig", "gb18030") else data
            table = sheet.extract_csv(
                raw.decode(codec, "replace").lstrip("\ufeff"), encoding=result.encoding,
                deadline=deadline,
            )
            result = replace(table, warnings=(*result.warnings, *table.warnings))
    if chars is not None and len(result.text) > chars:
        raise too_many_chars(filename, chars)
    if not result.text.strip():
        raise EmptyTextError(f"{file_label(filename)}中没有任何文字", path=filename or None)
    return result


#: What a path that is not a regular file is, for messages (issue 8 §7).
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISSOCK, "套接字（socket）"),
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
)


def _refuse_special(mode: int, path: Path) -> None:
    """Raise ``unsupported_format`` for a FIFO, socket or device (never read: it may block)."""
    if stat.S_ISDIR(mode):
        raise UsageError(f"{file_label(str(path))}是文件夹，不是文件", path=path)
    if not stat.S_ISREG(mode):
        kind = next((k for test, k in _SPECIAL_KINDS if test(mode)), "特殊文件")
        raise UnsupportedFormatError(
            f"{file_label(str(path))}是{kind}，不是普通文件，未读取", path=path
        )


def extract_text(
    path: str | Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    timeout: float | None = DEFAULT_TIMEOUT,
    ocr: bool = True,
    max_chars: int | None = DEFAULT_MAX_CHARS,
) -> ExtractedText:
    """Extract the text a person reads from a PDF, DOCX or plain-text file.

    The file size is checked before the file is read.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    max_file_bytes : int, default Settings.max_file_bytes (50 MiB)
        Larger files raise :class:`TooLargeError` without being read.
    max_pages : int, default Settings.max_pages (500)
        PDFs with more pages raise :class:`TooLargeError`.
    timeout, ocr, max_chars
        See :func:`extract_bytes`.

    Returns
    -------
    ExtractedText
        See :func:`extract_bytes`.

    Raises
    ------
    NotFoundError
        ``path`` does not exist.
    UsageError
        ``path`` is a directory or cannot be read.
    UnsupportedFormatError
        ``path`` is a FIFO, socket or device (refused without reading from it).
    ExtractionError
        Every error of :func:`extract_bytes`.

    Examples
    --------
    >>> extract_text("考察材料.docx").segments[0].kind  # doctest: +SKIP
    'paragraph'
    """
    path = Path(path)
    try:
        _refuse_special(path.stat().st_mode, path)
        # O_NONBLOCK: a path swapped for a FIFO after the check must not block the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            _refuse_special(st.st_mode, path)
            size = st.st_size
            if size > max_file_bytes:
                raise TooLargeError(
                    f"{file_label(str(path))}大小 {size / 1048576:.1f} MB，超过上限 {max_file_bytes / 1048576:.1f} MB",
                    path=path,
                )
            os.set_blocking(fd, True)
            data = fh.read(max_file_bytes + 1)
    except FileNotFoundError as e:
        raise NotFoundError(f"找不到文件 {path}", path=path) from e
    except PermissionError as e:
        raise UsageError(f"无权读取文件 {path}", path=path) from e
    except IsADirectoryError as e:
        raise UsageError(f"{file_label(str(path))}是文件夹，不是文件", path=path) from e
    except OSError as e:  # ENXIO (a socket), ELOOP, EIO …
        raise UsageError(f"无法读取文件 {path}：{e.strerror or type(e).__name__}", path=path) from e
    return extract_bytes(
        data, str(path), max_file_bytes=max_file_bytes, max_pages=max_pages, timeout=timeout,
        ocr=ocr, max_chars=max_chars,
    )
