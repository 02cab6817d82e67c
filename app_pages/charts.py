"""Altair charts shared by the overview and model pages (not a page: nothing to run).

Every chart takes plain rows (lists of dicts with Chinese field names, shown as axis titles
and tooltips) and returns an ``alt.Chart``; the pages render it with ``st.altair_chart``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np


def confusion(labels: Sequence[str], matrix: np.ndarray, *, rows: str, cols: str) -> alt.Chart:
    """A confusion matrix as a heat map with the counts written in the cells.

    Parameters
    ----------
    labels : sequence of str
        Row and column order.
    matrix : ndarray of shape (n_labels, n_labels)
        Counts, rows = ``rows``' labels, columns = ``cols``' labels.
    rows, cols : str
        Chinese names of the two raters (axis titles).
    """
    cells = [{rows: a, cols: b, "篇数": int(matrix[i, j])}
             for i, a in enumerate(labels) for j, b in enumerate(labels)]
    order = list(labels)
    base = alt.Chart(alt.Data(values=cells)).encode(
        x=alt.X(f"{cols}:N", sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{rows}:N", sort=order))
    heat = base.mark_rect().encode(
        color=alt.Color("篇数:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[f"{rows}:N", f"{cols}:N", "篇数:Q"])
    text = base.mark_text().encode(
        text=alt.condition(alt.datum["篇数"] > 0, "篇数:Q", alt.value("")))
    return heat + text


def bars(values: Sequence[dict[str, Any]], *, x: str, y: str, color: str | None = None,
         sort: Sequence[str] | None = None, horizontal: bool = False) -> alt.Chart:
    """A bar chart (stacked by ``color`` when given) of rows with fields ``x`` and ``y``.

    Parameters
    ----------
    values : sequence of dict
    x : str
        The category field (ordered by ``sort`` when given).
    y : str
        The count field.
    color : str, optional
        A field to stack and colour by.
    sort : sequence of str, optional
    horizontal : bool
        Categories on the vertical axis.
    """
    cat = alt.X(f"{x}:N", sort=list(sort) if sort else None, axis=alt.Axis(labelAngle=0))
    num = alt.Y(f"{y}:Q", axis=alt.Axis(format="d", tickMinStep=1))
    if horizontal:
        cat = alt.Y(f"{x}:N", sort=list(sort) if sort else None)
        num = alt.X(f"{y}:Q", axis=alt.Axis(format="d", tickMinStep=1))
    enc: dict[str, Any] = {"x": num, "y": cat} if horizontal else {"x": cat, "y": num}
    tips = [f"{x}:N", f"{y}:Q"]
    if color:
        enc["color"] = alt.Color(f"{color}:N", sort=list(sort) if sort and color == x else None)
        tips.insert(1, f"{color}:N")
    return alt.Chart(alt.Data(values=list(values))).mark_bar().encode(**enc, tooltip=tips)


def lines(values: Sequence[dict[str, Any]], *, x: str, y: str, color: str,
          domain: tuple[float, float] | None = None) -> alt.Chart:
    """Lines with points, one per ``color`` value (e.g. κ by month per comparison)."""
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    return alt.Chart(alt.Data(values=list(values))).mark_line(point=True).encode(
        x=alt.X(f"{x}:N", axis=alt.Axis(labelAngle=0)), y=alt.Y(f"{y}:Q", scale=scale),
        color=f"{color}:N", tooltip=[f"{x}:N", f"{color}:N", alt.Tooltip(f"{y}:Q", format=".2f")])
