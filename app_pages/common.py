"""Pieces shared by the pages: the cached workflow and engine, the current user, safe display.

Not a page itself (``app.py`` lists the pages). Untrusted text (document text, file names,
notes) is shown only through :func:`show_text` / :func:`plain` (``st.html`` of escaped
text) or widgets and tables, which render plain text; never through markdown.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from classifier.catalogue import LEVEL_LABELS, Catalogue, Level, load_catalogue
from classifier.config import Settings
from classifier.errors import ClassifierError, error_from_dict, user_message, warning_message
from classifier.highlight import escape_markdown, evidence_spans, highlight_html
from classifier.workflow import (
    ACTION_LABELS,
    Action,
    Classification,
    Document,
    Role,
    Status,
    StoredSuggestion,
    User,
    Workflow,
)
from classifier.workflow.demo import ensure_demo_users


@st.cache_resource(show_spinner="正在打开数据库…")
def _workflow(key: str, _settings: Settings) -> Workflow:
    wf = Workflow.open(_settings, _catalogue(str(_settings.catalogue_path)))
    ensure_demo_users(wf)
    return wf


@st.cache_resource(show_spinner="正在载入定密模型…", max_entries=2)
def _suggester(key: str, model_dir: str, _settings: Settings) -> Any:
    from classifier.suggest import Suggester

    return Suggester.load(_settings, model_dir=Path(model_dir))


@st.cache_resource
def _catalogue(path: str) -> Catalogue:
    return load_catalogue(path)


_log = logging.getLogger("dingmi.app")


def warm_up_reader(settings: Settings) -> None:
    """Get the document reader ready in the background when the app starts (issue 15 §3).

    Once per process (a cached resource) a daemon thread loads the active model's engine
    (the same cached one the pages use) and calls its
    :meth:`~classifier.suggest.Suggester.warm_up`: the reading child process starts and
    loads the OCR engine, so the first scan does not wait for it. Nothing is shown: without
    a model there is nothing to warm, and a failure is logged, never a traceback on a page.
    """
    _warm_up_thread(settings)


@st.cache_resource(show_spinner=False)
def _warm_up_thread(_settings: Settings) -> threading.Thread:
    thread = threading.Thread(target=_warm_up, args=(_settings,), name="dingmi-warm-up",
                              daemon=True)
    thread.start()
    return thread


def _warm_up(settings: Settings) -> None:
    """Warm the reader, then stay parked: the reading child is killed when the thread that
    started it ends (``PR_SET_PDEATHSIG`` is per thread), so this thread lives as long as
    the process and the warm child with it."""
    from classifier.engine.model import latest_model_dir

    try:
        model_dir = latest_model_dir(settings.models_dir)
        _suggester(repr(settings), str(model_dir), settings).warm_up()
    except ClassifierError as e:  # no model yet: nothing to warm
        _log.info("reader warm-up skipped: %s", e.code)
        return
    except Exception:  # noqa: BLE001 - a background warm-up never breaks the app
        _log.exception("reader warm-up failed")
        return
    threading.Event().wait()  # a daemon thread: it does not hold the process at exit


def ocr_progress(bar: Any, n: int, total: int, name: str) -> Callable[[int, int], None]:
    """The ``on_page`` callback of file ``n`` of ``total``: the progress bar tells the file
    and the page being recognised (``第 n/N 份：《name》，正在识别第 k / K 页``)."""
    def on_page(page: int, pages: int) -> None:
        bar.progress(min(1.0, (n - 1 + page / (pages + 1)) / total), text=escape_markdown(
            f"正在读取第 {n}/{total} 份：《{name}》，正在识别第 {page} / {pages} 页"))

    return on_page


@dataclass(frozen=True)
class Context:
    """What a page needs: settings, the workflow, the catalogue and the current user."""

    settings: Settings
    workflow: Workflow
    catalogue: Catalogue
    user: User | None

    def suggester(self) -> Any:
        """The engine for the active model version, loaded once per version.

        The active version is read on every call (a small file), so a promotion, a rollback
        or a retrain from the model page takes effect at the next upload, without a restart.
        Raises ModelNotReadyError without a model.
        """
        from classifier.engine.model import latest_model_dir

        model_dir = latest_model_dir(self.settings.models_dir)
        return _suggester(repr(self.settings), str(model_dir), self.settings)


def init(settings: Settings) -> Context:
    """Open (create on first start) the database, make the demo users, read the catalogue."""
    st.session_state["_settings"] = settings
    return context()


def context() -> Context:
    """The context for a page (``app.py`` has called :func:`init` in this run)."""
    settings = st.session_state["_settings"]
    wf = _workflow(f"{settings.db_url} {settings.store_originals} {settings.catalogue_path} "
                   f"{settings.auth!r} {settings.decision!r}", settings)
    return Context(settings, wf, _catalogue(str(settings.catalogue_path)),
                   st.session_state.get("_user"))


#: The query parameter that carries the session token, so that a reload or a bookmark keeps
#: the session (the token is random, only its sha256 is stored, and it dies at logout or
#: after the idle time).
SESSION_PARAM = "s"


def signed_in(wf: Workflow) -> User:
    """The logged-in user; otherwise the login page (or the password change) and stop.

    The session token lives in ``st.session_state`` and in the URL (:data:`SESSION_PARAM`);
    every run checks it with the service layer (idle timeout, logout, disabled account).
    """
    token = st.session_state.get("_token") or st.query_params.get(SESSION_PARAM)
    notice: ClassifierError | None = None
    if token:
        try:
            user = wf.session_user(token, allow_password_change=True)
        except ClassifierError as e:
            notice = e
            _forget()
        else:
            st.session_state["_token"] = token
            st.session_state["_user"] = user
            st.query_params[SESSION_PARAM] = token
            if user.must_change_password:
                _password_page(wf, user, first=True)
                st.stop()
            return user
    _login_page(wf, notice)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _forget() -> None:
    for key in ("_token", "_user"):
        st.session_state.pop(key, None)
    st.query_params.clear()


def _login_page(wf: Workflow, notice: ClassifierError | None) -> None:
    st.title("定密助手 · 登录")
    st.caption("本系统处理国家秘密事项，仅限授权人员使用。所有登录和操作均记入审计记录。")
    if notice:
        warn(notice)
    with st.form("login"):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("口令", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            cred = wf.login(name, password, via="app")
        except ClassifierError as e:
            error(e)
        else:
            st.session_state["_token"] = cred.token
            st.query_params[SESSION_PARAM] = cred.token
            st.session_state["_user_changed"] = True
            st.rerun()


def _password_page(wf: Workflow, user: User, *, first: bool) -> None:
    st.title("修改口令")
    if first:
        st.info("首次登录或口令被重置后，须先修改口令。")
    st.caption("口令至少 10 个字符，包含大写字母、小写字母、数字、其他字符中的至少三种，且不含用户名。")
    with st.form("passwd"):
        old = st.text_input("原口令", type="password", key="pw_old")
        new = st.text_input("新口令", type="password", key="pw_new")
        again = st.text_input("再次输入新口令", type="password", key="pw_again")
        submitted = st.form_submit_button("修改口令", type="primary")
    if submitted:
        if new != again:
            st.error("两次输入的新口令不一致")
            return
        try:
            wf.change_password(user.id, old, new)
        except ClassifierError as e:
            error(e)
        else:
            flash("口令已修改。")
            st.rerun()
    logout_button(wf)


def logout_button(wf: Workflow) -> None:
    """The sidebar's 退出登录: ends the session in the service layer and forgets the token."""
    if st.sidebar.button("退出登录", key="logout"):
        wf.logout(st.session_state.get("_token"))
        _forget()
        st.rerun()


def flash(message: str) -> None:
    """Show ``message`` as a success note after the next rerun."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    """Show and clear the pending success note."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(escape_markdown(message))


def error(e: ClassifierError) -> None:
    """Show a coded error as a Chinese sentence (what happened, what to do), its stable code
    in a collapsed technical detail (the message may quote a file name: escaped).

    Every page shows a :class:`ClassifierError` through this helper (or :func:`warn`).
    """
    st.error(escape_markdown(user_message(e)))
    technical_detail(e.code)


def warn(e: ClassifierError) -> None:
    """Like :func:`error`, as a warning (a notice, not a failure of the reader's action)."""
    st.warning(escape_markdown(user_message(e)))
    technical_detail(e.code)


def technical_detail(code: str) -> None:
    """The stable code for support, folded away under 技术细节 (a native ``<details>``, so it
    also works inside an expander or a form)."""
    st.html("<details class='dm-detail'><summary>技术细节</summary>"
            f"错误代码：<code>{html.escape(code)}</code></details>")


def format_date(value: date | datetime | None) -> str:
    """A date as people write it: ``2026年12月7日`` (local date of a time; empty for None).

    Exports keep ISO dates; this is for tables and cards on the pages.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def format_time(value: datetime | None) -> str:
    """A time on a page: ``2026年12月7日 14:05`` in local time (empty for None)."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo else value
    return f"{format_date(local)} {local:%H:%M}"


#: A cell that is an ISO date or a page's ``YYYY-MM-DD HH:MM`` time, and nothing else.
_ISO_CELL = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?")


def chinese_dates(value: Any) -> Any:
    """One table cell for display: a date or time as :func:`format_date` / :func:`format_time`.

    Parameters
    ----------
    value : Any
        A ``date``, a ``datetime``, or a string that is wholly an ISO date
        (``2026-12-07``) or a local time (``2026-12-07 14:05``, as the register's exports
        write them); anything else is returned unchanged.

    Returns
    -------
    Any
        ``2026年12月7日`` or ``2026年12月7日 14:05`` for a date or time; else ``value``.
    """
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and (m := _ISO_CELL.fullmatch(value.strip())):
        day = f"{int(m[1])}年{int(m[2])}月{int(m[3])}日"
        return f"{day} {m[4]}:{m[5]}" if m[4] else day
    return value


def table(rows: list[dict[str, Any]], *, pinned: tuple[str, ...] = (), key: str | None = None,
          ) -> None:
    """A read-only table: dates in Chinese, the key columns pinned, scrolling in its frame.

    Parameters
    ----------
    rows : list of dict
        Column name → cell; cells go through :func:`chinese_dates` (exports keep ISO: they
        are written from the library's rows, not from this table).
    pinned : tuple of str
        The key columns (file name, register number, 份号 …) that stay in view while the
        table scrolls sideways.
    key : str, optional
        The element's key.
    """
    shown = [{k: chinese_dates(v) for k, v in r.items()} for r in rows]
    for name in {k for r in shown for k in r}:
        cells = [r.get(name) for r in shown]
        kinds = {type(c) for c in cells if c is not None}
        if None in cells or len(kinds) > 1:
            # Streamlit writes a missing cell as "None", and a column of mixed types fails
            # its Arrow conversion: show "—" and the other cells as text.
            for r in shown:
                r[name] = "—" if r.get(name) is None else str(r[name])
    present = set(shown[0]) if shown else set()
    config: dict[str, Any] = {name: st.column_config.Column(name, pinned=True)
                              for name in pinned if name in present}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key)


#: The second, explicit step before an irreversible decision (confirm, override, decide,
#: declassify, dispose): ticked, then the action's button.
CONFIRM_LABEL = "我已核对以上内容，确认提交"


def confirm_step(key: str) -> bool:
    """The tick box of the second step; True when ticked.

    Inside a form the tick is read on submission (:func:`confirmed`); outside a form pass
    ``disabled=not confirm_step(key)`` to the action's button.
    """
    return st.checkbox(CONFIRM_LABEL, key=f"{key}_sure",
                       help="确认、变更、决定、解密和处置提交后即生效，不能撤回。")


def confirmed(ticked: bool) -> bool:
    """Whether the second step was taken; if not, say what to do (nothing is done)."""
    if not ticked:
        st.warning(f"尚未提交：请先勾选“{CONFIRM_LABEL}”，再点按钮。")
    return ticked


#: Placeholders of choice fields in Chinese (Streamlit's own are "Choose an option",
#: "Choose options" and "No options to select").
PICK = "请选择"
NOTHING_TO_PICK = "暂无可选项"


def placeholder(options: Any) -> str:
    """:data:`PICK`, or :data:`NOTHING_TO_PICK` when ``options`` is empty."""
    return PICK if len(options) else NOTHING_TO_PICK


def _upload_limit_mb() -> int:
    try:
        return int(st.get_option("server.maxUploadSize"))
    except (TypeError, ValueError, RuntimeError):
        return 50


def chinese_chrome() -> None:
    """Replace the English that Streamlit's own widgets print with Chinese (CSS only).

    Streamlit hard-codes the file uploader's "Upload" and "… per file", a date field's
    placeholder segments ("yyyy/mm/dd") and the keyboard user's "Skip to main content" in its
    JavaScript. The original text is made invisible (``visibility: hidden`` also takes it out
    of what a screen reader and ``innerText`` read) and the Chinese is drawn by ``::after``.
    Style-only HTML goes to Streamlit's event container and takes no room on the page.
    """
    limit = _upload_limit_mb()
    rules = {
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p":
            "选择文件",
        "[data-testid='stFileUploaderDropzoneInstructions'] > div":
            f"或把文件拖到此处；每个文件不超过 {limit} 兆字节",
        "[data-testid='stSkipToContent']": "跳到正文",
        "[data-testid='stDateInputField'] [data-placeholder='true'][data-type='year']": "年",
        "[data-testid='stDateInputField'] [data-placeholder='true'][data-type='month']": "月",
        "[data-testid='stDateInputField'] [data-placeholder='true'][data-type='day']": "日",
    }
    hidden = [
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p",
        "[data-testid='stFileUploaderDropzoneInstructions'] > div > span",
        "[data-testid='stSkipToContent']",
        "[data-testid='stDateInputField'] [data-placeholder='true']",
        # an uploaded file's size ("75.0B", "1.2KB") and the "add icon" of the add button
        "[data-testid='stFileChipName'] + div",
        "[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-borderlessIcon']"
        " [data-has-shortcut] > span:first-child",
    ]
    css = ", ".join(hidden) + " { visibility: hidden; font-size: 0 !important; }\n"
    for selector, text in rules.items():
        css += (f"{selector}::after {{ content: '{text}'; visibility: visible; "
                "font-size: 0.875rem; }\n")
    css += ".dm-detail { font-size: 0.8rem; color: #808495; margin-top: -0.5rem; }\n"
    st.html(f"<style>{css}</style>")


def plain(text: str, *, bold: bool = False) -> None:
    """Show untrusted text as plain characters."""
    body = html.escape(text, quote=True)
    st.html(f"<div style='font-weight:{700 if bold else 400}'>{body or '&nbsp;'}</div>")


def show_text(doc: Document, suggestion: StoredSuggestion | None) -> None:
    """The extracted text with the evidence sentences highlighted (escaped, inert)."""
    if not doc.text.strip():
        st.info("未能从此文件读出文字（例如扫描件），请对照原件人工判定。")
        return
    spans = evidence_spans(suggestion.payload, len(doc.text)) if suggestion else []
    st.caption("黄色：系统建议所依据的句子；蓝色：其他候选条款的依据。文稿内容按纯文本显示。")
    st.html(highlight_html(doc.text, spans))
    for w in (suggestion.payload.get("warnings") or []) if suggestion else []:
        st.caption(escape_markdown(f"读取提示：{warning_message(w)[0]}"))


#: Chinese names of the passage kinds of :func:`classifier.engine.passages.split_passages`.
PASSAGE_KINDS = {"title": "标题", "para": "段落", "item": "条目", "table": "表格"}
#: Characters of a passage shown in the picker (the whole passage is in the text on the left).
PASSAGE_PREVIEW_CHARS = 40


@dataclass(frozen=True)
class PassageChoices:
    """What the passage picker offers for one document.

    Attributes
    ----------
    options : list of (int, int)
        ``(start, end)`` offsets into the document's text, in text order.
    labels : dict
        Option → the Chinese line shown for it (number, kind, short preview).
    ticked : list of (int, int)
        The options ticked at first: the passages of the suggestion's evidence.
    """

    options: list[tuple[int, int]]
    labels: dict[tuple[int, int], str]
    ticked: list[tuple[int, int]]


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= PASSAGE_PREVIEW_CHARS:
        return flat
    return flat[:PASSAGE_PREVIEW_CHARS] + "…"


def _suggested_evidence(payload: dict[str, Any], clause: str | None, text_len: int,
                        ) -> list[tuple[int, int]]:
    """Evidence ranges of the candidate for ``clause`` (the proposal's), else of the first;
    none when that candidate is not a state secret (no clause): a signature line that made a
    draft 内部 does not make it secret, and the ticks are saved as training labels."""
    cands = [c for c in payload.get("candidates") or [] if isinstance(c, dict)]
    if not cands:
        return []
    chosen = next((c for c in cands if clause and c.get("clause") == clause), cands[0])
    if not chosen.get("clause"):
        return []
    out = []
    for ev in chosen.get("evidence") or []:
        try:
            start, end = int(ev["start"]), int(ev["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= text_len:
            out.append((start, end))
    return out


def passage_choices(text: str, payload: dict[str, Any] | None,
                    clause: str | None = None) -> PassageChoices:
    """The passages of ``text`` to tick, those of the suggestion's evidence ticked first.

    Parameters
    ----------
    text : str
        The document's extracted text.
    payload : dict or None
        The stored suggestion (``candidates[*].evidence`` with ``start``/``end``).
    clause : str, optional
        The clause proposed for the document: that candidate's evidence is ticked when the
        suggestion has it, otherwise the suggested (first) candidate's.

    Returns
    -------
    PassageChoices
        Every passage of :func:`classifier.engine.passages.split_passages`, plus any evidence
        range that is not exactly a passage; an evidence range that is a passage is ticked.
    """
    from classifier.engine.passages import split_passages

    kinds = {(p.start, p.end): p.kind for p in split_passages(text)}
    evidence = _suggested_evidence(payload or {}, clause, len(text))
    options = sorted(set(kinds) | set(evidence))
    ticked = set(evidence)
    labels = {}
    for i, (a, b) in enumerate(options, 1):
        kind = PASSAGE_KINDS.get(kinds.get((a, b), ""), "依据句")
        mark = "【系统依据】" if (a, b) in ticked else ""
        labels[(a, b)] = f"{i}．{mark}〔{kind}〕{_preview(text[a:b])}"
    return PassageChoices(options, labels, [o for o in options if o in ticked])


def passage_picker(key: str, doc: Document, suggestion: StoredSuggestion | None,
                   ) -> list[tuple[int, int]] | None:
    """Let the decider tick the passages that decide the level (outside any form).

    The passages of the suggestion's evidence start ticked; any passage can be ticked or
    un-ticked. The choice is stored with the decision and trains the passage model.

    Returns
    -------
    list of (int, int) or None
        The ticked ``(start, end)`` offsets; None when the document has no text.
    """
    if not doc.text.strip():
        return None
    choices = passage_choices(doc.text, suggestion.payload if suggestion else None, doc.clause)
    st.markdown("**决定密级的段落**")
    st.caption("勾选使本文件成为国家秘密、决定其密级的句子或段落；系统依据已预先勾选，"
               "不对的请删去。勾选结果随确认、变更一并保存，用于改进模型。")
    picked = st.multiselect(
        "决定密级的段落", choices.options, default=choices.ticked, key=f"{key}_passages",
        format_func=lambda o: choices.labels.get(o, f"{o[0]}–{o[1]}"),
        placeholder="未勾选段落（可从列表中选择）", label_visibility="collapsed", select_all=False,
        help="列出全文的各个段落（表格每三行为一段，长段落按句切分）。",
    )
    if picked:
        with st.expander(f"已勾选 {len(picked)} 段的全文"):
            for a, b in sorted(picked):
                plain(doc.text[a:b])
    return sorted(picked)


def open_case(ctx: Context, doc_id: int, key: str) -> tuple[Document, StoredSuggestion | None,
                                                             int]:
    """The chosen document, its suggestion, and the version this user saw (optimistic lock).

    The suggestion is None while blind mode withholds it from this user
    (:meth:`~classifier.workflow.Workflow.suggestion_for`). ``key`` names the page's ``<key>_seen`` map of document → version last shown.
    """
    assert ctx.user is not None
    doc = ctx.workflow.document(doc_id, ctx.user.id)
    seen = st.session_state.setdefault(f"{key}_seen", {})
    # blind mode (issue 14 §3): the workflow withholds the suggestion (None) while it must
    view = ctx.workflow.suggestion_for(doc.id, ctx.user.id)
    return doc, view.suggestion, seen.get(doc.id, doc.version)


#: Formats whose pages are shown as pictures beside the text: PDFs, scans and photos.
PAGED_FORMATS = frozenset({"pdf", "image"})
#: Pages rendered at most (the text always has every page).
MAX_PAGE_PICTURES = 20


@st.cache_data(max_entries=8, show_spinner="正在生成原件页面图像…")
def _pictures(data: bytes) -> list[tuple[int, bytes]]:
    from classifier.extract.image import page_images

    return page_images(data, list(range(1, MAX_PAGE_PICTURES + 1)))


def page_pictures(ctx: Context, doc: Document, data: bytes | None = None,
                  ) -> list[tuple[int, bytes]] | None:
    """The pages of a PDF or a scan as PNG pictures, rendered on demand from the original.

    Parameters
    ----------
    ctx : Context
        The page's context; the original is read through the workflow, which checks need to
        know (and records the read of a secret) exactly as for the text.
    doc : Document
        The document shown.
    data : bytes, optional
        The uploaded bytes when the page still has them (the drafter's own upload in this
        session, when originals are not kept).

    Returns
    -------
    list of (page, png bytes) or None
        None when the format has no pages to show (DOCX, text …); an empty list when it has
        but the original was not kept or cannot be rendered.
    """
    if doc.format not in PAGED_FORMATS:
        return None
    if data is None and doc.has_original and ctx.user is not None:
        data = ctx.workflow.original(doc.id, ctx.user.id)
    return _pictures(data) if data else []


def show_pages(pictures: list[tuple[int, bytes]] | None) -> None:
    """The page pictures one under another, in a frame that scrolls beside the text."""
    if pictures is None:
        return
    if not pictures:
        st.caption("原件未保存或无法生成页面图像，请对照纸质原件核对。")
        return
    with st.container(height=720, border=True):
        for page, png in pictures:
            st.image(png, caption=f"第{page}页", width="stretch")


def text_and_pages(ctx: Context, doc: Document, suggestion: StoredSuggestion | None,
                   data: bytes | None = None) -> None:
    """The extracted text, and for a PDF or a scan the original's pages beside it."""
    pictures = page_pictures(ctx, doc, data)
    if pictures is None:
        show_text(doc, suggestion)
        return
    text_col, page_col = st.columns(2, gap="medium")
    with text_col:
        st.caption("读出的文字")
        show_text(doc, suggestion)
    with page_col:
        st.caption("原件页面")
        show_pages(pictures)


def case_panes(ctx: Context, doc: Document, suggestion: StoredSuggestion | None,
               history_title: str, warning: str | None = None) -> None:
    """The text (with the original's pages for a PDF or a scan) on the left; the proposal and
    its history, then the suggestion, on the right."""
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("文稿")
        text_and_pages(ctx, doc, suggestion)
    with right:
        st.subheader(history_title)
        proposal_card(ctx, doc)
        if warning:
            st.warning(warning)
        st.subheader("系统建议")
        suggestion_card(suggestion, ctx.catalogue)


def act(action: Callable[[], Document], done: Callable[[Document], str]) -> None:
    """Run a workflow action: on success a note after the rerun, else its coded error."""
    try:
        new = action()
    except ClassifierError as e:
        error(e)
    else:
        flash(done(new))
        st.rerun()


def clause_label(catalogue: Catalogue, clause_id: str | None) -> str:
    """``4.3 领导班子调整意见…`` or ``—``."""
    if not clause_id:
        return "—"
    return f"{clause_id} {catalogue.get(clause_id).title}" if clause_id in catalogue else clause_id


def suggestion_card(s: StoredSuggestion | None, catalogue: Catalogue) -> None:
    """The engine's suggestion: level, period, clause with its text, confidence, flags."""
    if s is None:
        st.info("没有系统建议。")
        return
    p = s.payload
    if p.get("error"):
        err = error_from_dict(p["error"])
        st.warning(escape_markdown(f"系统未能给出建议：{user_message(err)}"))
        technical_detail(err.code)
        return
    period = s.period
    c1, c2 = st.columns(2)
    c1.metric("建议密级", p.get("level") or "—")
    conf = p.get("confidence")
    c2.metric("置信度", f"{conf:.0%}" if isinstance(conf, int | float) else "—")
    if period.mark:
        when = f"{period.years}年" if period.years else period.condition or ""
        st.markdown(escape_markdown(f"密级标志：{period.mark}") + "　　"
                    + escape_markdown(f"保密期限：{when}"))
    else:
        st.markdown("密级标志：无（非国家秘密，不标注密级）")
    clause_id = p.get("clause")
    if clause_id and clause_id in catalogue:
        clause = catalogue.get(clause_id)
        st.markdown(f"**定密依据**：第 {clause.id} 条　{escape_markdown(clause.title)}")
        st.caption(escape_markdown(clause.text))
    else:
        st.markdown("**定密依据**：未匹配保密事项范围条款（建议为非国家秘密）")
    if p.get("needs_review"):
        st.warning("系统把握不足或信号相互矛盾：请重点审核，不要直接采用建议。")
    marking = p.get("marking") or {}
    if marking.get("found"):
        text = f"文中已标注“{marking['found']}”"
        if marking.get("conflict"):
            st.warning(escape_markdown(text + f"，与建议密级“{p.get('level')}”不一致，请核实。"))
        else:
            st.caption(escape_markdown(text + "，与建议一致。"))
    cands = p.get("candidates") or []
    if len(cands) > 1:
        with st.expander(f"其他候选（{len(cands) - 1}）"):
            st.dataframe(
                [
                    {
                        "条款": clause_label(catalogue, c.get("clause")),
                        "密级": c.get("level"),
                        "得分": round(float(c.get("score") or 0), 3),
                        "依据句": "；".join(e.get("text", "") for e in c.get("evidence") or [])[:120],
                    }
                    for c in cands[1:]
                ],
                hide_index=True,
            )
    st.caption(f"模型版本 {s.model_version or '—'}；保密事项范围版本 {s.catalogue_version or '—'}")


def classification_inputs(
    key: str, catalogue: Catalogue, *, level: str | None, clause: str | None,
    years: int | None, condition: str | None,
) -> Classification:
    """Level, clause, period and condition inputs (inside a form); returns what was entered."""
    level_i = LEVEL_LABELS.index(level) if level in LEVEL_LABELS else LEVEL_LABELS.index("秘密")
    c1, c2 = st.columns(2)
    level_v = c1.selectbox("密级", LEVEL_LABELS, index=level_i, key=f"{key}_level", placeholder=PICK,
                           help="公开、内部不是国家秘密，无需定密依据和保密期限。")
    ids = ["", *catalogue.ids]
    clause_v = c2.selectbox(
        "定密依据（保密事项范围条款）", ids, index=ids.index(clause) if clause in ids else 0,
        key=f"{key}_clause", format_func=lambda c: clause_label(catalogue, c) if c else "（无）",
        placeholder=PICK,
    )
    c3, c4 = st.columns(2)
    years_v = c3.number_input("保密期限（年）", min_value=0, max_value=30, value=int(years or 0),
                              step=1, key=f"{key}_years",
                              help="填 0 表示按解密条件；两项都不填则按法定最长期限。")
    cond_v = c4.text_input("解密条件", value=condition or "", key=f"{key}_condition",
                           help="例如：任免正式公布后、考试结束后。填写了年限时不使用。")
    return Classification(Level.from_label(level_v), clause_v or None, int(years_v) or None,
                          cond_v or None)


def proposal_card(ctx: Context, doc: Document) -> None:
    """The drafter's proposal and the decisions so far."""
    proposals = ctx.workflow.proposals(doc.id)
    if not proposals:
        st.info("尚未拟定。")
        return
    p = proposals[-1]
    names = {u.id: u.name for u in ctx.workflow.users(include_inactive=True)}
    st.dataframe(
        [
            {"项目": "拟定人", "内容": f"{names.get(p.drafter_id, p.drafter_id)}（{format_time(p.created_at)}）"},
            {"项目": "拟定密级", "内容": p.mark or p.level},
            {"项目": "定密依据", "内容": clause_label(ctx.catalogue, p.clause)},
            {"项目": "知悉范围", "内容": p.scope or "—"},
            {"项目": "备注", "内容": p.note or "—"},
        ],
        hide_index=True,
        width="stretch",
    )
    decisions = ctx.workflow.decisions(doc.id)
    if decisions:
        kinds = {a.value: ACTION_LABELS[a] for a in Action if a is not Action.PROPOSE}
        st.caption("办理经过")
        st.dataframe(
            [
                {"时间": format_time(d.created_at), "办理人": names.get(d.actor_id, d.actor_id),
                 "角色": Role(d.actor_role).label, "办理": kinds.get(d.kind, d.kind),
                 "结果": d.mark or d.level or "", "理由/问题": d.reason}
                for d in decisions
            ],
            hide_index=True,
            width="stretch",
        )


def document_downloads(ctx: Context, doc: Document, key: str) -> None:
    """Buttons that make the marked copy (标志件) and the approval form (定密审批表) of ``doc``,
    then offer them for download (each made on request: every copy is an audit event).

    Shown to whoever may read the document (need to know is checked again by the workflow);
    a document that cannot be marked yet says why in Chinese, with its code.
    """
    from classifier.workflow.outputs import MARKABLE

    assert ctx.user is not None
    st.markdown("**标志件与审批表**")
    made = st.session_state.setdefault(f"{key}_made", {})
    c1, c2 = st.columns(2)
    if c1.button("制作标志件", key=f"{key}_mark_{doc.id}",
                 disabled=Status(doc.status) not in MARKABLE,
                 help="按 GB/T 9704 在首页左上角标注份号、密级和保密期限，原件不变。"):
        try:
            copy = ctx.workflow.marked_copy(ctx.user.id, doc.id)
        except ClassifierError as e:
            error(e)
        else:
            stem = doc.filename.rsplit(".", 1)[0]
            made[("mark", doc.id)] = (copy.data, f"{stem}（标志件）.{copy.format}")
    if c2.button("生成定密审批表", key=f"{key}_form_{doc.id}"):
        try:
            made[("form", doc.id)] = (ctx.workflow.approval_form(ctx.user.id, doc.id),
                                      f"定密审批表_{doc.id}.docx")
        except ClassifierError as e:
            error(e)
    for kind, label, col in (("mark", "下载标志件", c1), ("form", "下载定密审批表", c2)):
        if (kind, doc.id) in made:
            data, name = made[(kind, doc.id)]
            mime = ("application/pdf" if name.endswith(".pdf") else
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            col.download_button(label, data, file_name=name, mime=mime,
                                key=f"{key}_{kind}_dl_{doc.id}")


def reason_select(key: str, label: str = "理由类别") -> list[str]:
    """The structured reasons of issue 14 §1 as a multiselect with Chinese labels; returns
    the chosen codes (``placeholder`` keeps Streamlit's English prompt off the page)."""
    from classifier.workflow.reasons import REASON_LABELS, ReasonCode

    codes = st.multiselect(label, [c.value for c in REASON_LABELS], key=key,
                           format_func=lambda c: REASON_LABELS[ReasonCode(c)],
                           placeholder="请选择", select_all=False)
    return list(codes)
