"""``dingmi doctor``: which optional parts this machine has, and how to install the missing ones.

Each check looks at the machine as it is (``PATH``, installed Python packages, fonts known to
fontconfig, files on disk); nothing is started or downloaded, and the whole run takes well
under a second. A part is *needed* when a feature in use depends on it:

=============  ===============================================  ==============================
feature        what it is                                       needs
=============  ===============================================  ==============================
``ocr``        scans and images are read (on by default)        RapidOCR and its ONNX models
``legacy``     ``.doc``/``.wps``/``.rtf`` are read (on)         LibreOffice (``soffice``)
``postgresql`` ``DINGMI_DATABASE_URL`` names PostgreSQL         the ``psycopg`` driver
``dev``        ``make test`` (``--dev``)                        a CJK font, Chromium, PostgreSQL
=============  ===============================================  ==============================

``Settings`` has no switch for OCR or the converter (both are used whenever present), so
``ocr`` and ``legacy`` are on unless the caller leaves them out (``--without``). Everything
else is reported as optional: rjieba (jieba is the slower fallback), a CJK font outside
``--dev`` (it matters for rendering pages whose fonts are not embedded, not for reading text),
the trained model (``dingmi suggest`` trains one when missing).

Source: issue 8 (item 2).
"""

from __future__ import annotations

import glob
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from classifier.config import Settings

#: Every feature a check can be needed for, with its Chinese name.
FEATURES: dict[str, str] = {
    "ocr": "读取扫描件和图片（OCR）",
    "legacy": "读取 .doc/.wps/.rtf 文稿",
    "postgresql": "使用 PostgreSQL 数据库",
    "dev": "运行测试（make test）",
}

#: The OCR model files ``rapidocr_onnxruntime`` 1.4.x ships in its wheel (``models/``).
OCR_MODEL_FILES = ("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx",
                   "ch_ppocr_mobile_v2.0_cls_infer.onnx")


@dataclass(frozen=True)
class Check:
    """The result of one check.

    Attributes
    ----------
    name : str
        Stable key (``ocr``, ``libreoffice``, ``cjk_font``, ``rjieba``, ``chromium``,
        ``postgresql``, ``psycopg``, ``model``).
    title : str
        What the part is, in Chinese.
    ok : bool
        Whether the part is present and usable.
    detail : str
        What was found (a path, a version, a count) or what is missing, in Chinese.
    install : str
        The command that installs the part (empty when nothing is to install).
    needed_for : tuple of str
        The features (keys of :data:`FEATURES`) that need this part.
    required : bool
        Whether a feature in use needs it (set by :func:`run_checks`).
    """

    name: str
    title: str
    ok: bool
    detail: str
    install: str
    needed_for: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Report:
    """All checks of one ``dingmi doctor`` run.

    Attributes
    ----------
    checks : tuple of Check
    features : tuple of str
        The features in use, which decide what is required.
    """

    checks: tuple[Check, ...]
    features: tuple[str, ...] = field(default=())

    @property
    def missing(self) -> list[Check]:
        """Required parts that are missing."""
        return [c for c in self.checks if c.required and not c.ok]

    @property
    def ok(self) -> bool:
        """Whether every required part is present (exit status 0)."""
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"ok", "features", "missing", "checks": [...]}``."""
        return {"ok": self.ok, "features": list(self.features),
                "missing": [c.name for c in self.missing],
                "checks": [{**asdict(c), "needed_for": list(c.needed_for)} for c in self.checks]}


def _which(names: Iterable[str], path: str | None) -> str | None:
    for n in names:
        found = shutil.which(n, path=path)
        if found:
            return found
    return None


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_ocr() -> Check:
    """RapidOCR importable (without importing it: onnxruntime is slow to load) with its models."""
    title = "OCR 引擎及模型（rapidocr-onnxruntime）"
    install = "pip install 'rapidocr-onnxruntime>=1.4.4,<1.5'"
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return Check("ocr", title, False, "未安装 rapidocr_onnxruntime", install, ("ocr",))
    if importlib.util.find_spec("onnxruntime") is None:
        return Check("ocr", title, False, "未安装 onnxruntime", install, ("ocr",))
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    absent = [f for f in OCR_MODEL_FILES if not (models / f).is_file()]
    if absent:
        return Check("ocr", title, False, f"缺少模型文件：{'、'.join(absent)}（{models}）",
                     "pip install --force-reinstall 'rapidocr-onnxruntime>=1.4.4,<1.5'", ("ocr",))
    return Check("ocr", title, True,
                 f"版本 {_dist_version('rapidocr-onnxruntime') or '未知'}，模型 {len(OCR_MODEL_FILES)} 个（{models}）",
                 "", ("ocr",))


def check_libreoffice(path: str | None = None) -> Check:
    """LibreOffice's ``soffice`` on ``PATH`` (as :func:`classifier.extract.legacy.soffice` finds it)."""
    exe = _which(("soffice", "libreoffice"), path)
    return Check("libreoffice", "LibreOffice（转换 .doc/.wps/.rtf）", exe is not None,
                 exe or "未找到 soffice", "" if exe else
                 "apt-get install -y --no-install-recommends libreoffice-writer-nogui",
                 ("legacy",))


def check_cjk_font(path: str | None = None) -> Check:
    """A CJK font known to fontconfig (``fc-list :lang=zh``)."""
    title = "中文字体（渲染未嵌入字体的 PDF 页面）"
    install = "apt-get install -y fontconfig fonts-wqy-zenhei"
    fc = _which(("fc-list",), path)
    if fc is None:
        return Check("cjk_font", title, False, "未找到 fc-list（fontconfig 未安装）", install, ("dev",))
    try:
        out = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return Check("cjk_font", title, False, f"fc-list 运行失败：{e}", install, ("dev",))
    families = sorted({ln.split(",")[0].strip() for ln in out.splitlines() if ln.strip()})
    if not families:
        return Check("cjk_font", title, False, "没有支持中文的字体", install, ("dev",))
    more = f" 等 {len(families)} 种" if len(families) > 3 else ""
    return Check("cjk_font", title, True, "、".join(families[:3]) + more, "", ("dev",))


def check_rjieba() -> Check:
    """jieba-rs (``rjieba``), the fast tokenizer backend; jieba is the fallback."""
    v = _dist_version("rjieba") if importlib.util.find_spec("rjieba") else None
    return Check("rjieba", "rjieba 快速分词", v is not None,
                 f"版本 {v}" if v else "未安装，将使用 jieba（分词约慢 20 倍）",
                 "" if v else "pip install 'rjieba>=0.2'")


def check_chromium(path: str | None = None) -> Check:
    """Debian's ``chromium``, which the end-to-end browser tests drive."""
    exe = _which(("chromium", "chromium-browser"), path)
    return Check("chromium", "Chromium 浏览器（端到端测试）", exe is not None,
                 exe or "未找到 chromium", "" if exe else "apt-get install -y chromium", ("dev",))


def check_postgresql(path: str | None = None) -> Check:
    """PostgreSQL server binaries (``initdb``) on ``PATH`` or in ``/usr/lib/postgresql/*/bin``."""
    exe = _which(("initdb",), path) or next(iter(sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    return Check("postgresql", "PostgreSQL 服务器程序（数据库测试）", exe is not None,
                 exe or "未找到 initdb", "" if exe else
                 "apt-get install -y --no-install-recommends postgresql", ("dev",))


def check_psycopg() -> Check:
    """The ``psycopg`` driver, needed when ``DINGMI_DATABASE_URL`` names PostgreSQL."""
    v = _dist_version("psycopg") if importlib.util.find_spec("psycopg") else None
    return Check("psycopg", "PostgreSQL 驱动（psycopg）", v is not None,
                 f"版本 {v}" if v else "未安装", "" if v else "pip install 'psycopg[binary]>=3.2'",
                 ("postgresql",))


def check_model(settings: Settings) -> Check:
    """The active trained model under the data home (``dingmi suggest`` trains one if missing),
    present only when its manifest's signature and files check (issue 11 §7)."""
    from classifier.engine.model import latest_model_dir
    from classifier.errors import ModelNotReadyError

    try:
        d = latest_model_dir(settings.models_dir)
    except ModelNotReadyError:
        return Check("model", "已训练的模型", False, f"{settings.models_dir} 中没有模型",
                     "make model（或 dingmi train）")
    from classifier.engine.signing import read_model_key, verify_manifest
    from classifier.errors import (
        ModelFormatError,
        ModelKeyError,
        ModelTamperedError,
        ModelUnsignedError,
    )

    try:  # the check serving makes: signature with this home's key, then every file's sha256
        verify_manifest(d, read_model_key(settings.model_key_path))
    except (ModelTamperedError, ModelFormatError, ModelKeyError) as e:
        fix = (f"dingmi models promote {d.name}（由有权限的人员核验并签名）"
               if isinstance(e, ModelUnsignedError) else "dingmi models rollback（或 dingmi train）")
        return Check("model", "已训练的模型", False, f"{d.name}：签名或文件校验未通过（{e}）", fix)
    return Check("model", "已训练的模型", True, f"{d.name}（{d.parent}），签名与文件校验通过", "")


def default_features(settings: Settings, *, dev: bool = False,
                     without: Iterable[str] = ()) -> tuple[str, ...]:
    """The features in use: OCR and legacy formats, PostgreSQL if configured, tests with ``dev``.

    Parameters
    ----------
    settings : Settings
    dev : bool
        Also require what ``make test`` needs.
    without : iterable of str
        Features this machine does not use (``ocr``, ``legacy``).
    """
    feats = ["ocr", "legacy"]
    if (settings.database_url or "").startswith("postgresql"):
        feats.append("postgresql")
    if dev:
        feats.append("dev")
    skip = set(without)
    return tuple(f for f in feats if f not in skip)


def run_checks(settings: Settings | None = None, *, features: Iterable[str] | None = None,
               environ: Mapping[str, str] | None = None) -> Report:
    """Run every check and mark the parts the features in use need.

    Parameters
    ----------
    settings : Settings, optional
        Default: ``Settings.from_env()``.
    features : iterable of str, optional
        Features in use (keys of :data:`FEATURES`); default :func:`default_features`.
    environ : mapping, optional
        Environment to read ``PATH`` from (default ``os.environ``).

    Returns
    -------
    Report
    """
    s = settings or Settings.from_env()
    feats = tuple(features) if features is not None else default_features(s)
    path = (os.environ if environ is None else environ).get("PATH", os.defpath)
    probes: list[Callable[[], Check]] = [
        check_ocr, lambda: check_libreoffice(path), check_rjieba, lambda: check_cjk_font(path),
        lambda: check_chromium(path), lambda: check_postgresql(path), lambda: check_model(s)]
    if "postgresql" in feats:
        probes.insert(3, check_psycopg)
    checks = []
    for probe in probes:
        c = probe()
        required = any(f in feats for f in c.needed_for)
        checks.append(Check(c.name, c.title, c.ok, c.detail, c.install, c.needed_for, required))
    return Report(tuple(checks), feats)


def format_report(report: Report) -> str:
    """The human-readable Chinese report ``dingmi doctor`` prints."""
    lines = ["定密助手运行环境检查", "在用功能：" + ("、".join(FEATURES[f] for f in report.features)
                                          or "无")]
    for c in report.checks:
        mark = "✓" if c.ok else ("✗" if c.required else "－")
        need = "必需" if c.required else "可选"
        lines.append(f"[{mark}] {need}  {c.title}：{c.detail}")
        if not c.ok and c.install:
            lines.append(f"    安装：{c.install}")
    if report.ok:
        lines.append("结论：在用功能所需组件齐全。")
    else:
        lines.append(f"结论：缺少 {len(report.missing)} 项必需组件："
                     + "、".join(c.title for c in report.missing) + "。")
    return "\n".join(lines)
