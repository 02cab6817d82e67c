"""Safe HTML for showing an untrusted document text with its evidence sentences marked.

The document text comes from whoever wrote the file: it may hold ``<script>``, HTML, or
markdown links and images. Every piece of it is passed through :func:`html.escape` before
it is wrapped in ``<mark>``; the markup is built only from our own constant tags, so the
result shows the text as plain, inert characters. It is meant for ``st.html`` (which does
not interpret markdown), never for ``st.markdown``.

Source: issue 3 (§5, safety of what is shown).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Background colours by rank: the top candidate's evidence, then the others.
_COLOURS = ("#ffe08a", "#dbeafe")
_BOX_STYLE = (
    "white-space: pre-wrap; word-break: break-word; max-height: 30rem; overflow-y: auto; "
    "border: 1px solid #d0d4dc; border-radius: 0.5rem; padding: 0.75rem 1rem; "
    "font-size: 0.95rem; line-height: 1.7; background: #fff; color: #1f2430;"
)


@dataclass(frozen=True)
class Span:
    """A highlighted range ``text[start:end]``; ``rank`` 0 is the strongest."""

    start: int
    end: int
    rank: int = 0
    label: str = ""


def evidence_spans(payload: Mapping[str, Any], text_len: int) -> list[Span]:
    """Evidence ranges of every candidate in an engine result (``candidates[*].evidence``).

    Offsets outside ``0 … text_len`` are clipped; empty ranges are dropped.
    """
    spans = []
    for i, cand in enumerate(payload.get("candidates") or []):
        label = f"{cand.get('clause') or '非密'} {cand.get('level') or ''}".strip()
        for ev in cand.get("evidence") or []:
            try:
                start, end = int(ev["start"]), int(ev["end"])
            except (KeyError, TypeError, ValueError):
                continue
            start, end = max(0, start), min(text_len, end)
            if start < end:
                spans.append(Span(start, end, 0 if i == 0 else 1, label))
    return spans


def highlight_html(text: str, spans: Iterable[Span] = ()) -> str:
    """Escape ``text`` and wrap the given ranges in ``<mark>``; return one ``<div>``.

    Overlapping ranges are merged, the stronger rank winning character by character.

    Examples
    --------
    >>> highlight_html("a<b>c", [Span(1, 4)])  # doctest: +ELLIPSIS
    '<div ...>a<mark ...>&lt;b&gt;</mark>c</div>'
    """
    n = len(text)
    owner: list[Span | None] = [None] * n
    for span in sorted(spans, key=lambda s: -s.rank):  # stronger ranks painted last
        for k in range(max(0, span.start), min(n, span.end)):
            owner[k] = span
    parts = []
    i = 0
    while i < n:
        sp = owner[i]
        j = i
        while j < n and owner[j] is sp:
            j += 1
        piece = html.escape(text[i:j], quote=True)
        if sp is None:
            parts.append(piece)
        else:
            colour = _COLOURS[min(sp.rank, len(_COLOURS) - 1)]
            title = html.escape(sp.label, quote=True)
            parts.append(
                f'<mark title="{title}" style="background:{colour};padding:0 1px;">{piece}</mark>'
            )
        i = j
    return f'<div class="dm-doc" style="{_BOX_STYLE}">{"".join(parts)}</div>'


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation character, so markdown renders it literally.

    For the few places where untrusted text (a file name) must go through ``st.markdown``
    or an alert; CommonMark allows a backslash before any ASCII punctuation.
    """
    return "".join("\\" + c if c.isascii() and not c.isalnum() and not c.isspace() else c
                   for c in text)
