"""Issue 5: OFD, spreadsheets, legacy formats through LibreOffice, and hostile files.

Every input is built here (tests/builders.py); LibreOffice tests run only where ``soffice`` is
installed (``.ci/run`` installs it), the ``needs_converter`` path is tested everywhere.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.errors import (
    CorruptFileError,
    EncryptedError,
    ExtractionError,
    ExtractionTimeoutError,
    NeedsConverterError,
    TooLargeError,
)
from classifier.extract import extract_bytes, extract_text, legacy, sniff_format
from tests import builders as b

HAVE_SOFFICE = legacy.soffice() is not None
needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) not installed")

RTF = (
    rb"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}"
    rb"\f0\fs24 \u20851?\u20110?\u24178?\u37096?\u32771?\u23519?\u24037?\u20316?\u30340?\u36890?\u30693?\par"
    rb"\u25311?\u20219?\u20154?\u36873?\u65306?\u24352?\u19977?\par}"
)  # 关于干部考察工作的通知 / 拟任人选：张三


# --------------------------------------------------------------------------- formats


def test_ofd_text_by_page_rows_and_paragraphs():
    data = b.ofd_bytes(
        [
            [(60, 30, "关于做好干部考察工作的通知"), (20, 50, "为进一步加强干部队伍建设，根据有关规定，"),
             (20, 56.7, "现将有关事项通知如下。"), (20, 70, "一、考察对象")],
            [(20, 30, "第二页正文"), (80, 30, "同一行")],
        ]
    )
    assert sniff_format(data) == "ofd"
    result = extract_bytes(data, "通知.ofd")
    assert result.source_format == "ofd" and result.pages == 2
    assert result.text == (
        "关于做好干部考察工作的通知\n为进一步加强干部队伍建设，根据有关规定，现将有关事项通知如下。\n"
        "一、考察对象\n第二页正文 同一行"
    )
    assert [s.page for s in result.segments] == [1, 2]


@pytest.mark.parametrize(
    "files",
    [
        {"OFD.xml": "<OFD/>"},  # no DocRoot
        {"OFD.xml": f'<ofd:OFD xmlns:ofd="{b.OFD_NS}"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml'
                    "</ofd:DocRoot></ofd:DocBody>"},  # broken XML
    ],
)
def test_ofd_broken_is_corrupt(files):
    with pytest.raises(CorruptFileError, match=r"^\[corrupt_file\] "):
        extract_bytes(b.zip_bytes(files), "坏.ofd")


def test_xlsx_rows_of_cells():
    data = b.xlsx_bytes({"名册": [["姓名", "职务", "拟任"], ["张三", "副处长", "处长"], [None, 3.0, 2.5]],
                         "说明": [["仅供内部参考"]]})
    result = extract_bytes(data, "名册.xlsx")
    assert result.source_format == "xlsx"
    assert result.text == "名册\n姓名\t职务\t拟任\n张三\t副处长\t处长\n3\t2.5\n说明\n仅供内部参考"
    assert {s.kind for s in result.segments} == {"paragraph", "table_cell"}


def test_csv_rows_of_cells_gb18030(tmp_path):
    data = "姓名,单位,备注\n张三,组织部,\"拟提任,待考察\"\n".encode("gb18030")
    result = extract_text(b.write(tmp_path, "名单.csv", data))
    assert result.source_format == "csv" and result.encoding == "gb18030"
    assert result.text == "姓名\t单位\t备注\n张三\t组织部\t拟提任,待考察"


def test_legacy_without_converter_needs_converter(monkeypatch):
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    for name, data in (("a.rtf", RTF), ("b.doc", b.ole_bytes(["WordDocument", "1Table"])),
                       ("c.et", b.ole_bytes(["Workbook"]))):
        with pytest.raises(NeedsConverterError, match=r"^\[needs_converter\] .*apt-get install"):
            extract_bytes(data, name)


@needs_soffice
def test_legacy_rtf_and_doc_through_libreoffice():
    rtf = extract_bytes(RTF, "通知.rtf")
    assert rtf.source_format == "rtf" and rtf.text == "关于干部考察工作的通知\n拟任人选：张三"
    assert any(w.startswith("converted:") for w in rtf.warnings)
    # a real Word 97-2003 file, made by LibreOffice from a DOCX, named .wps as WPS would
    doc = legacy.convert(b.docx_bytes(b.p("关于干部考察工作的通知") + b.p("拟任人选：张三")), ".docx",
                         "doc", name="x.docx", deadline=legacy.NO_DEADLINE)
    assert sniff_format(doc) == "doc"
    result = extract_bytes(doc, "旧文件.wps")
    assert result.source_format == "doc" and "拟任人选：张三" in result.text


# --------------------------------------------------------------------------- hostile files


def test_zip_bomb_ratio_too_large():
    with pytest.raises(TooLargeError, match=r"^\[too_large\] .*压缩比"):
        extract_bytes(b.zip_bomb_docx(300 * 1024 * 1024), "bomb.docx")


def test_zip_bomb_total_too_large():
    with pytest.raises(TooLargeError, match=r"^\[too_large\] .*解压后共"):
        extract_bytes(b.spread_bomb_docx(), "bomb.docx")


def test_zip_bomb_entry_count_too_large():
    with pytest.raises(TooLargeError, match=r"^\[too_large\] .*压缩条目"):
        extract_bytes(b.many_entries_zip(), "many.docx")


def test_xlsx_and_ofd_bombs_too_large():
    import io
    import zipfile

    for name, seed in (("s.xlsx", b.xlsx_bytes({"a": [["x"]]})), ("o.ofd", b.ofd_bytes([[(0, 9, "x")]]))):
        buf = io.BytesIO(seed)
        with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("bomb.xml", bytes(8 << 20))
        with pytest.raises(TooLargeError, match=r"^\[too_large\] "):
            extract_bytes(buf.getvalue(), name)


def test_owner_password_pdf_is_read_user_password_is_encrypted():
    assert extract_bytes(b.owner_password_pdf(), "owner.pdf").text == "关于干部考察工作的通知"
    with pytest.raises(EncryptedError, match=r"^\[encrypted\] "):
        extract_bytes(b.pdf_bytes([[(72.0, 700.0, "机密")]], user_password="u"), "user.pdf")


def test_nul_bytes_dropped_with_warning():
    data = "关于召开会议的通知\x00\n请准时参加。\x00\x00".encode()
    result = extract_bytes(data, "nul.txt")
    assert result.text == "关于召开会议的通知\n请准时参加。"
    assert result.warnings[0].startswith("nul_bytes: 文件含 3 个")


def test_very_long_line_is_read_quickly():
    line = "关于干部考察工作的通知，" * 200_000  # 2.4 M characters, one line, 7 MB
    start = time.perf_counter()
    result = extract_bytes(line.encode(), "long.txt")
    assert len(result.text) == len(line) and time.perf_counter() - start < 5


def test_content_not_matching_extension_read_by_content():
    assert extract_bytes(b.docx_bytes(b.p("正文")), "伪装.pdf").source_format == "docx"
    assert extract_bytes(b.pdf_bytes([[(72.0, 700.0, "正文")]]), "伪装.docx").source_format == "pdf"


def test_timeout_on_a_long_pdf():
    data = b.long_pdf(n_pages=60)
    with pytest.raises(ExtractionTimeoutError, match=r"^\[timeout\] ") as info:
        extract_bytes(data, "long.pdf", timeout=0.01)
    assert info.value.code == "timeout"
    assert extract_bytes(data, "long.pdf", timeout=60).pages == 60


@needs_soffice
def test_timeout_kills_the_converter():
    start = time.perf_counter()
    with pytest.raises(ExtractionTimeoutError, match=r"^\[timeout\] "):
        extract_bytes(RTF, "slow.rtf", timeout=0.3)  # LibreOffice needs longer: killed
    assert time.perf_counter() - start < 10


def test_batch_goes_on_after_hostile_files(home_env, tmp_path):
    from classifier.cli import main

    files = {
        "bomb.docx": b.zip_bomb_docx(8 * 1024 * 1024),
        "many.docx": b.many_entries_zip(),
        "good.txt": "关于召开全市组织工作会议的通知\n请各单位准时参加。".encode(),
        "long.pdf": b.long_pdf(n_pages=60),
    }
    paths = [str(b.write(tmp_path, k, v)) for k, v in files.items()]
    res = CliRunner().invoke(main, ["suggest", "--json", *paths], env={"DINGMI_EXTRACT_TIMEOUT": "0.01"})
    recs = {Path(r["file"]).name: r for r in map(json.loads, res.stdout.splitlines())}
    assert recs["bomb.docx"]["error"]["code"] == "too_large"
    assert recs["many.docx"]["error"]["code"] == "too_large"
    assert recs["long.pdf"]["error"]["code"] == "timeout"
    assert recs["good.txt"]["error"] is None and recs["good.txt"]["level"] in {"公开", "内部"}
    assert res.exit_code == 1


# --------------------------------------------------------------------------- fuzzing

_SEEDS = {
    "docx": b.docx_bytes(b.p("关于干部工作的通知") + b.tbl(["甲", "乙"]), headers=[b.p("页眉")],
                         footnotes=["脚注"]),
    "pdf": b.pdf_bytes([[(72.0, 700.0, "关于干部工作的通知")], [(72.0, 700.0, "第二页")]]),
    "ofd": b.ofd_bytes([[(20, 30, "关于干部工作的通知")], [(20, 30, "第二页")]]),
    "xlsx": b.xlsx_bytes({"表": [["姓名", "职务"], ["张三", "处长"]]}),
}
_MUTATION = st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255))


@settings(max_examples=60, deadline=10_000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    kind=st.sampled_from(sorted(_SEEDS)),
    mutations=st.lists(_MUTATION, max_size=24),
    cut=st.none() | st.floats(0, 1),
    splice=st.none() | st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(1, 64)),
)
def test_fuzz_mutated_real_files_raise_only_coded_errors(kind, mutations, cut, splice):
    """Byte flips, truncation and repeated chunks of real DOCX/PDF/OFD/XLSX files: a coded
    error or a result, never another exception, never a hang (10 s per example)."""
    data = bytearray(_SEEDS[kind])
    for where, value in mutations:
        data[int(where * len(data))] = value
    if splice is not None:
        start = int(splice[0] * len(data))
        chunk = data[start : start + 1 + int(splice[1] * 256)]
        data[start:start] = chunk * splice[2]
    if cut is not None:
        data = data[: int(cut * len(data))]
    try:
        extract_bytes(bytes(data), f"fuzz.{kind}", ocr=False, timeout=20)
    except ExtractionError:
        pass
