"""Limits on one document: a deadline, and the caps that stop ZIP bombs.

Source: issue 5 (§3 hostile files).
"""

from __future__ import annotations

import time
import zipfile

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
