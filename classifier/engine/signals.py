"""Document-level signals that a text is already published (counter-evidence to a secret).

A news report on how a congress elects its leaders, a 任前公示, a statistics bulletin or a plan
printed "此件公开发布" uses the same words as the secret drafts behind them; what tells them
apart is the furniture of publication: a byline, a 来源 line, a 公示期, a web page's
navigation. Each signal is a group of patterns; a document's count is the number of distinct
groups found, and the matched spans are shown as counter-evidence.

Source: issue 9 (§1, §3); the default catalogue's hard negatives (published 任前公示, news that a
民主生活会 was held, published statistics bulletins, open-selection 公告).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Signal groups: name -> pattern. Names are stable (they appear in the JSON as counter-evidence).
PUBLICATION_SIGNALS: dict[str, re.Pattern[str]] = {
    "published_mark": re.compile(r"此件公开发布|此件主动公开|公开方式[:：]\s*主动公开|依申请公开"),
    "news_byline": re.compile(
        r"(?:新华社|人民网|新华网|中新社|央视网|本报|本台|本网)[^\n。]{0,16}(?:电|讯)"
        r"|[(（]?记者[\u4e00-\u9fff]{2,4}[)）]?(?:\s*通讯员|报道|摄)|讯[（(]记者|通讯员[\u4e00-\u9fff]{2,4}"),
    "source_line": re.compile(r"(?:来源|信息来源|稿源|出处)[:：][ \t\u3000]*[^\s。]{1,30}"),
    "editor_line": re.compile(r"(?:责任编辑|编辑|审核|校对|作者)[:：]\s*\S{1,8}\s*$", re.M),
    "web_furniture": re.compile(
        r"打印本页|关闭窗口|分享到|【?字体[:：]?\s*[【\[]?大|浏览次数|阅读量|点击数|当前位置[:：]|网站地图"
        r"|版权所有|ICP备|扫一扫|返回顶部|发布时间[:：]"),
    "public_notice": re.compile(
        r"现予以公示|予以公示|特此公告|现将[^\n。]{0,20}公告如下|公示期(?:为|自|：|:)|公示时间"
        r"|欢迎社会各界|接受社会监督|举报电话|12380"),
    "bulletin": re.compile(r"统计公报|新闻发布会|答记者问|政策解读|一图读懂"),
    "already_public": re.compile(r"已(?:经)?(?:正式)?(?:公布|公开|发布|印发)[^\n。]{0,10}(?:网站|报|媒体|社会)"),
}


@dataclass(frozen=True)
class Signal:
    """One publication signal found: its group name and where (``text[start:end]``)."""

    name: str
    text: str
    start: int
    end: int


def find_publication_signals(text: str) -> list[Signal]:
    """The first match of every publication signal group in ``text``, in text order.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Signal
        At most one per group of :data:`PUBLICATION_SIGNALS`.
    """
    out = []
    for name, pat in PUBLICATION_SIGNALS.items():
        m = pat.search(text)
        if m:
            out.append(Signal(name, m.group(0), m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)
