"""Legacy formats (.doc, .wps, .rtf, .xls, .et) through LibreOffice headless.

The file is converted in a fresh temporary folder with its own LibreOffice profile (two
conversions at once never share one), to DOCX (text documents) or XLSX (workbooks), which
the ordinary readers then read. ``soffice`` not installed → ``needs_converter``; the
conversion failing or producing nothing → ``corrupt_file``; running past the document's
time limit → ``timeout`` (the converter is killed).

Install: ``apt-get install -y libreoffice-writer-nogui`` (add ``libreoffice-calc-nogui``
for .xls/.et).

Source: issue 5 (§2 legacy formats).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from classifier.errors import CorruptFileError, ExtractionTimeoutError, NeedsConverterError
from classifier.extract._limits import NO_DEADLINE, Deadline
from classifier.extract.normalize import file_label
from classifier.extract.result import ExtractedText

INSTALL_HINT = "请安装 LibreOffice（apt-get install -y libreoffice-writer-nogui）后重试，或另存为 DOCX/PDF 后再提交"
#: Longest a conversion may take when the document has no deadline (s).
DEFAULT_CONVERT_SECONDS = 120.0


def soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (``None`` when not installed)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str, *, name: str, deadline: Deadline) -> bytes:
    """Convert ``data`` (a file of type ``suffix``) to ``target`` (``docx`` or ``xlsx``)."""
    label = file_label(name)
    exe = soffice()
    if exe is None:
        raise NeedsConverterError(f"{label}是旧版格式（{suffix}），需要 LibreOffice 转换；{INSTALL_HINT}",
                                  path=name or None)
    deadline.check()
    limit = deadline.remaining()
    limit = DEFAULT_CONVERT_SECONDS if limit is None else max(limit, 0.1)
    from classifier.extract.tmpdir import private_tempdir

    # A private 0700 folder under the data home, not /tmp (issue 8 §7): the copy of the
    # document is removed at exit, or swept by the next process if this one was killed.
    with private_tempdir("dingmi-lo-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [
            exe, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nofirststartwizard",
            f"-env:UserInstallation=file://{tmp}/profile",
            "--convert-to", target, "--outdir", str(out), str(src),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env["HOME"] = str(tmp)
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)
        except OSError as e:
            raise NeedsConverterError(f"{label}需要 LibreOffice 转换，但无法启动：{e}；{INSTALL_HINT}",
                                      path=name or None) from e
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired as e:
            os.killpg(proc.pid, 9)
            proc.communicate()
            raise ExtractionTimeoutError(
                f"{label}经 LibreOffice 转换超时（超过 {limit:.1f} 秒），已跳过", path=name or None
            ) from e
        produced = out / f"input.{target}"
        if proc.returncode != 0 or not produced.exists() or produced.stat().st_size == 0:
            raise CorruptFileError(
                f"{label}无法打开：LibreOffice 未能转换此文件（文件可能已损坏）", path=name or None
            )
        return produced.read_bytes()


def extract(
    data: bytes, kind: str, *, name: str = "", max_pages: int = 500, deadline: Deadline = NO_DEADLINE
) -> ExtractedText:
    """Convert a legacy document and read the result.

    Parameters
    ----------
    kind : str
        ``"doc"`` (Word 97-2003 or WPS text, an OLE2 file), ``"rtf"`` or ``"xls"`` (an OLE2
        workbook: Excel 97-2003 or WPS .et).
    """
    from dataclasses import replace

    if kind == "xls":
        from classifier.extract import sheet

        result = sheet.extract_xlsx(convert(data, ".xls", "xlsx", name=name, deadline=deadline),
                                    name=name, deadline=deadline)
    else:
        from classifier.extract import docx

        result = docx.extract(convert(data, f".{kind}", "docx", name=name, deadline=deadline),
                              name=name, deadline=deadline)
    return replace(result, source_format=kind,
                   warnings=(*result.warnings, f"converted: 经 LibreOffice 由 .{kind} 转换后读取"))
