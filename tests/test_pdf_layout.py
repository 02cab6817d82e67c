"""PDF layout (issue 8, item 3): columns, wrapped lines, running headers and footers.

Every PDF is drawn here with reportlab (:mod:`tests.builders`); the assertions state what a
person reads on the page.
"""

from __future__ import annotations

import pytest

from classifier.extract import extract_bytes
from tests import builders as b

LEFT_1 = "全市组织系统深入学习贯彻党的二十大精神，扎实推进干部队伍建设，取得明显成效。"
LEFT_2 = "各区县要进一步压实责任，抓好年轻干部培养选拔工作，建设高素质专业化干部队伍。"
RIGHT_1 = "市委组织部召开专题会议，研究部署基层党组织建设工作，要求切实增强政治功能和组织功能。"
RIGHT_2 = "会议强调，要推动基层治理提质增效，确保各项任务落到实处。"


@pytest.mark.parametrize("interleaved", [True, False], ids=["row-by-row", "column-by-column"])
def test_two_column_briefing_reads_column_by_column(interleaved):
    data = b.columns_pdf(
        [[LEFT_1, LEFT_2], [RIGHT_1, RIGHT_2]], title="组工简报", interleaved=interleaved
    )
    text = extract_bytes(data, "jianbao.pdf").text
    assert text.split("\n") == ["组工简报", LEFT_1, LEFT_2, RIGHT_1, RIGHT_2]


def test_two_column_sentence_running_into_next_column_is_whole():
    # The left column ends in the middle of a sentence that goes on at the top of the right one.
    sentence = "各单位要严格按照干部选拔任用工作条例的规定认真做好考察预告和任前公示工作。"
    left_end, right_start = sentence[:34], sentence[34:]
    assert len(left_end) == 2 * 18 - 2  # two full lines: the first indented two characters
    data = b.columns_pdf([[LEFT_1, left_end], [right_start, RIGHT_1, RIGHT_2]], continued=True)
    lines = extract_bytes(data, "jianbao.pdf").text.split("\n")
    assert lines == [LEFT_1, sentence, RIGHT_1, RIGHT_2]


@pytest.mark.parametrize("rows", [2, 8])
def test_table_rows_stay_rows_next_to_columns_logic(rows):
    names = ["孙慧敏", "李建国", "王立新", "赵小红", "陈志强", "刘洋", "周敏", "吴桂芳"]
    posts = ["统计局科长", "组织部副部长", "财政局局长", "教育局副局长"]
    table = [(72.0, 700.0, "姓名"), (200.0, 700.0, "现任职务")]
    for k in range(rows):
        table += [(72.0, 680.0 - 20 * k, names[k]), (200.0, 680.0 - 20 * k, posts[k % 4])]
    text = extract_bytes(b.pdf_bytes([table]), "t.pdf").text
    assert text.split("\n") == ["姓名 现任职务"] + [
        f"{names[k]} {posts[k % 4]}" for k in range(rows)
    ]


BODY = [
    ["关于做好年度干部考核工作的通知，各单位要按照统一部署，认真组织实施。", "考核结果作为干部选拔任用、培养教育、管理监督、激励约束的重要依据。"],
    ["考核工作要坚持实事求是、客观公正，防止简单以票取人。", "各单位要于月底前将考核情况报送市委组织部干部一科。"],
    ["对考核中发现的问题，要及时提醒、督促整改。", "本通知自印发之日起施行。"],
]


@pytest.mark.parametrize("skip_first_header", [False, True])
def test_running_header_and_footer_once_and_not_in_body(skip_first_header):
    header = ["中共某市委组织部", "干部考核工作简报"]
    data = b.running_pdf(BODY, header=header, skip_first_header=skip_first_header)
    result = extract_bytes(data, "run.pdf")
    kinds = [(s.kind, s.page, result.text[s.start : s.end]) for s in result.segments]
    first = 2 if skip_first_header else 1
    assert kinds == [
        ("header", first, "中共某市委组织部"),
        ("header", first, "干部考核工作简报"),
        ("page", 1, "\n".join(BODY[0])),
        ("page", 2, "\n".join(BODY[1])),
        ("page", 3, "\n".join(BODY[2])),
        ("footer", 1, "— 1 —"),
    ]
    assert result.text.count("干部考核工作简报") == 1
    assert "— 2 —" not in result.text and "— 3 —" not in result.text


def test_page_numbers_alone_become_one_footer():
    result = extract_bytes(b.running_pdf(BODY[:2], footer="第 {page} 页"), "n.pdf")
    footers = [result.text[s.start : s.end] for s in result.segments if s.kind == "footer"]
    assert footers == ["第 1 页"]
    assert "页" not in "".join(
        result.text[s.start : s.end] for s in result.segments if s.kind == "page"
    )


def test_single_page_keeps_its_page_number_in_the_body():
    result = extract_bytes(b.running_pdf(BODY[:1]), "one.pdf")
    assert [s.kind for s in result.segments] == ["page"]
    assert result.text.split("\n")[-1] == "— 1 —"


def test_lines_repeating_at_body_pitch_are_body_text():
    # Every page of long_pdf ends with the same body line: text, not a footer.
    result = extract_bytes(b.long_pdf(3), "long.pdf")
    assert [s.kind for s in result.segments] == ["page"] * 3


def test_wrapped_paragraph_is_joined_and_paragraphs_stay_apart():
    # The wraps fall inside words (全|国, 专|业化): a sentence splitter must see whole sentences.
    first = "会议指出，各单位要认真组织传达学习全国、全省组织部长会议精神，要建设高素质专业化干部队伍"
    second = "会议要求各级党组织把思想和行动统一到中央决策部署上来"
    lines = b.wrap_cjk(first, y=700.0, width_chars=20)
    assert [t[-1] for _, _, t in lines[:2]] == ["全", "专"]
    y = lines[-1][1] - 20.0
    lines += b.wrap_cjk(second, y=y, width_chars=20)
    text = extract_bytes(b.pdf_bytes([lines]), "wrap.pdf").text
    assert text.split("\n") == [first, second]


def test_short_last_line_ends_paragraph_without_punctuation():
    # Block paragraphs (no first-line indent, no final 。): the short line ends the first.
    first = "关于进一步加强和改进新时代干部教育培训工作的实施意见起草说明"
    second = "各单位要认真学习领会文件精神结合实际抓好贯彻落实确保取得实效"
    lines = b.wrap_cjk(first, y=700.0, width_chars=20, indent=0)
    lines += b.wrap_cjk(second, y=lines[-1][1] - 20.0, width_chars=20, indent=0)
    assert len(lines) == 4 and len(lines[1][2]) < 20
    text = extract_bytes(b.pdf_bytes([lines]), "block.pdf").text
    assert text.split("\n") == [first, second]


def test_text_read_without_system_fonts_still_renders_with_them():
    # Text is read with PDFium's font mapper off; rendering afterwards must draw CJK glyphs.
    b.require_cjk_font()
    import numpy as np

    data = b.draft_pdf()
    assert "认真核实考察对象的基本情况。" in extract_bytes(data, "d.pdf").text
    image = np.asarray(b.scan_image(data, noise=False))
    assert (image < 128).mean() > 0.01  # dark ink covers part of the page: glyphs were drawn
