"""Find a TrueType CJK font that reportlab can embed, for stamping PDFs.

reportlab embeds TrueType (``glyf``) outlines only; the CFF outlines of Noto/Source Han CJK
(``.otf``, and the ``.ttc`` collections of fonts-noto-cjk) make it fail, so those are not
offered. Debian's ``fonts-wqy-zenhei`` (文泉驿正黑, a 黑体-style face) is the one the CI installs.

Source: issue 12, item 2; ``classifier.doctor.check_cjk_font`` (``fc-list :lang=zh``).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from classifier.errors import NoCjkFontError

#: Known TrueType CJK fonts on Debian and Ubuntu, best first: (path, subfont index).
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)

INSTALL_HINT = "apt-get install -y fonts-wqy-zenhei"


@dataclass(frozen=True)
class FontFile:
    """A font file and the index of the face inside a ``.ttc`` collection."""

    path: Path
    subfont_index: int = 0


def _is_truetype(path: Path) -> bool:
    """True when the file (or the first face of a collection) has TrueType outlines."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    if head[:4] == b"ttcf":
        if len(head) < 16:
            return False
        offset = int.from_bytes(head[12:16], "big")
        try:
            with path.open("rb") as f:
                f.seek(offset)
                head = f.read(4096)
        except OSError:
            return False
    if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return False  # "OTTO": CFF outlines, which reportlab cannot embed
    n_tables = int.from_bytes(head[4:6], "big")
    tags = {head[12 + 16 * i:16 + 16 * i] for i in range(min(n_tables, 250))}
    return b"glyf" in tags


def _fc_list() -> list[Path]:
    """Font files fontconfig knows for Chinese (``fc-list :lang=zh file``), sorted."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = {ln.split(":")[0].strip() for ln in out.splitlines() if ln.strip()}
    return [Path(f) for f in sorted(files) if f.lower().endswith((".ttf", ".ttc"))]


def find_cjk_font(path: Path | str | None = None) -> FontFile:
    """Return a TrueType CJK font reportlab can embed.

    Parameters
    ----------
    path : pathlib.Path or str, optional
        Use this font file (``.ttf``, or the first face of a ``.ttc``); it must exist and have
        TrueType outlines.

    Returns
    -------
    FontFile
        ``path`` when given; otherwise the first of :data:`KNOWN_FONTS` present, then the
        first TrueType file ``fc-list :lang=zh`` lists.

    Raises
    ------
    NoCjkFontError
        No such font (the message gives the install command).
    """
    if path is not None:
        p = Path(path)
        if not p.is_file() or not _is_truetype(p):
            raise NoCjkFontError(f"字体文件 {p} 不存在或不是 TrueType 字体；可安装：{INSTALL_HINT}")
        return FontFile(p)
    for known, index in KNOWN_FONTS:
        p = Path(known)
        if p.is_file() and _is_truetype(p):
            return FontFile(p, index)
    for p in _fc_list():
        if _is_truetype(p):
            return FontFile(p)
    raise NoCjkFontError(
        f"本机没有可嵌入 PDF 的中文 TrueType 字体，无法在 PDF 上加印标志；请安装：{INSTALL_HINT}")
